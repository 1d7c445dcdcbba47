/* waitq.c - wait queues (see waitq.h for the no-lost-wake-up argument). */
#include "kernel/sched/waitq.h"

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock, "waitq");
	list_init(&wq->waiters);
}

void prepare_to_wait(struct waitq *wq, struct waiter *w)
{
	u64 flags = spin_lock_irqsave(&wq->lock);
	w->thread = current_thread();
	if (list_empty(&w->link))
		list_add_tail(&w->link, &wq->waiters);
	sched_set_current_state(T_SLEEPING);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct waitq *wq, struct waiter *w)
{
	sched_set_current_state(T_RUNNING);
	u64 flags = spin_lock_irqsave(&wq->lock);
	list_del(&w->link);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_all(struct waitq *wq)
{
	u64 flags = spin_lock_irqsave(&wq->lock);
	struct list_head *pos;
	list_for_each(pos, &wq->waiters)
		thread_wake(list_entry(pos, struct waiter, link)->thread);
	spin_unlock_irqrestore(&wq->lock, flags);
}
