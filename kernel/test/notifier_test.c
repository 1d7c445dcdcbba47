/*
 * notifier_test.c - the MMU-notifier chain (suite notifier):
 *   order of events for a munmap (range start < CPU shootdown < secondary
 *   flush < page free < range end), also when the gather flushes early;
 *   the non-blocking start refused and retried, ending balanced;
 *   unregister while invalidations run on another CPU; release called
 *   once, before any page is freed; no events at all without notifiers.
 * Each test builds its own mm (mm_create + do_mmap + handle_mm_fault).
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/sched.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/trace.h"
#include "kernel/uapi/uapi_errno.h"

struct counting {
	struct mmu_notifier mn;
	int starts, ends, flushes, releases, refuse;
	int pages_at_release;
	volatile bool in_callback;
	bool sleep_in_start;
};

static struct counting *counting_of(struct mmu_notifier *mn) { return container_of(mn, struct counting, mn); }

static int c_start(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	struct counting *c = counting_of(mn);
	if (!(r->flags & MMU_NOTIFIER_RANGE_BLOCKABLE) && c->refuse > 0) {
		c->refuse--;
		return -EAGAIN;
	}
	c->in_callback = true;
	if (c->sleep_in_start && (r->flags & MMU_NOTIFIER_RANGE_BLOCKABLE))
		msleep(2);
	__atomic_fetch_add(&c->starts, 1, __ATOMIC_SEQ_CST);
	c->in_callback = false;
	return 0;
}

static void c_end(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	UNUSED(r);
	__atomic_fetch_add(&counting_of(mn)->ends, 1, __ATOMIC_SEQ_CST);
}

static void c_flush(struct mmu_notifier *mn, struct mm *mm, vaddr_t s, vaddr_t e)
{
	UNUSED(mm), UNUSED(s), UNUSED(e);
	counting_of(mn)->flushes++;
}

static void c_release(struct mmu_notifier *mn, struct mm *mm)
{
	struct counting *c = counting_of(mn);
	c->releases++;
	c->pages_at_release = (int)pt_count_present(mm->pml4, 0, USER_TOP);
}

static const struct mmu_notifier_ops counting_ops = {
	.invalidate_range_start = c_start,
	.invalidate_range_end = c_end,
	.invalidate_secondary_tlbs = c_flush,
	.release = c_release,
};

/* An mm with npages populated private pages at *base. */
static struct mm *populated_mm(u64 npages, vaddr_t *base)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	long a = do_mmap(mm, 0, npages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	*base = (vaddr_t)a;
	for (u64 i = 0; a > 0 && i < npages; i++)
		handle_mm_fault(mm, *base + i * PAGE_SIZE, FAULT_WRITE);
	return mm;
}

/* Walk the trace since `since`: each page free must follow a shootdown then a secondary flush. */
static int check_order(struct ktest_ctx *ktest, u64 since, int *frees, int *batches)
{
	static struct trace_entry ev[TRACE_RING];
	int n = trace_collect(since, ev, TRACE_RING);
	bool started = false, shot = false, flushed = false, ended = false;
	*frees = *batches = 0;
	for (int i = 0; i < n; i++) {
		switch (ev[i].type) {
		case TRACE_RANGE_START: started = true; break;
		case TRACE_SHOOTDOWN: KEXPECT_TRUE(started); shot = true; flushed = false; break;
		case TRACE_SECONDARY_FLUSH: KEXPECT_TRUE(shot); flushed = true; (*batches)++; break;
		case TRACE_PAGE_FREE: KEXPECT_TRUE(flushed); KEXPECT_FALSE(ended); (*frees)++; break;
		case TRACE_RANGE_END: ended = true; break;
		default: break;
		}
	}
	KEXPECT_TRUE(ended);
	return n;
}

static void teardown(struct mm *mm, struct counting *c)
{
	if (c)
		mmu_notifier_unregister(&c->mn, mm);
	mm_put_user(mm);
}

