/*
 * rmap.h - reverse maps: from a physical page to every (mm, address) that
 * maps it.
 *
 * Reclaim starts from a page (the LRU gives it pages, not addresses) and
 * must remove every PTE that points at it before the frame can go. A
 * private anonymous page is mapped at one address, but fork shares it
 * copy-on-write between parent and child (and their children), so one
 * page may be mapped by several address spaces, each at the same virtual
 * address. Each mapping is one `struct rmap_item` on the page's chain (the
 * "pte chain" design of Linux 2.5; Linux now uses anon_vma objects, which
 * cost less memory per page but are harder to follow).
 *
 * MAP_SHARED pages (shmem.c) have no chain: only their mapcount is kept
 * here. They are not reclaimed (docs/swap.md, "what is not swapped").
 *
 * anon_lock is the one lock of anonymous-page state: the chains and
 * mapcounts of user pages, the LRU list (reclaim.c), the swap cache and the
 * slot counts (swap.c), and the PG_anon ... PG_ioerror flags. It is a
 * spinlock below mm->pt_lock and above kmalloc and the page allocator:
 *     mm->lock -> mm->pt_lock -> anon_lock -> kmalloc lock -> pmm lock
 * Nothing sleeps under it and no interrupt handler takes it (interrupts
 * stay on while it is held, so a CPU spinning on it still answers
 * TLB-shootdown IPIs).
 *
 * Lifetime rule that reclaim relies on: an mm named by an rmap item is
 * alive (its refcount > 0), because every item is removed, under pt_lock,
 * by unmap_vmas() before the last mm_drop().
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H
#include "kernel/types.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm/page.h"

struct mm;

struct rmap_item {
	struct rmap_item *next;
	struct mm *mm;
	vaddr_t va;
};

extern struct spinlock anon_lock;

/* A chain item, or NULL when out of memory. No lock needed. */
struct rmap_item *rmap_item_alloc(void);
void rmap_item_free(struct rmap_item *it);

/*
 * p, a private anonymous page, is now mapped at (mm, va): mapcount + 1,
 * `it` (from rmap_item_alloc; the page owns it now) joins the chain, and p
 * joins the reclaim LRU if it is not on it. mm->pt_lock held; takes anon_lock.
 */
void page_add_anon_rmap(struct page *p, struct mm *mm, vaddr_t va, struct rmap_item *it);
/* The same, allocating the item: 0 or -ENOMEM. */
int page_add_anon(struct page *p, struct mm *mm, vaddr_t va);
/*
 * The mapping of p at (mm, va) was removed: mapcount - 1, its item leaves
 * the chain and is returned (the caller frees or reuses it). A page that
 * is mapped nowhere and not in the swap cache leaves the LRU. pt_lock held.
 */
struct rmap_item *page_remove_anon_rmap(struct page *p, struct mm *mm, vaddr_t va);

/* A MAP_SHARED page gains or loses a mapping (mapcount only). pt_lock held. */
void page_add_shared_map(struct page *p);
void page_remove_shared_map(struct page *p);

/* Remove a mapping of either kind, freeing the item. pt_lock held. */
void page_remove_map(struct page *p, struct mm *mm, vaddr_t va);

/* How many items the chain of p has (anon_lock held). */
int rmap_count_locked(const struct page *p);
#endif
