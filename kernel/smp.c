/*
 * smp.c - cross-calls, the reschedule IPI and stopping the other CPUs on
 * panic. See smp.h for the rules.
 */
#include "kernel/smp.h"
#include "kernel/sched/sched.h"
#include "kernel/mm/vmstat.h"
#include "kernel/lib/spinlock.h"
#include "kernel/panic.h"
#include "kernel/trace.h"

static struct spinlock call_lock = SPINLOCK_INIT("smp_call");
static struct {
	void (*fn)(void *);
	void *arg;
	volatile int pending;   /* CPUs that have not run fn yet */
} call;
static u64 calls_received[MAX_CPUS];

u64 smp_cross_calls_received(int cpu) { return READ_ONCE(calls_received[cpu]); }

static void call_ipi(struct trapframe *tf)
{
	UNUSED(tf);
	calls_received[this_cpu()->id]++;
	VMSTAT_INC(ipis_received);
	call.fn(call.arg);
	__atomic_sub_fetch(&call.pending, 1, __ATOMIC_RELEASE);
	lapic_eoi();
}

static void resched_ipi(struct trapframe *tf)
{
	UNUSED(tf);
	this_cpu()->need_resched = true;
	lapic_eoi();
}

void smp_init(void)
{
	irq_register(VEC_CALL, call_ipi);
	irq_register(VEC_RESCHED, resched_ipi);
}

void smp_cpu_online(struct cpu *c)
{
	c->online = true;
	__atomic_fetch_or(&cpus_online_mask, 1ull << c->id, __ATOMIC_SEQ_CST);
}

void smp_call_mask(u64 mask, void (*fn)(void *), void *arg)
{
	mask &= READ_ONCE(cpus_online_mask) & ~(1ull << this_cpu()->id);
	if (!mask)
		return;
	if (!irqs_enabled())
		panic("smp_call_mask with interrupts disabled (it could deadlock)");
	while (!spin_trylock(&call_lock))
		cpu_relax();    /* interrupts on: other CPUs' calls are still answered */
	call.fn = fn;
	call.arg = arg;
	call.pending = popcount64(mask);
	for (int c = 0; c < MAX_CPUS; c++) {
		if (mask & (1ull << c)) {
			trace_event(TRACE_IPI, (u64)c, 0);
			VMSTAT_INC(ipis_sent);
			arch_send_ipi(c, VEC_CALL);
		}
	}
	while (__atomic_load_n(&call.pending, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&call_lock);
}

/* Nudge idle CPUs that may run a newly queued thread. */
void sched_kick_cpus(u64 mask)
{
	int self = this_cpu()->id;
	mask &= READ_ONCE(cpus_online_mask);
	for (int c = 0; c < MAX_CPUS; c++) {
		if (c == self || !(mask & (1ull << c)) || cpus[c].current != cpus[c].idle)
			continue;
		VMSTAT_INC(resched_ipis);
		arch_send_ipi(c, VEC_RESCHED);
	}
}

void smp_stop_other_cpus(void)
{
	if (READ_ONCE(cpus_online_mask) & ~(1ull << this_cpu()->id))
		arch_send_nmi_all_but_self();   /* trap.c halts a CPU that gets an NMI while panicking */
}
