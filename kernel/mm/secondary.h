/*
 * secondary.h - the invariant checker for secondary MMUs.
 *
 * DESIGN.md §1: no MMU may use a translation to a page after the page is
 * freed. Each secondary MMU (the mirror device, later the GRU and IOMMU
 * models) registers a lookup hook; when the kernel frees a user page with
 * checking on (test mode), it asks every registered secondary MMU whether
 * it still maps that frame. A "yes" is a violation: it is printed with
 * the page, the mm and the secondary MMU named, and counted, and the test
 * runner fails the test that was running. Freed user pages are also
 * poisoned (0x6b) in test mode, so a stale reader sees garbage, not old
 * data.
 */
#ifndef MM_SECONDARY_H
#define MM_SECONDARY_H
#include "kernel/types.h"
#include "kernel/lib/list.h"

struct mm;

struct secondary_mmu {
	const char *name;
	/* Does it map frame pa? If so, fill *va and *mm. Must not sleep (a spinlock may be held). */
	bool (*maps)(struct secondary_mmu *s, paddr_t pa, vaddr_t *va, struct mm **mm);
	struct list_head link;
};

void secondary_mmu_register(struct secondary_mmu *s);
void secondary_mmu_unregister(struct secondary_mmu *s);
/* Called when a user page is about to return to the allocator. */
void secondary_check_page_free(paddr_t pa);
/* Violations found since boot (tests compare before and after). */
u64 secondary_violations(void);
/* Test mode turns checking and poisoning on (main.c). */
extern bool secondary_checking;
#endif
