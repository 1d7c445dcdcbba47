/* mutex.c - sleeping locks built on a wait queue. */
#include "kernel/sched/mutex.h"
#include "kernel/panic.h"

void mutex_init(struct mutex *m, const char *name)
{
	m->locked = false;
	m->owner = NULL;
	m->name = name;
	waitq_init(&m->wq);
}

bool mutex_trylock(struct mutex *m)
{
	if (__atomic_exchange_n(&m->locked, true, __ATOMIC_ACQUIRE))
		return false;
	m->owner = current_thread();
	return true;
}

void mutex_lock(struct mutex *m)
{
	if (m->locked && m->owner == current_thread())
		panic("mutex %s: recursive lock", m->name);
	wait_event(&m->wq, mutex_trylock(m));
}

void mutex_unlock(struct mutex *m)
{
	if (m->owner != current_thread())
		panic("mutex %s: unlocked by a thread that does not hold it", m->name);
	m->owner = NULL;
	__atomic_store_n(&m->locked, false, __ATOMIC_RELEASE);
	wake_up_all(&m->wq);
}
