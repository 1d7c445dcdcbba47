/*
 * spinlock.h - busy-waiting locks.
 *
 * spin_lock()/spin_unlock() do not touch the interrupt flag: use them only
 * for locks never taken from an interrupt handler. spin_lock_irqsave()
 * disables interrupts on this CPU first, so an interrupt handler taking the
 * same lock cannot deadlock against the code it interrupted.
 *
 * The waiting loop executes `pause`: under QEMU -icount all vCPUs share one
 * host thread, and a CPU spinning without `pause` may starve the holder.
 *
 * Why test-and-set and not a fair ticket lock: under QEMU's TCG the vCPUs
 * of a 2-core host take turns, and a ticket lock hands the lock to one
 * particular waiter, which may not run for a whole time slice; with 8
 * vCPUs the scheduler lock then made almost no progress (measured: the
 * user tests at -smp 8 stalled for minutes). Here whichever CPU runs
 * takes a free lock. The price is fairness; nothing here relies on it.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H
#ifdef SECUNDUS_HOST
/* Host unit tests (tests/host/) run in user mode: no interrupt flag, no pause needed. */
#include "kernel/types.h"
static inline u64 irq_save(void) { return 0; }
static inline void irq_restore(u64 flags) { (void)flags; }
static inline void cpu_relax(void) { }
#else
#include "kernel/arch.h"
#endif

struct spinlock {
	volatile u32 locked;
	const char *name;       /* for diagnostics */
	void *holder_pc;        /* where it was last taken */
};

#define SPINLOCK_INIT(n) { 0, n, NULL }

static inline void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->name = name;
	l->holder_pc = NULL;
}

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (READ_ONCE(l->locked))
			cpu_relax();
	}
	l->holder_pc = __builtin_return_address(0);
}

static inline bool spin_trylock(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l) { return READ_ONCE(l->locked) != 0; }

static inline u64 spin_lock_irqsave(struct spinlock *l)
{
	u64 flags = irq_save();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	spin_unlock(l);
	irq_restore(flags);
}
#endif
