/*
 * pthread.c - threads, mutexes, spin locks and barriers.
 *
 * pthread_create maps a stack (guard page below), records the thread in a
 * list, and asks the kernel for a thread starting at __thread_entry
 * (thread_entry.S) with the record as its argument. pthread_join waits in
 * the kernel (SYS_thread_join) and then unmaps the stack: only then is it
 * certain the thread no longer runs on it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>
#include "libc.h"

#define DEFAULT_STACK   (256 * 1024UL)
#define GUARD           4096UL

struct thread {
	struct thread *next;
	pthread_t tid;
	void *(*start)(void *);
	void *arg;
	char *map;              /* guard page + stack */
	size_t map_len;
};

static struct thread *threads;  /* created and not yet joined */
static __spinlock_t threads_lock;

void __thread_entry(void);      /* thread_entry.S */

/* Called by __thread_entry on the new stack; its result is the exit value. */
long __pthread_run(struct thread *t) __attribute__((used));
long __pthread_run(struct thread *t)
{
	return (long)t->start(t->arg);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg)
{
	size_t stack = attr ? attr->stacksize : DEFAULT_STACK;
	if (stack < PTHREAD_STACK_MIN)
		stack = DEFAULT_STACK;  /* an attr never passed to pthread_attr_init */
	stack = (stack + 4095) & ~4095UL;
	struct thread *t = malloc(sizeof(*t));
	if (!t)
		return EAGAIN;
	t->start = start;
	t->arg = arg;
	t->map_len = stack + GUARD;
	t->map = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->map == MAP_FAILED) {
		free(t);
		return EAGAIN;
	}
	mprotect(t->map, GUARD, PROT_NONE);     /* an overflow faults instead of corrupting */
	char *top = t->map + t->map_len;        /* page-aligned, so 16-byte aligned */

	/* Hold the list lock across creation so a join of this tid (by a
	 * thread that learns it early) finds the record filled in. */
	__spin_lock(&threads_lock);
	long tid = __syscall3(SYS_thread_create, (long)__thread_entry, (long)t, (long)top);
	if (__syscall_failed(tid)) {
		__spin_unlock(&threads_lock);
		munmap(t->map, t->map_len);
		free(t);
		return (int)-tid == ENOMEM ? ENOMEM : EAGAIN;
	}
	t->tid = (pthread_t)tid;
	t->next = threads;
	threads = t;
	__spin_unlock(&threads_lock);
	*thread = (pthread_t)tid;
	return 0;
}

int pthread_join(pthread_t thread, void **retval)
{
	if (thread == pthread_self())
		return EDEADLK;
	struct thread **pp, *t;
	__spin_lock(&threads_lock);
	for (pp = &threads; (t = *pp) && t->tid != thread; pp = &t->next)
		;
	if (t)
		*pp = t->next;          /* a second join of the same thread gets ESRCH */
	__spin_unlock(&threads_lock);
	if (!t)
		return ESRCH;
	long value = 0;
	long r = __syscall2(SYS_thread_join, (long)thread, (long)&value);
	if (__syscall_failed(r)) {
		__spin_lock(&threads_lock);
		t->next = threads;
		threads = t;
		__spin_unlock(&threads_lock);
		return (int)-r;
	}
	if (retval)
		*retval = (void *)value;
	munmap(t->map, t->map_len);
	free(t);
	return 0;
}

void pthread_exit(void *value)
{
	for (;;)
		__syscall1(SYS_thread_exit, (long)value);
}

pthread_t pthread_self(void)
{
	return (pthread_t)gettid();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_attr_init(pthread_attr_t *attr)
{
	attr->stacksize = DEFAULT_STACK;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	attr->stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	*size = attr->stacksize;
	return 0;
}

/* ---------------------------------------------------------------- mutexes */

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	(void)attr;
	m->locked = 0;
	m->owner = 0;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return m->locked ? EBUSY : 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	if (__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE))
		return EBUSY;
	m->owner = gettid();
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	__spin_lock((__spinlock_t *)&m->locked);
	m->owner = gettid();
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	m->owner = 0;
	__spin_unlock((__spinlock_t *)&m->locked);
	return 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->type = 0;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	(void)attr;
	return 0;
}

/* ---------------------------------------------------------------- spin locks */

int pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
	(void)pshared;
	*l = 0;
	return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *l)
{
	(void)l;
	return 0;
}

int pthread_spin_lock(pthread_spinlock_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
	return 0;
}

int pthread_spin_trylock(pthread_spinlock_t *l)
{
	return __atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE) ? EBUSY : 0;
}

int pthread_spin_unlock(pthread_spinlock_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
	return 0;
}

/* ---------------------------------------------------------------- barriers */

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count)
{
	(void)attr;
	if (count == 0)
		return EINVAL;
	pthread_mutex_init(&b->lock, NULL);
	b->count = count;
	b->waiting = 0;
	b->generation = 0;
	return 0;
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
	return b->waiting ? EBUSY : 0;
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
	pthread_mutex_lock(&b->lock);
	unsigned gen = b->generation;
	if (++b->waiting == b->count) {
		b->waiting = 0;
		__atomic_store_n(&b->generation, gen + 1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&b->lock);
		return PTHREAD_BARRIER_SERIAL_THREAD;
	}
	pthread_mutex_unlock(&b->lock);
	while (__atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) == gen)
		sched_yield();
	return 0;
}
