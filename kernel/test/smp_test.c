/*
 * smp_test.c - several CPUs: bring-up, the cross-call, the reschedule
 * IPI and CPU affinity (arch/x86_64/smp.c, kernel/smp.c,
 * kernel/sched/sched.c).
 *
 * Covers: every CPU the MADT lists is online (cpus_online_mask, ncpus and
 * acpi.ncpus agree, up to maxcpus= and MAX_CPUS) with its own struct cpu
 * and a distinct APIC id; smp_call_mask runs the function exactly once on
 * every other CPU in the mask, never on the caller, with interrupts off,
 * and returns only after all of them ran (each target dawdles first);
 * a cross-call works from another CPU than CPU 0 too (CPU 0 answers it
 * from its idle loop while the test thread sleeps); a cross-call to an
 * empty mask, or to the caller alone, sends nothing; a thread made
 * runnable for an idle (halted) CPU gets there through a reschedule IPI;
 * sched_set_affinity moves a kernel thread to each CPU in turn, both the
 * thread moving itself and the test moving a sleeping thread, checked
 * with this_cpu()->id.
 *
 * The tests run in the init thread, pinned to CPU 0. Helper threads are
 * created pinned (thread_alloc, affinity, thread_start) and wait on wait
 * queues; every wait of the test thread is bounded (msleep loops), so a
 * broken IPI fails a test instead of hanging the suite. The helpers'
 * state is static: a helper that outlives a failed wait never writes into
 * a dead stack frame. Tests that need two CPUs are skipped on one.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/bootinfo.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/waitq.h"
#include "kernel/mm/vmstat.h"
#include "kernel/lib/string.h"
#include "drivers/acpi/acpi.h"

#define WAIT_MS 3000    /* bound of every wait (TCG with 8 vCPUs on 2 host cores is slow) */

static int online_count(void) { return popcount64(READ_ONCE(cpus_online_mask)); }

/* Sleep-poll until *flag is nonzero or ms have passed; returns the flag. */
static int wait_flag(volatile int *flag, u64 ms)
{
	u64 end = time_since_boot_us() + ms * 1000;
	while (!READ_ONCE(*flag) && time_since_boot_us() < end)
		msleep(1);
	return READ_ONCE(*flag);
}

/* A kernel thread that starts on `cpu` only: pinned before it is runnable. */
struct pinned_job {
	void (*fn)(struct pinned_job *job);
	int cpu;
	volatile int started, done;
	volatile int ran_on;            /* this_cpu()->id when fn started */
	volatile u64 start_us;
	volatile int go;                /* for helpers that wait to be told */
	struct waitq wq;                /* the helper sleeps here until go */
	volatile int result;            /* helper-defined */
	volatile int seen[MAX_CPUS];
};

static void pinned_entry(void *arg)
{
	struct pinned_job *job = arg;
	sti();
	job->ran_on = this_cpu()->id;
	job->start_us = time_since_boot_us();
	WRITE_ONCE(job->started, 1);
	job->fn(job);
	__atomic_store_n(&job->done, 1, __ATOMIC_SEQ_CST);
	thread_exit_current();
}

static struct thread *start_pinned(struct pinned_job *job, const char *name, int cpu,
				   void (*fn)(struct pinned_job *))
{
	job->fn = fn;
	job->cpu = cpu;
	job->started = job->done = job->go = job->result = 0;
	job->ran_on = -1;
	for (int i = 0; i < MAX_CPUS; i++)
		job->seen[i] = 0;
	waitq_init(&job->wq);
	struct thread *t = thread_alloc(name, pinned_entry, job);
	if (!t)
		return NULL;
	t->affinity = 1ull << cpu;      /* not runnable yet: nobody else looks at it */
	thread_start(t);
	return t;
}

/* ------------------------------------------------------------------ bring-up */

KTEST(smp, every_madt_cpu_is_online)
{
	char v[8];
	int expect = acpi.found ? acpi.ncpus : 1;
	if (expect > MAX_CPUS)
		expect = MAX_CPUS;
	if (cmdline_get("maxcpus", v, sizeof v)) {
		int max = (int)strtou64(v, NULL);
		if (max >= 1 && max < expect)
			expect = max;
	}
	ktest_diag("MADT: %d CPU(s) (found: %d); online: %d, mask %#lx", acpi.ncpus, acpi.found, ncpus,
		   READ_ONCE(cpus_online_mask));
	KEXPECT_EQ(ncpus, expect);
	KEXPECT_EQ(online_count(), ncpus);
	KEXPECT_EQ(READ_ONCE(cpus_online_mask), (ncpus >= 64 ? ~0ull : (1ull << ncpus) - 1));
	for (int i = 0; i < ncpus; i++) {
		KEXPECT_TRUE(cpus[i].online);
		KEXPECT_EQ(cpus[i].id, i);
		KEXPECT_EQ((u64)cpus[i].self, (u64)&cpus[i]);
		KEXPECT_NOT_NULL(cpus[i].idle);
		for (int j = 0; j < i; j++)
			if (!KEXPECT_NE(cpus[i].apic_id, cpus[j].apic_id))
				ktest_diag("CPUs %d and %d share APIC id %u", j, i, cpus[i].apic_id);
	}
	KEXPECT_EQ(this_cpu()->id, 0);  /* the tests run on CPU 0 */
}

