/*
 * waitq.h - wait queues: sleep until a condition holds.
 *
 *     wait_event(&wq, condition);      // sleeps until condition is true
 *     ... elsewhere, after making it true:
 *     wake_up_all(&wq);
 *
 * No wake-up is lost: the sleeper marks itself SLEEPING and is on the
 * queue *before* it tests the condition, so a wake_up_all() between the
 * test and schedule() turns it RUNNABLE again and schedule() returns at
 * once. The condition is re-tested after every wake-up.
 */
#ifndef SCHED_WAITQ_H
#define SCHED_WAITQ_H
#include "kernel/lib/list.h"
#include "kernel/lib/spinlock.h"
#include "kernel/sched/sched.h"

struct waitq {
	struct spinlock lock;
	struct list_head waiters;       /* struct waiter.link */
};

struct waiter {
	struct list_head link;
	struct thread *thread;
};

#define WAITQ_INIT(name) { SPINLOCK_INIT("waitq"), LIST_HEAD_INIT((name).waiters) }
void waitq_init(struct waitq *wq);
/* w->link must start list_init()ed. Queue the caller on wq and mark it SLEEPING (it keeps running until schedule()). */
void prepare_to_wait(struct waitq *wq, struct waiter *w);
/* Mark the caller RUNNING and take it off wq. */
void finish_wait(struct waitq *wq, struct waiter *w);
/* Wake every thread waiting on wq. Any context (interrupt handlers too). */
void wake_up_all(struct waitq *wq);

#define wait_event(wq, cond)                                    \
	do {                                                    \
		struct waiter w__;                              \
		list_init(&w__.link);                           \
		for (;;) {                                      \
			prepare_to_wait((wq), &w__);            \
			if (cond)                               \
				break;                          \
			schedule();                             \
		}                                               \
		finish_wait((wq), &w__);                        \
	} while (0)
#endif
