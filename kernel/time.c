/* time.c - the tick counter and sleeping by ticks. */
#include "kernel/time.h"
#include "kernel/arch.h"
#include "kernel/sched/waitq.h"

volatile u64 ticks;
static struct waitq tick_wq = WAITQ_INIT(tick_wq);

void timer_tick(void)
{
	if (this_cpu()->id == 0) {
		__atomic_fetch_add(&ticks, 1, __ATOMIC_RELAXED);
		if (!list_empty(&tick_wq.waiters))
			wake_up_all(&tick_wq);
	}
	sched_tick();
}

void msleep(u64 ms)
{
	u64 until = READ_ONCE(ticks) + (ms * HZ + 999) / 1000 + 1;
	wait_event(&tick_wq, READ_ONCE(ticks) >= until);
}
