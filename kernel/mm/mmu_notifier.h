/*
 * mmu_notifier.h - telling secondary MMUs that a primary mapping changes.
 *
 * The calls below are made at every place a user mapping changes (the
 * hooks). With no notifier registered on the mm each costs one test of an
 * empty list. Read the ordering rules atop mmu_notifier.c. Order of
 * events at each hook (DESIGN.md §1):
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
	u64 seq;                /* unique per range: pairs each start with its end */
};

struct mmu_notifier;
struct mmu_notifier_ops {
	/* Return 0, or -EAGAIN to refuse (only when the range is not BLOCKABLE). */
	int (*invalidate_range_start)(struct mmu_notifier *mn, const struct mmu_notifier_range *r);
	void (*invalidate_range_end)(struct mmu_notifier *mn, const struct mmu_notifier_range *r);
	/* Called from the flush of an mmu_gather, possibly with the mm's PTE lock held: must not sleep. */
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
	bool released;                  /* release() was called: no more callbacks */
	u64 started_seq;                /* seq of the last range whose start succeeded here
					 * (one slot: ranges of an mm are serialised by mm->lock) */
};

struct mmu_notifier_stats {
	u64 nonblock_refusals;          /* non-blocking starts that a callback refused */
};
extern struct mmu_notifier_stats mmu_notifier_stats;

/*
 * Register mn on mm (takes mm->lock: no page-table change is in flight
 * meanwhile, see mmu_notifier.c rule 6). Holds a reference on mm until
 * mmu_notifier_unregister(), which returns only when no callback of mn
 * is running or can start. Both may sleep.
 */
int mmu_notifier_register(struct mmu_notifier *mn, struct mm *mm);
void mmu_notifier_unregister(struct mmu_notifier *mn, struct mm *mm);
/*
 * The non-blocking start: callbacks may refuse with -EAGAIN; then every
 * callback whose start succeeded has had its end called, and the caller
 * must back off and retry later. 0 when all agreed.
 */
int mmu_notifier_invalidate_range_start_nonblock(struct mmu_notifier_range *r);
/* Aging: did any secondary MMU use the range/page since the last clear? (reclaim) */
int mmu_notifier_clear_young(struct mm *mm, vaddr_t start, vaddr_t end);
int mmu_notifier_test_young(struct mm *mm, vaddr_t addr);

extern u64 mmu_notifier_range_seq;

static inline void mmu_notifier_range_init(struct mmu_notifier_range *r, struct mm *mm, vaddr_t start,
					   vaddr_t end, enum mmu_notifier_event event, unsigned flags)
{
	r->seq = __atomic_add_fetch(&mmu_notifier_range_seq, 1, __ATOMIC_RELAXED);
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
