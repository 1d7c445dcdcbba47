/*
 * mmu_notifier.c - the notifier chain: how secondary MMUs learn that a
 * primary mapping is about to change, has been flushed, or is gone.
 *
 * THE ORDERING RULES (DESIGN.md §1; the seed threads give the why):
 *
 *  1. invalidate_range_start(range) comes before any PTE in the range
 *     changes. From then until the matching end, a secondary MMU must not
 *     establish new translations in the range (the mirror device keeps a
 *     count of active ranges and a sequence number; a fill that raced with
 *     a start is thrown away and retried).
 *  2. invalidate_secondary_tlbs(mm, start, end) is called from the
 *     mmu_gather flush: after the CPU shootdown and before any page of
 *     the batch is freed - for every batch, early ones included. A device
 *     that walks the CPU page tables itself needs exactly this point:
 *     start is too early (the PTEs have not changed yet, it could refill)
 *     and end is too late (the pages are already free).
 *  3. invalidate_range_end(range) comes after the pages are freed; every
 *     start that succeeded gets its end, also on the non-blocking path.
 *  4. release(mm) is called once, when the mm is torn down, before any of
 *     its pages is freed; after it no other callback of that mm runs.
 *  5. Callbacks run without any lock of this file held, so blockable
 *     ones may sleep. A notifier that is being unregistered gets no new
 *     calls, and mmu_notifier_unregister() returns only when none of its
 *     calls is still running. A driver unregisters from its own work (a
 *     worker thread, its close), never from inside one of its callbacks.
 *  6. Registration takes mm->lock, the lock every change of the mm's
 *     page tables holds (faults, munmap, mprotect, fork, COW, migrate,
 *     exit): no change is half-way through while the notifier is added,
 *     so the new notifier sees whole start/end pairs only. This plays the
 *     role of Linux's mm_take_all_locks().
 *
 * With no notifier registered, each hook is one test of an empty list.
 */
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/vm.h"
#include "kernel/sched/waitq.h"
#include "kernel/trace.h"
#include "kernel/panic.h"
#include "kernel/uapi/uapi_errno.h"

static struct waitq unregister_wq = WAITQ_INIT(unregister_wq);

bool mm_has_notifiers(struct mm *mm)
{
	return !list_empty(&mm->notifiers);
}

int mmu_notifier_register(struct mmu_notifier *mn, struct mm *mm)
{
	mn->mm = mm;
	mn->active_calls = 0;
	mn->dead = false;
	mn->released = false;
	mm_grab(mm);            /* the struct stays valid until unregister */
	mutex_lock(&mm->lock);  /* rule 6 */
	u64 f = spin_lock_irqsave(&mm->notifier_lock);
	list_add_tail(&mn->link, &mm->notifiers);
	spin_unlock_irqrestore(&mm->notifier_lock, f);
	mutex_unlock(&mm->lock);
	return 0;
}

static bool calls_drained(struct mmu_notifier *mn, int own)
{
	return __atomic_load_n(&mn->active_calls, __ATOMIC_ACQUIRE) == own;
}

void mmu_notifier_unregister(struct mmu_notifier *mn, struct mm *mm)
{
	/*
	 * From a callback of mn itself it would wait for itself: a driver
	 * unregisters from its own work (a worker thread, a close), never
	 * from inside a callback.
	 */
	if (current_thread()->in_notifier == mn)
		panic("mmu_notifier_unregister called from inside one of its own callbacks");
	int own = 0;
	u64 f = spin_lock_irqsave(&mm->notifier_lock);
	mn->dead = true;        /* no new calls start */
	spin_unlock_irqrestore(&mm->notifier_lock, f);
	wait_event(&unregister_wq, calls_drained(mn, own));
	f = spin_lock_irqsave(&mm->notifier_lock);
	list_del(&mn->link);
	spin_unlock_irqrestore(&mm->notifier_lock, f);
	mm_drop(mm);
}

/*
 * The next live notifier after `from` (NULL: the first), with a call
 * reference taken, so it stays on the list while its callback runs.
 * Drops the reference on `from`.
 */
static struct mmu_notifier *next_notifier(struct mm *mm, struct mmu_notifier *from)
{
	u64 f = spin_lock_irqsave(&mm->notifier_lock);
	struct list_head *pos = from ? from->link.next : mm->notifiers.next;
	struct mmu_notifier *mn = NULL;
	for (; pos != &mm->notifiers; pos = pos->next) {
		struct mmu_notifier *c = list_entry(pos, struct mmu_notifier, link);
		if (!c->dead && !c->released) {
			mn = c;
			mn->active_calls++;
			break;
		}
	}
	if (from) {
		from->active_calls--;
		if (from->dead)
			wake_up_all(&unregister_wq);    /* an unregister may be waiting for this call */
	}
	spin_unlock_irqrestore(&mm->notifier_lock, f);
	return mn;
}

