/*
 * mmu_notifier.h - telling secondary MMUs that a primary mapping changes.
 *
 * The calls below are made at every place a user mapping changes (the
 * hooks). With no notifier registered on the mm each costs one test of an
 * empty list. The registration API, the non-blocking path and the
 * devices arrive with the notifier issue; this header already fixes the
 * order of events of DESIGN.md §1 at each hook:
 *   invalidate_range_start -> PTEs change -> CPU shootdown ->
 *   invalidate_secondary_tlbs -> pages freed -> invalidate_range_end
 */
#ifndef MM_MMU_NOTIFIER_H
#define MM_MMU_NOTIFIER_H
#include "kernel/types.h"
#include "kernel/lib/list.h"

struct mm;

enum mmu_notifier_event {
	MMU_NOTIFY_UNMAP,       /* munmap, MADV_DONTNEED, exit */
	MMU_NOTIFY_PROTECTION,  /* mprotect */
	MMU_NOTIFY_FORK,        /* fork write-protects private pages for COW */
	MMU_NOTIFY_COW,         /* a COW break replaces one page */
	MMU_NOTIFY_SWAP,        /* reclaim unmaps a page */
	MMU_NOTIFY_MIGRATE,     /* a page moves to another frame */
	MMU_NOTIFY_RELEASE,     /* the whole mm goes away */
};

#define MMU_NOTIFIER_RANGE_BLOCKABLE 0x1        /* callbacks may sleep */

struct mmu_notifier_range {
	struct mm *mm;
	vaddr_t start, end;
	enum mmu_notifier_event event;
	unsigned flags;
};

struct mmu_notifier;
struct mmu_notifier_ops {
	/* Return 0, or -EAGAIN to refuse (only when the range is not BLOCKABLE). */
	int (*invalidate_range_start)(struct mmu_notifier *mn, const struct mmu_notifier_range *r);
	void (*invalidate_range_end)(struct mmu_notifier *mn, const struct mmu_notifier_range *r);
	/* Called from the flush of an mmu_gather with the mm's PTE lock held: must not sleep. */
	void (*invalidate_secondary_tlbs)(struct mmu_notifier *mn, struct mm *mm, vaddr_t start, vaddr_t end);
	int (*clear_young)(struct mmu_notifier *mn, struct mm *mm, vaddr_t start, vaddr_t end);
	int (*test_young)(struct mmu_notifier *mn, struct mm *mm, vaddr_t addr);
	void (*release)(struct mmu_notifier *mn, struct mm *mm);
};

struct mmu_notifier {
	const struct mmu_notifier_ops *ops;
	struct mm *mm;
	struct list_head link;          /* mm->notifiers */
	int active_calls;               /* callbacks running now (unregister waits for 0) */
	bool dead;                      /* unregistering: no new callbacks */
};

static inline void mmu_notifier_range_init(struct mmu_notifier_range *r, struct mm *mm, vaddr_t start,
					   vaddr_t end, enum mmu_notifier_event event, unsigned flags)
{
	r->mm = mm;
	r->start = start;
	r->end = end;
	r->event = event;
	r->flags = flags;
}

bool mm_has_notifiers(struct mm *mm);
int __mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r);
void __mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r);
void __mmu_notifier_invalidate_secondary_tlbs(struct mm *mm, vaddr_t start, vaddr_t end);
void __mmu_notifier_release(struct mm *mm);

/* Blocking start: always succeeds (callbacks may sleep). */
static inline void mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r)
{
	if (mm_has_notifiers(r->mm))
		__mmu_notifier_invalidate_range_start(r);
}

static inline void mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r)
{
	if (mm_has_notifiers(r->mm))
		__mmu_notifier_invalidate_range_end(r);
}

static inline void mmu_notifier_invalidate_secondary_tlbs(struct mm *mm, vaddr_t start, vaddr_t end)
{
	if (mm_has_notifiers(mm))
		__mmu_notifier_invalidate_secondary_tlbs(mm, start, end);
}

static inline void mmu_notifier_release(struct mm *mm)
{
	if (mm_has_notifiers(mm))
		__mmu_notifier_release(mm);
}
#endif
