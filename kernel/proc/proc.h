/*
 * proc.h - processes: an address space, threads, a parent and children.
 *
 * Life of a process: proc_spawn() (from the initrd, by the kernel) or
 * fork(); its threads run; when the last thread ends (exit(), a fatal
 * fault or a kill) the address space is torn down and the process becomes
 * a ZOMBIE holding its wait status, until its parent's waitpid() (or the
 * kernel's proc_wait(), for processes it spawned) reaps it. Orphans are
 * reaped as soon as they die.
 *
 * proc_lock (a spinlock, always taken with interrupts off) protects the
 * process tree, every process's state, thread list, counts and device
 * list. Lock order: proc_lock -> waitq lock -> sched_lock: proc.c wakes
 * waiters (wake_up_all) and threads (thread_wake) with proc_lock held, and
 * takes nothing else under it. mm->lock -> proc_lock is never needed.
 */
#ifndef PROC_PROC_H
#define PROC_PROC_H
#include "kernel/types.h"
#include "kernel/lib/list.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/waitq.h"

enum proc_state { P_ALIVE, P_ZOMBIE };

/*
 * A device context bound to a process (e.g. a mirror device handle).
 * When the process ends, after its address space is torn down (so the
 * device has seen the notifier release), close() is called for each.
 */
struct proc_device {
	struct list_head link;          /* proc->devices */
	void (*close)(struct proc_device *d);
};

struct proc {
	int pid;
	char name[32];
	struct mm *mm;
	enum proc_state state;
	struct proc *parent;            /* NULL: spawned by the kernel, or orphaned */
	bool kernel_child;              /* spawned by the kernel: proc_wait() reaps it */
	struct list_head children;
	struct list_head sibling;       /* in parent->children */
	struct list_head all_link;
	struct list_head threads;       /* struct thread.proc_link */
	int live_threads;               /* threads not yet exited */
	int unreaped_threads;           /* exited threads whose struct is not yet freed */
	int exit_status;                /* wait status (Linux encoding) once a zombie */
	bool killed;                    /* every thread must exit at its next chance */
	int kill_signal;
	bool oom_victim;                /* killed by the OOM killer (proc_oom_kill) */
	struct waitq child_wq;          /* woken when a child changes state (waitpid) */
	struct waitq thread_wq;         /* woken when a thread of ours ends (join, reap) */
	bool console_prefix;            /* test mode: our output lines are prefixed "# " */
	struct list_head devices;       /* struct proc_device.link; only the process's threads touch it */
};

/* Start a program from the initrd (path like "test/zero_fill"); NULL and *err on failure. */
struct proc *proc_spawn(const char *path, int argc, const char *const *argv, int *err);
/* Wait (sleeping) for a process spawned by the kernel to end; returns its wait status, frees it. */
int proc_wait(struct proc *p);
/* Like proc_wait but gives up after timeout_ms, killing it first (status as for SIGKILL). */
int proc_wait_timeout(struct proc *p, u64 timeout_ms, bool *timed_out);
/* Mark a process killed by `sig`; its threads exit at their next return to user mode. */
void proc_kill(struct proc *p, int sig);
/*
 * Out of memory and nothing to reclaim: kill the live process holding the
 * most memory (resident pages plus pages on swap). Returns its pid (or the pid of an earlier victim still
 * dying: the caller waits and retries), or -1 when the largest is `self`
 * (the caller gives up and its own process dies) or there is none.
 */
int proc_oom_kill(struct proc *self);
struct proc *proc_current(void);
/* Called by the scheduler when a DEAD user thread has left its CPU. */
void proc_thread_off_cpu(struct thread *t);
/* End the calling user thread; the last one ends the process with `status`. */
__noreturn void proc_thread_exit(long value, int status);
/* exit(): end every thread of the calling process with W_EXITED(code). */
__noreturn void proc_exit(int code);
/* Guard p->devices while looking up or removing a device (a leaf spinlock; no sleeping inside). */
u64 proc_devices_lock(void);
void proc_devices_unlock(u64 flags);
/* Bind a device context to the calling process (closed at exit). */
void proc_add_device(struct proc *p, struct proc_device *d);
/* Before returning to user mode: exit if killed, reschedule if asked. */
void user_return_work(struct trapframe *tf);
/* Number of live processes (leak checks). */
int proc_count(void);

/* fork(): a child process running a copy of the caller; child pid or -errno. */
long proc_fork(struct trapframe *tf);
/* A new thread of the calling process starting at entry(arg) on stack_top; tid or -errno. */
long proc_thread_create(u64 entry, u64 arg, u64 stack_top);
/* Wait for thread tid of the calling process; its value to *value. 0 or -errno. */
long proc_thread_join(int tid, long *value);
/* waitpid(): 0 (WNOHANG, nothing yet), a pid, or -errno. */
long proc_waitpid(int pid, int *status, int options);
#define WNOHANG 1

/* Wait status helpers (the Linux encoding). */
#define W_EXITED(code) (((code) & 0xff) << 8)
#define W_SIGNALED(sig) ((sig) & 0x7f)
#endif