/* Drop the call reference on mn without moving on (a loop that stops early). */
static void put_notifier(struct mm *mm, struct mmu_notifier *mn)
{
	u64 f = spin_lock_irqsave(&mm->notifier_lock);
	mn->active_calls--;
	if (mn->dead)
		wake_up_all(&unregister_wq);
	spin_unlock_irqrestore(&mm->notifier_lock, f);
}

#define for_each_notifier(mn, mm) for (mn = next_notifier(mm, NULL); mn; mn = next_notifier(mm, mn))

/* Run one callback with current->in_notifier set (for unregister from inside it). */
#define CALL(mn, expr)                                                  \
	({                                                              \
		struct thread *t__ = current_thread();                  \
		struct mmu_notifier *saved__ = t__->in_notifier;        \
		t__->in_notifier = (mn);                                \
		__typeof__(expr) r__ = (expr);                          \
		t__->in_notifier = saved__;                             \
		r__;                                                    \
	})

static int call_start(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	return mn->ops->invalidate_range_start ? CALL(mn, mn->ops->invalidate_range_start(mn, r)) : 0;
}

static int call_end(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	if (mn->ops->invalidate_range_end)
		CALL(mn, (mn->ops->invalidate_range_end(mn, r), 0));
	return 0;
}

int __mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r)
{
	trace_event(TRACE_RANGE_START, r->start, r->end);
	struct mmu_notifier *mn;
	int ret = 0;
	for_each_notifier(mn, r->mm) {
		int e = call_start(mn, r);
		if (e && (r->flags & MMU_NOTIFIER_RANGE_BLOCKABLE))
			panic("mmu_notifier: a blockable invalidate_range_start failed (%d)", e);
		if (e) {
			ret = e;
			put_notifier(r->mm, mn);        /* stop here: the later ones never started */
			break;
		}
		mn->started_seq = r->seq;
	}
	return ret;
}

void __mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r)
{
	struct mmu_notifier *mn;
	for_each_notifier(mn, r->mm)
		if (mn->started_seq == r->seq)
			call_end(mn, r);
	trace_event(TRACE_RANGE_END, r->start, r->end);
}

int mmu_notifier_invalidate_range_start_nonblock(struct mmu_notifier_range *r)
{
	if (!mm_has_notifiers(r->mm))
		return 0;
	r->flags &= ~MMU_NOTIFIER_RANGE_BLOCKABLE;
	int e = __mmu_notifier_invalidate_range_start(r);
	if (e) {
		/* Rule 3: every start that succeeded still gets its end. */
		__mmu_notifier_invalidate_range_end(r);
		mmu_notifier_stats.nonblock_refusals++;
	}
	return e;
}

void __mmu_notifier_invalidate_secondary_tlbs(struct mm *mm, vaddr_t start, vaddr_t end)
{
	trace_event(TRACE_SECONDARY_FLUSH, start, end);
	struct mmu_notifier *mn;
	for_each_notifier(mn, mm)
		if (mn->ops->invalidate_secondary_tlbs)
			CALL(mn, (mn->ops->invalidate_secondary_tlbs(mn, mm, start, end), 0));
}

int mmu_notifier_clear_young(struct mm *mm, vaddr_t start, vaddr_t end)
{
	int young = 0;
	struct mmu_notifier *mn;
	if (!mm_has_notifiers(mm))
		return 0;
	for_each_notifier(mn, mm)
		if (mn->ops->clear_young)
			young |= CALL(mn, mn->ops->clear_young(mn, mm, start, end));
	return young;
}

int mmu_notifier_test_young(struct mm *mm, vaddr_t addr)
{
	int young = 0;
	struct mmu_notifier *mn;
	if (!mm_has_notifiers(mm))
		return 0;
	for_each_notifier(mn, mm)
		if (mn->ops->test_young)
			young |= CALL(mn, mn->ops->test_young(mn, mm, addr));
	return young;
}

void __mmu_notifier_release(struct mm *mm)
{
	struct mmu_notifier *mn;
	for_each_notifier(mn, mm) {
		if (mn->ops->release)
			CALL(mn, (mn->ops->release(mn, mm), 0));
		u64 f = spin_lock_irqsave(&mm->notifier_lock);
		mn->released = true;    /* rule 4: nothing more for this one */
		spin_unlock_irqrestore(&mm->notifier_lock, f);
	}
}

struct mmu_notifier_stats mmu_notifier_stats;
u64 mmu_notifier_range_seq;
