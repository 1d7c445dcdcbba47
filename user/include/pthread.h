/*
 * pthread.h - threads sharing one address space.
 *
 * A thread is a kernel thread of the calling process (SYS_thread_create)
 * running on a stack the library maps (256 KiB by default, with a
 * PROT_NONE guard page below it). pthread functions return 0 or an errno
 * value; they do not set errno. Locks spin (with the `pause` hint) and then
 * sched_yield(); there is no futex. Not provided: detached threads,
 * condition variables, cancellation, thread-local storage.
 */
#ifndef _PTHREAD_H
#define _PTHREAD_H
#include <sys/types.h>

typedef unsigned long pthread_t;        /* the thread's id (gettid()) */

typedef struct {
	size_t stacksize;
} pthread_attr_t;

typedef struct {
	volatile int locked;
	int owner;                      /* tid holding it, for debugging */
} pthread_mutex_t;
#define PTHREAD_MUTEX_INITIALIZER { 0, 0 }

typedef struct {
	int type;                       /* ignored: all mutexes are "normal" */
} pthread_mutexattr_t;

typedef volatile int pthread_spinlock_t;
#define PTHREAD_PROCESS_PRIVATE 0
#define PTHREAD_PROCESS_SHARED 1

typedef struct {
	pthread_mutex_t lock;
	unsigned count;                 /* threads to wait for */
	unsigned waiting;               /* arrived in this round */
	volatile unsigned generation;   /* bumped when a round completes */
} pthread_barrier_t;
typedef struct {
	int pshared;
} pthread_barrierattr_t;
#define PTHREAD_BARRIER_SERIAL_THREAD (-1)

#define PTHREAD_STACK_MIN 16384

/* Start a thread running start(arg). attr may be NULL (default stack) or set
 * a stack size. Stores the new thread's id in *thread. Returns 0, EAGAIN or
 * ENOMEM. */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*start)(void *), void *arg);
/* Wait for thread to end, store the value it returned (or passed to
 * pthread_exit) in *retval if not NULL, and free its stack. Each thread must
 * be joined exactly once. Returns 0, ESRCH (unknown thread) or EDEADLK
 * (joining oneself). */
int pthread_join(pthread_t thread, void **retval);
/* End the calling thread only, with value for pthread_join(). The process
 * ends when its last thread does. */
void pthread_exit(void *value) __attribute__((noreturn));
/* The calling thread's id. */
pthread_t pthread_self(void);
/* Nonzero if a and b are the same thread. */
int pthread_equal(pthread_t a, pthread_t b);

/* Attributes: only the stack size (at least PTHREAD_STACK_MIN). */
int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);      /* EINVAL if too small */
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);

/* Mutexes: init (attr may be NULL) and destroy return 0; lock waits, trylock
 * returns EBUSY if held; unlock must be called by the holder. Not recursive. */
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);

/* Spin locks: like mutexes but never yield the CPU while waiting. */
int pthread_spin_init(pthread_spinlock_t *l, int pshared);
int pthread_spin_destroy(pthread_spinlock_t *l);
int pthread_spin_lock(pthread_spinlock_t *l);
int pthread_spin_trylock(pthread_spinlock_t *l);      /* EBUSY if held */
int pthread_spin_unlock(pthread_spinlock_t *l);

/* Barriers: wait blocks until count threads have called it, then releases
 * them all; one of them gets PTHREAD_BARRIER_SERIAL_THREAD, the others 0.
 * init returns EINVAL for count 0. */
int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count);
int pthread_barrier_destroy(pthread_barrier_t *b);
int pthread_barrier_wait(pthread_barrier_t *b);
#endif