/* ------------------------------------------------------------------ cross-calls */

static volatile int call_runs[MAX_CPUS];
static volatile int call_irqs_on;       /* a call ran with interrupts enabled */

static void count_call(void *arg)
{
	UNUSED(arg);
	if (irqs_enabled())
		call_irqs_on = 1;
	__atomic_add_fetch(&call_runs[this_cpu()->id], 1, __ATOMIC_SEQ_CST);
}

/* Dawdle first, so a caller that did not wait would see the count missing. */
static void slow_count_call(void *arg)
{
	udelay(2000);
	count_call(arg);
}

static void reset_runs(void)
{
	for (int i = 0; i < MAX_CPUS; i++)
		call_runs[i] = 0;
	call_irqs_on = 0;
}

KTEST(smp, call_mask_runs_once_on_every_other_cpu)
{
	if (online_count() < 2)
		KTEST_SKIP("needs 2 CPUs");
	u64 all = READ_ONCE(cpus_online_mask);
	u64 recv[MAX_CPUS];
	for (int i = 0; i < ncpus; i++)
		recv[i] = smp_cross_calls_received(i);
	u64 sent = vmstat.ipis_sent;
	reset_runs();
	smp_call_mask(all, slow_count_call, NULL);
	/* No waiting here: the call returned, so every target has run. */
	KEXPECT_EQ(call_runs[0], 0);    /* never the caller */
	for (int i = 1; i < ncpus; i++) {
		if (!KEXPECT_EQ(call_runs[i], 1))
			ktest_diag("CPU %d ran the call %d time(s)", i, call_runs[i]);
		KEXPECT_EQ(smp_cross_calls_received(i) - recv[i], 1);
	}
	KEXPECT_EQ(vmstat.ipis_sent - sent, (u64)(ncpus - 1));
	KEXPECT_FALSE(call_irqs_on);    /* the function runs in the IPI handler */

	/* Many rounds, one CPU at a time and all at once. */
	reset_runs();
	for (int round = 0; round < 50; round++) {
		smp_call_mask(1ull << (1 + round % (ncpus - 1)), count_call, NULL);
		smp_call_mask(all, count_call, NULL);
	}
	KEXPECT_EQ(call_runs[0], 0);
	int total = 0;
	for (int i = 1; i < ncpus; i++) {
		int single = 0;
		for (int round = 0; round < 50; round++)
			single += (1 + round % (ncpus - 1)) == i;
		KEXPECT_EQ(call_runs[i], 50 + single);
		total += call_runs[i];
	}
	KEXPECT_EQ(total, 100 + 50 * (ncpus - 2));
}

KTEST(smp, call_to_empty_mask_sends_nothing)
{
	u64 sent = vmstat.ipis_sent, recv = vmstat.ipis_received;
	reset_runs();
	smp_call_mask(0, count_call, NULL);
	smp_call_mask(1ull << this_cpu()->id, count_call, NULL);        /* only the caller: nothing */
	u64 offline = ~READ_ONCE(cpus_online_mask);
	if (offline)
		smp_call_mask(offline, count_call, NULL);                /* CPUs that are not online */
	KEXPECT_EQ(vmstat.ipis_sent, sent);
	KEXPECT_EQ(vmstat.ipis_received, recv);
	for (int i = 0; i < MAX_CPUS; i++)
		KEXPECT_EQ(call_runs[i], 0);
}

/* A helper on the last CPU calls every other CPU, CPU 0 included. */
static void call_from_helper(struct pinned_job *job)
{
	smp_call_mask(READ_ONCE(cpus_online_mask), count_call, NULL);
	job->result = 1;
}

KTEST(smp, call_from_another_cpu_reaches_cpu0)
{
	if (online_count() < 2)
		KTEST_SKIP("needs 2 CPUs");
	static struct pinned_job job;
	int last = ncpus - 1;
	reset_runs();
	KASSERT_NOT_NULL(start_pinned(&job, "smp_caller", last, call_from_helper));
	/* CPU 0 sleeps here: its idle loop must answer the call. */
	if (!KEXPECT_TRUE(wait_flag(&job.done, WAIT_MS)))
		return;                 /* the call never completed: the checks below would only repeat it */
	KEXPECT_EQ(job.ran_on, last);
	KEXPECT_EQ(call_runs[last], 0);
	for (int i = 0; i < ncpus; i++)
		if (i != last)
			KEXPECT_EQ(call_runs[i], 1);
}

/* ------------------------------------------------------------------ reschedule IPI */

static void note_start(struct pinned_job *job)
{
	UNUSED(job);
}

/* Wait until CPU c runs its idle thread (halted or about to halt). */
static bool wait_idle(int c)
{
	u64 end = time_since_boot_us() + WAIT_MS * 1000;
	while (READ_ONCE(cpus[c].current) != cpus[c].idle && time_since_boot_us() < end)
		msleep(1);
	return READ_ONCE(cpus[c].current) == cpus[c].idle;
}

