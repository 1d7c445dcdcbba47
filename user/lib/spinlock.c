/* spinlock.c - the library's internal lock: spin a little, then yield. */
#include "libc.h"

void __spin_lock(__spinlock_t *l)
{
	int spins = 0;
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			if (++spins < 100) {
				__asm__ volatile("pause");
			} else {
				/* The holder may be preempted on this very CPU. */
				__syscall0(SYS_sched_yield);
				spins = 0;
			}
		}
	}
}

void __spin_unlock(__spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
