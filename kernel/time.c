/* time.c - the tick counter. */
#include "kernel/time.h"
#include "kernel/arch.h"

volatile u64 ticks;

void timer_tick(void)
{
	if (this_cpu()->id == 0)
		__atomic_fetch_add(&ticks, 1, __ATOMIC_RELAXED);
}