KTEST(notifier, munmap_order_start_shootdown_flush_free_end)
{
	vaddr_t base;
	u64 before = pmm_free_pages();
	struct mm *mm = populated_mm(64, &base);
	KASSERT_NOT_NULL(mm);
	struct counting c = { .mn.ops = &counting_ops };
	mmu_notifier_register(&c.mn, mm);
	u64 since = trace_now();
	KASSERT_EQ(do_munmap(mm, base, 64 * PAGE_SIZE), 0);
	int frees, batches;
	check_order(ktest, since, &frees, &batches);
	KEXPECT_EQ(frees, 64);
	KEXPECT_EQ(batches, 1);
	KEXPECT_EQ(c.starts, 1);
	KEXPECT_EQ(c.ends, 1);
	teardown(mm, &c);
	KEXPECT_EQ(pmm_free_pages(), before);
}

KTEST(notifier, early_batches_flush_before_they_free)
{
	vaddr_t base;
	u64 n = GATHER_DEFAULT_LIMIT + 100;     /* two batches: one full, one partial */
	struct mm *mm = populated_mm(n, &base);
	KASSERT_NOT_NULL(mm);
	struct counting c = { .mn.ops = &counting_ops };
	mmu_notifier_register(&c.mn, mm);
	u64 since = trace_now();
	KASSERT_EQ(do_munmap(mm, base, n * PAGE_SIZE), 0);
	int frees, batches;
	check_order(ktest, since, &frees, &batches);
	KEXPECT_EQ(frees, (int)n);
	KEXPECT_GE(batches, 2);
	KEXPECT_EQ(c.flushes, batches);
	teardown(mm, &c);
}

KTEST(notifier, nonblock_refusal_is_retried_and_balanced)
{
	vaddr_t base;
	struct mm *mm = populated_mm(4, &base);
	KASSERT_NOT_NULL(mm);
	struct counting yes = { .mn.ops = &counting_ops }, no = { .mn.ops = &counting_ops, .refuse = 3 };
	mmu_notifier_register(&yes.mn, mm);     /* called first: its start succeeds each time */
	mmu_notifier_register(&no.mn, mm);
	int tries = 0;
	struct mmu_notifier_range r;
	for (;; tries++) {
		mmu_notifier_range_init(&r, mm, base, base + PAGE_SIZE, MMU_NOTIFY_UNMAP, 0);
		if (mmu_notifier_invalidate_range_start_nonblock(&r) == 0)
			break;
		msleep(1);      /* back off, then retry */
	}
	mmu_notifier_invalidate_range_end(&r);
	KEXPECT_EQ(tries, 3);
	KEXPECT_EQ(yes.starts, 4);
	KEXPECT_EQ(yes.ends, 4);        /* every successful start got its end, refused rounds too */
	KEXPECT_EQ(no.starts, 1);
	KEXPECT_EQ(no.ends, 1);
	mmu_notifier_unregister(&no.mn, mm);
	teardown(mm, &yes);
}

struct churn {
	struct mm *mm;
	vaddr_t base;
	volatile bool stop;
	volatile int rounds;
};

/* On another CPU: invalidate the range again and again (blocking starts that sleep). */
static void churn_thread(void *arg)
{
	struct churn *ch = arg;
	while (!ch->stop) {
		struct mmu_notifier_range r;
		mmu_notifier_range_init(&r, ch->mm, ch->base, ch->base + PAGE_SIZE, MMU_NOTIFY_UNMAP,
					MMU_NOTIFIER_RANGE_BLOCKABLE);
		mutex_lock(&ch->mm->lock);
		mmu_notifier_invalidate_range_start(&r);
		mmu_notifier_invalidate_range_end(&r);
		mutex_unlock(&ch->mm->lock);
		ch->rounds++;
		yield();
	}
	ch->stop = false;
}