/*
 * One try: wait for CPU c to be idle, start a thread that may only run
 * there, and see it run there. 1: a reschedule IPI was sent for it;
 * 0: none was (something else ran on c just then); -1: it never ran.
 */
static int wake_idle_cpu(struct pinned_job *job, int c, u64 *latency_us)
{
	if (!wait_idle(c))
		return 0;
	u64 kicks = vmstat.resched_ipis, t0 = time_since_boot_us();
	if (!start_pinned(job, "smp_wake", c, note_start))
		return -1;
	if (!wait_flag(&job->done, WAIT_MS) || job->ran_on != c)
		return -1;
	*latency_us = job->start_us - t0;
	return vmstat.resched_ipis - kicks >= 1;
}

KTEST(smp, resched_ipi_wakes_idle_cpu)
{
	if (online_count() < 2)
		KTEST_SKIP("needs 2 CPUs");
	static struct pinned_job jobs[MAX_CPUS];
	for (int c = 1; c < ncpus; c++) {
		int r = 0;
		u64 latency = 0;
		for (int attempt = 0; attempt < 3 && r == 0; attempt++)
			r = wake_idle_cpu(&jobs[c], c, &latency);
		if (!KEXPECT_EQ(r, 1)) {
			ktest_diag(r < 0 ? "the thread pinned to idle CPU %d never ran there" :
					   "no reschedule IPI was sent for idle CPU %d (3 tries)", c);
			if (r < 0)
				return;         /* a helper may still be pending: leave its job alone */
			continue;
		}
		ktest_diag("CPU %d: woken after %lu us", c, latency);
	}
}

/* ------------------------------------------------------------------ affinity */

/* The helper moves itself to each CPU in turn (twice round), checking where it lands. */
static void walk_cpus(struct pinned_job *job)
{
	int n = ncpus, ok = 1;
	for (int k = 0; k < 2 * n; k++) {
		int cpu = k < n ? k : 2 * n - 1 - k;    /* up, then down */
		if (sched_set_affinity(current_thread(), 1ull << cpu) != 0) {
			ok = 0;
			continue;
		}
		if (this_cpu()->id != cpu)
			ok = 0;
		yield();
		if (this_cpu()->id != cpu)      /* still there after a yield */
			ok = 0;
		job->seen[cpu]++;
	}
	job->result = ok;
}

KTEST(smp, set_affinity_moves_self_to_each_cpu)
{
	static struct pinned_job job;
	KASSERT_NOT_NULL(start_pinned(&job, "smp_walk", 0, walk_cpus));
	KASSERT_TRUE(wait_flag(&job.done, WAIT_MS));
	KEXPECT_EQ(job.result, 1);
	for (int c = 0; c < ncpus; c++)
		KEXPECT_EQ(job.seen[c], 2);
	KEXPECT_EQ(sched_set_affinity(current_thread(), 0), -22);      /* no CPU: EINVAL */
	u64 offline = ~READ_ONCE(cpus_online_mask);
	if (offline)
		KEXPECT_EQ(sched_set_affinity(current_thread(), offline), -22);
	KEXPECT_EQ(this_cpu()->id, 0);
}

/* The helper sleeps on its wait queue; the test moves it, then wakes it. */
static void sleep_and_report(struct pinned_job *job)
{
	for (int round = 1; round <= MAX_CPUS; round++) {
		wait_event(&job->wq, READ_ONCE(job->go) >= round || READ_ONCE(job->go) < 0);
		if (READ_ONCE(job->go) < 0)
			return;
		job->seen[round - 1] = this_cpu()->id + 1;      /* 0: not reported yet */
	}
}

KTEST(smp, set_affinity_moves_sleeping_thread)
{
	static struct pinned_job job;
	struct thread *t = start_pinned(&job, "smp_moved", 0, sleep_and_report);
	KASSERT_NOT_NULL(t);
	KASSERT_TRUE(wait_flag(&job.started, WAIT_MS));
	for (int k = 0; k < ncpus; k++) {
		int cpu = ncpus - 1 - k;        /* last CPU first */
		KEXPECT_EQ(sched_set_affinity(t, 1ull << cpu), 0);
		__atomic_store_n(&job.go, k + 1, __ATOMIC_SEQ_CST);
		wake_up_all(&job.wq);
		u64 end = time_since_boot_us() + WAIT_MS * 1000;
		while (!READ_ONCE(job.seen[k]) && time_since_boot_us() < end)
			msleep(1);
		if (!KEXPECT_EQ(job.seen[k], cpu + 1))
			ktest_diag("step %d: moved to CPU %d, reported from %d", k, cpu, job.seen[k] - 1);
	}
	__atomic_store_n(&job.go, -1, __ATOMIC_SEQ_CST);
	wake_up_all(&job.wq);
	KEXPECT_TRUE(wait_flag(&job.done, WAIT_MS));
}
