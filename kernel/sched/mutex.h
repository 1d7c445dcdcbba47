/*
 * mutex.h - a sleeping lock: a thread that cannot take it sleeps on a wait
 * queue instead of spinning. Never take one with a spinlock held or in an
 * interrupt handler. Not recursive; mutex_unlock by the owner only.
 */
#ifndef SCHED_MUTEX_H
#define SCHED_MUTEX_H
#include "kernel/sched/waitq.h"

struct mutex {
	volatile bool locked;
	struct thread *owner;
	const char *name;
	struct waitq wq;
};

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
static inline bool mutex_held_by_me(struct mutex *m) { return m->locked && m->owner == current_thread(); }
#endif
