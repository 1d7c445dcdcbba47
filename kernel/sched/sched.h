/*
 * sched.h - threads and the scheduler.
 *
 * A thread is a kernel stack plus saved registers; a user thread also
 * belongs to a process (kernel/proc/proc.h) and runs in its address space.
 * One run queue is shared by every CPU, protected by sched_lock (taken
 * with interrupts off). A CPU runs the first queued thread its affinity
 * allows, or its idle thread. The tick asks for a reschedule; it happens
 * when the interrupted code returns to user mode, or when a thread blocks
 * or yields (the kernel itself is not preempted).
 *
 * Thread states: RUNNABLE (queued, or about to run), RUNNING, SLEEPING
 * (on a wait queue, see waitq.h), DEAD (finished; its stack is freed by
 * whoever reaps it). State changes happen under sched_lock.
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H
#include "kernel/types.h"
#include "kernel/lib/list.h"
#include "kernel/arch.h"

enum thread_state { T_RUNNABLE, T_RUNNING, T_SLEEPING, T_DEAD };

#define KSTACK_ORDER 2                  /* 16 KiB kernel stacks */
#define KSTACK_SIZE (PAGE_SIZE << KSTACK_ORDER)
#define CPU_MASK_ALL (~0ull)

struct proc;
struct mm;
struct mmu_notifier;
struct fault_catch;

struct thread {
	int tid;
	char name[24];
	enum thread_state state;
	bool on_cpu;            /* running on some CPU now (or switching away) */
	int cpu;                /* where it runs or last ran */
	u64 affinity;           /* bit n: may run on CPU n */
	u64 saved_rsp;          /* kernel rsp while switched out (swtch) */
	void *kstack;           /* base of the kernel stack (KSTACK_SIZE bytes) */
	struct proc *proc;      /* NULL for kernel threads */
	struct list_head run_link;      /* in the run queue */
	struct list_head proc_link;     /* in proc->threads */
	struct list_head all_link;      /* in the list of all threads */
	struct trapframe *user_tf;      /* user registers, at the top of the kernel stack */
	long exit_value;        /* for thread_join */
	bool reapable;          /* DEAD and off its CPU: its struct may be freed (proc.c) */
	bool joining;           /* a thread_join is waiting for it */
	u64 switches;           /* times it was switched in */
	struct mmu_notifier *in_notifier;       /* running this notifier's callback (mmu_notifier.c) */
	struct fault_catch *fault_catch;        /* its catch_fault() chain while switched out: a user copy
						 * may sleep in a fault and resume on another CPU */
	u8 fpu[512] __attribute__((aligned(16)));      /* fxsave area (user threads) */
};

static inline struct thread *current_thread(void) { return this_cpu()->current; }

/* Set up CPU 0's scheduler state; the caller becomes CPU 0's idle thread. */
void sched_init(void);
/* Set up a secondary CPU's idle thread (SMP). */
void sched_init_cpu(struct cpu *c);
/* The idle loop: run queued threads, halt when there is nothing to do. Never returns. */
__noreturn void sched_idle_loop(void);

/*
 * Allocate a thread whose first run calls fn(arg) on its own kernel stack.
 * Not yet runnable: call thread_start(). NULL when memory is short.
 */
struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg);
/* Make a new thread runnable. */
void thread_start(struct thread *t);
/* Create and start a kernel thread running fn(arg); it ends with kthread_exit(). */
struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg);
/* End the calling thread: it never runs again; the reaper frees its stack. */
__noreturn void thread_exit_current(void);
/* Free a DEAD thread's memory (its stack and struct). */
void thread_free(struct thread *t);

/* Second half of a context switch (sched.c); called by new threads too. */
void sched_finish_switch(void);
/* Give up the CPU; the caller stays runnable. */
void yield(void);
/* Switch to another thread. The caller's state says whether it is requeued. */
void schedule(void);
/* Reschedule if the tick asked for it (called before returning to user mode). */
void sched_maybe_preempt(void);
/* Called from the tick on every CPU. */
void sched_tick(void);
/* Wake a SLEEPING thread (no effect otherwise). Any context, any CPU. */
void thread_wake(struct thread *t);
/* Change the calling thread's state (used by wait queues). */
void sched_set_current_state(enum thread_state s);
/* Restrict where a thread may run; moves the caller if needed. 0 or -EINVAL. */
int sched_set_affinity(struct thread *t, u64 mask);
/* CPUs brought online (bit per CPU). */
extern u64 cpus_online_mask;
/* Hook for SMP: nudge an idle CPU when work is queued (no-op on one CPU). */
void sched_kick_cpus(u64 mask);
/* Stop using the current address space on this CPU (load the kernel's page table). */
void sched_leave_mm(void);
/* Scheduler counters for tests: context switches. */
u64 sched_switch_count(void);
#endif