KTEST(notifier, unregister_waits_for_running_callbacks)
{
	if (popcount64(cpus_online_mask) < 2)
		KTEST_SKIP("needs 2 CPUs");
	vaddr_t base;
	struct mm *mm = populated_mm(1, &base);
	KASSERT_NOT_NULL(mm);
	struct counting keep = { .mn.ops = &counting_ops };
	mmu_notifier_register(&keep.mn, mm);    /* keeps the chain non-empty throughout */
	struct churn ch = { mm, base, false, 0 };
	struct thread *t = kthread_create("churn", churn_thread, &ch);
	KASSERT_NOT_NULL(t);
	sched_set_affinity(t, 2);
	for (int i = 0; i < 40; i++) {
		struct counting c = { .mn.ops = &counting_ops, .sleep_in_start = true };
		mmu_notifier_register(&c.mn, mm);
		msleep(3);
		mmu_notifier_unregister(&c.mn, mm);
		int after = c.starts;
		KEXPECT_FALSE(c.in_callback);   /* no callback still running... */
		msleep(2);
		KEXPECT_EQ(c.starts, after);    /* ...and none started after unregister returned */
	}
	ch.stop = true;
	for (u64 end = time_since_boot_us() + 2000000; ch.stop && time_since_boot_us() < end;)
		msleep(1);
	KEXPECT_FALSE(ch.stop);         /* the churn thread finished */
	KEXPECT_GT(ch.rounds, 0);
	teardown(mm, &keep);
}

KTEST(notifier, release_once_before_pages_are_freed)
{
	vaddr_t base;
	struct mm *mm = populated_mm(8, &base);
	KASSERT_NOT_NULL(mm);
	struct counting c = { .mn.ops = &counting_ops };
	mmu_notifier_register(&c.mn, mm);
	mm_grab(mm);                    /* keep the struct for the checks below */
	mm_put_user(mm);                /* the last user: release, then unmap everything */
	KEXPECT_EQ(c.releases, 1);
	KEXPECT_EQ(c.pages_at_release, 8);      /* nothing was freed before release */
	KEXPECT_EQ(pt_count_present(mm->pml4, 0, USER_TOP), 0);
	int starts = c.starts;
	mmu_notifier_unregister(&c.mn, mm);
	KEXPECT_EQ(c.starts, starts);   /* no callback after release */
	mm_drop(mm);
}

KTEST(notifier, no_notifier_no_events)
{
	vaddr_t base;
	struct mm *mm = populated_mm(16, &base);
	KASSERT_NOT_NULL(mm);
	u64 since = trace_now();
	KASSERT_EQ(do_munmap(mm, base, 16 * PAGE_SIZE), 0);
	static struct trace_entry ev[256];
	int n = trace_collect(since, ev, 256), ranges = 0;
	for (int i = 0; i < n; i++)
		ranges += ev[i].type == TRACE_RANGE_START || ev[i].type == TRACE_SECONDARY_FLUSH;
	KEXPECT_EQ(ranges, 0);
	mm_put_user(mm);
}

KTEST(notifier, refusal_by_the_first_notifier_leaves_no_reference)
{
	vaddr_t base;
	struct mm *mm = populated_mm(1, &base);
	KASSERT_NOT_NULL(mm);
	struct counting no = { .mn.ops = &counting_ops, .refuse = 1 }, yes = { .mn.ops = &counting_ops };
	mmu_notifier_register(&no.mn, mm);      /* first: refuses, so `yes` never starts */
	mmu_notifier_register(&yes.mn, mm);
	struct mmu_notifier_range r;
	mmu_notifier_range_init(&r, mm, base, base + PAGE_SIZE, MMU_NOTIFY_UNMAP, 0);
	KEXPECT_EQ(mmu_notifier_invalidate_range_start_nonblock(&r), (u64)-EAGAIN);
	KEXPECT_EQ(yes.starts, 0);
	KEXPECT_EQ(yes.ends, 0);
	KEXPECT_EQ(no.mn.active_calls, 0);
	KEXPECT_EQ(yes.mn.active_calls, 0);     /* else unregister would wait forever */
	mmu_notifier_unregister(&yes.mn, mm);
	teardown(mm, &no);
}
