/*
 * proc.c - process and user-thread life cycle: spawn, fork, threads,
 * exit, kill, wait, and what happens on a user fault.
 *
 * Exit in three steps:
 *   1. a thread ends (thread_exit, exit(), or it finds its process killed
 *      on its way back to user mode): it leaves the thread count;
 *   2. the last thread tears the address space down (mm_put_user), marks
 *      the process a ZOMBIE and wakes whoever waits for it;
 *   3. once every thread is off its CPU (proc_thread_off_cpu) the parent
 *      (waitpid), the kernel (proc_wait) or, for orphans, the scheduler
 *      frees the threads and the process.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/elf.h"
#include "kernel/proc/initrd.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/vmstat.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/lib/printk.h"
#include "kernel/panic.h"
#include "kernel/shell.h"
#include "kernel/time.h"
#include "kernel/test/ktest.h"
#include "kernel/uapi/uapi_errno.h"
#include "kernel/uapi/uapi_mman.h"

void enter_user(struct trapframe *tf);
const char *exception_name(u64 vector);

static struct spinlock proc_lock = SPINLOCK_INIT("proc");
static LIST_HEAD_DECL(all_procs);
static int next_pid = 1;
static struct waitq kernel_child_wq = WAITQ_INIT(kernel_child_wq);

struct proc *proc_current(void)
{
	struct thread *t = current_thread();
	return t ? t->proc : NULL;
}

int proc_count(void)
{
	int n = 0;
	u64 f = spin_lock_irqsave(&proc_lock);
	struct list_head *pos;
	list_for_each(pos, &all_procs)
		n++;
	spin_unlock_irqrestore(&proc_lock, f);
	return n;
}

static struct proc *proc_alloc(const char *name)
{
	struct proc *p = kzalloc(sizeof *p);
	if (!p)
		return NULL;
	strlcpy(p->name, name, sizeof p->name);
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	list_init(&p->devices);
	waitq_init(&p->child_wq);
	waitq_init(&p->thread_wq);
	u64 f = spin_lock_irqsave(&proc_lock);
	p->pid = next_pid++;
	list_add_tail(&p->all_link, &all_procs);
	spin_unlock_irqrestore(&proc_lock, f);
	return p;
}

/* Free a reaped process: its remaining thread structs, its mm reference, itself. */
static void proc_free(struct proc *p)
{
	struct list_head *pos, *tmp;
	list_for_each_safe(pos, tmp, &p->threads) {
		struct thread *t = list_entry(pos, struct thread, proc_link);
		list_del(&t->proc_link);
		thread_free(t);
	}
	if (p->mm)
		mm_drop(p->mm);
	kfree(p);
}

/* The first run of a user thread: jump to user mode with its trapframe. */
static void user_thread_entry(void *unused)
{
	UNUSED(unused);
	enter_user(current_thread()->user_tf);
}

/* A user thread of p starting with registers *tf. NULL if out of memory. */
static struct thread *proc_add_thread(struct proc *p, const struct trapframe *tf)
{
	struct thread *t = thread_alloc(p->name, user_thread_entry, NULL);
	if (!t)
		return NULL;
	*t->user_tf = *tf;
	t->proc = p;
	u64 f = spin_lock_irqsave(&proc_lock);
	list_add_tail(&t->proc_link, &p->threads);
	p->live_threads++;
	p->unreaped_threads++;
	spin_unlock_irqrestore(&proc_lock, f);
	return t;
}

static void user_trapframe(struct trapframe *tf, vaddr_t rip, vaddr_t rsp)
{
	memset(tf, 0, sizeof *tf);
	tf->rip = rip;
	tf->rsp = rsp;
	tf->cs = SEL_UCODE | 3;
	tf->ss = SEL_UDATA | 3;
	tf->rflags = RFLAGS_IF | 0x2;
}

/* Build argc/argv on the new stack; returns the initial rsp (16-aligned) and argv's address. */
static int setup_stack(struct mm *mm, int argc, const char *const *argv, vaddr_t *rsp, vaddr_t *uargv)
{
	vaddr_t base = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE;
	mutex_lock(&mm->lock);
	int r = vma_add(mm, base, USER_STACK_TOP, PROT_READ | PROT_WRITE, VMA_STACK, NULL, 0);
	mutex_unlock(&mm->lock);
	if (r)
		return r;
	u8 *img = kzalloc(PAGE_SIZE);   /* the top page, built here and copied in */
	u64 *ptrs = kzalloc((u64)(argc + 1) * sizeof(u64));
	if (!img || !ptrs) {
		kfree(img), kfree(ptrs);
		return -ENOMEM;
	}
	u64 off = PAGE_SIZE;
	for (int i = argc - 1; i >= 0; i--) {
		u64 n = strlen(argv[i]) + 1;
		if (n > off / 2)
			break;
		off -= n;
		memcpy(img + off, argv[i], n);
		ptrs[i] = USER_STACK_TOP - PAGE_SIZE + off;
	}
	off = ALIGN_DOWN(off - (u64)(argc + 1) * 8, 16ul);
	memcpy(img + off, ptrs, (u64)(argc + 1) * 8);
	*uargv = USER_STACK_TOP - PAGE_SIZE + off;
	*rsp = *uargv;          /* 16-byte aligned; argv sits just above */
	r = vm_install_data(mm, USER_STACK_TOP - PAGE_SIZE, img, PAGE_SIZE);
	kfree(img);
	kfree(ptrs);
	return r;
}

struct proc *proc_spawn(const char *path, int argc, const char *const *argv, int *err)
{
	const u8 *file;
	u64 size;
	*err = -ENOENT;
	if (!initrd_find(path, &file, &size))
		return NULL;
	const char *base = strchr(path, '/') ? strchr(path, '/') + 1 : path;
	struct proc *p = proc_alloc(base);
	struct mm *mm = p ? mm_create() : NULL;
	vaddr_t entry = 0, rsp = 0, uargv = 0;
	*err = -ENOMEM;
	if (mm) {
		p->mm = mm;
		*err = elf_load(mm, file, size, &entry);
		if (!*err)
			*err = setup_stack(mm, argc, argv, &rsp, &uargv);
	}
	struct trapframe tf;
	user_trapframe(&tf, entry, rsp);
	tf.rdi = (u64)argc;
	tf.rsi = uargv;
	struct thread *t = !*err && p ? proc_add_thread(p, &tf) : NULL;
	if (!t) {
		if (!*err)
			*err = -ENOMEM;
		if (mm) {
			mm_grab(mm);    /* proc_free drops one reference; mm_put_user another */
			mm_put_user(mm);
		}
		if (p) {
			u64 f = spin_lock_irqsave(&proc_lock);
			list_del(&p->all_link);
			spin_unlock_irqrestore(&proc_lock, f);
			proc_free(p);
		}
		return NULL;
	}
	mm_grab(mm);            /* the process's own reference, dropped by proc_free */
	p->kernel_child = true;
	p->console_prefix = ktest_running();
	*err = 0;
	thread_start(t);
	return p;
}

/* ------------------------------------------------------------------ exit */

static bool fully_dead(struct proc *p);

/*
 * The last thread is gone: orphan the children (those already fully dead
 * move to *reap for the caller to free), become a zombie, tell the
 * waiter. proc_lock held.
 */
static void become_zombie(struct proc *p, struct list_head *reap)
{
	struct list_head *pos, *tmp;
	list_for_each_safe(pos, tmp, &p->children) {
		struct proc *c = list_entry(pos, struct proc, sibling);
		list_del(&c->sibling);
		c->parent = NULL;       /* an orphan: reaped as soon as it is fully dead */
		if (fully_dead(c)) {
			list_del(&c->all_link);
			list_add(&c->sibling, reap);
		}
	}
	p->state = P_ZOMBIE;
	if (p->parent)
		wake_up_all(&p->parent->child_wq);
	else
		wake_up_all(&kernel_child_wq);
}

/* All threads off their CPUs: nothing runs on its stacks any more. proc_lock held. */
static bool fully_dead(struct proc *p)
{
	return p->state == P_ZOMBIE && p->unreaped_threads == 0;
}

void proc_thread_off_cpu(struct thread *t)
{
	struct proc *p = t->proc;
	u64 f = spin_lock_irqsave(&proc_lock);
	t->reapable = true;
	p->unreaped_threads--;
	bool orphan = fully_dead(p) && !p->parent && !p->kernel_child;
	if (orphan)
		list_del(&p->all_link);
	wake_up_all(&p->thread_wq);
	if (fully_dead(p))
		wake_up_all(p->parent ? &p->parent->child_wq : &kernel_child_wq);
	spin_unlock_irqrestore(&proc_lock, f);
	if (orphan)
		proc_free(p);
}

void proc_add_device(struct proc *p, struct proc_device *d)
{
	u64 f = spin_lock_irqsave(&proc_lock);
	list_add_tail(&d->link, &p->devices);
	spin_unlock_irqrestore(&proc_lock, f);
}

u64 proc_devices_lock(void)
{
	return spin_lock_irqsave(&proc_lock);
}

void proc_devices_unlock(u64 flags)
{
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* The last thread is ending: close every device context still bound. */
static void close_devices(struct proc *p)
{
	for (;;) {
		u64 f = spin_lock_irqsave(&proc_lock);
		struct proc_device *d = list_empty(&p->devices) ? NULL
					: list_first_entry(&p->devices, struct proc_device, link);
		if (d)
			list_del(&d->link);
		spin_unlock_irqrestore(&proc_lock, f);
		if (!d)
			return;
		d->close(d);
	}
}

void proc_thread_exit(long value, int status)
{
	struct thread *t = current_thread();
	struct proc *p = t->proc;
	u64 f = spin_lock_irqsave(&proc_lock);
	t->exit_value = value;
	bool last = --p->live_threads == 0;
	if (last && !p->killed)
		p->exit_status = status;
	spin_unlock_irqrestore(&proc_lock, f);
	if (last) {
		sched_leave_mm();       /* this CPU stops using the address space... */
		mm_put_user(p->mm);     /* ...so it can be torn down now (devices get release) */
		close_devices(p);
		LIST_HEAD_DECL(reap);
		f = spin_lock_irqsave(&proc_lock);
		become_zombie(p, &reap);
		spin_unlock_irqrestore(&proc_lock, f);
		struct list_head *pos, *tmp;
		list_for_each_safe(pos, tmp, &reap)
			proc_free(list_entry(pos, struct proc, sibling));
	}
	thread_exit_current();
}

void proc_kill(struct proc *p, int sig)
{
	u64 f = spin_lock_irqsave(&proc_lock);
	if (!p->killed) {
		p->killed = true;
		p->kill_signal = sig;
		p->exit_status = sig ? W_SIGNALED(sig) : p->exit_status;
	}
	struct list_head *pos;
	list_for_each(pos, &p->threads)
		thread_wake(list_entry(pos, struct thread, proc_link));
	wake_up_all(&p->thread_wq);
	wake_up_all(&p->child_wq);
	spin_unlock_irqrestore(&proc_lock, f);
}

/* exit(status): the whole process ends with this status. */
__noreturn void proc_exit(int code)
{
	struct proc *p = proc_current();
	u64 f = spin_lock_irqsave(&proc_lock);
	if (!p->killed)
		p->exit_status = W_EXITED(code);
	spin_unlock_irqrestore(&proc_lock, f);
	proc_kill(p, 0);
	proc_thread_exit(0, W_EXITED(code));
}

/* The memory p's address space holds: resident pages and pages on swap (proc_lock held). */
static u64 proc_rss(const struct proc *p)
{
	return p->mm ? READ_ONCE(p->mm->rss) + READ_ONCE(p->mm->swap_ents) : 0;
}

int proc_oom_kill(struct proc *self)
{
	u64 f = spin_lock_irqsave(&proc_lock);
	struct proc *victim = NULL;
	struct list_head *pos;
	list_for_each(pos, &all_procs) {
		struct proc *p = list_entry(pos, struct proc, all_link);
		if (p->state != P_ALIVE)
			continue;
		if (p->killed && p->oom_victim) {       /* the last victim is still dying: wait for it */
			spin_unlock_irqrestore(&proc_lock, f);
			return p->pid;
		}
		if (!p->killed && (!victim || proc_rss(p) > proc_rss(victim)))
			victim = p;
	}
	if (!victim || victim == self || proc_rss(victim) == 0) {
		spin_unlock_irqrestore(&proc_lock, f);
		return -1;
	}
	victim->oom_victim = true;
	int pid = victim->pid;
	pr_err("Out of memory: killed pid %d (%s), %lu pages resident, %lu on swap: nothing left to reclaim\n",
	       pid, victim->name, READ_ONCE(victim->mm->rss), READ_ONCE(victim->mm->swap_ents));
	spin_unlock_irqrestore(&proc_lock, f);
	VMSTAT_INC(oom_kills);
	VMSTAT_INC(processes_killed);
	proc_kill(victim, SIGKILL);
	return pid;
}

void user_return_work(struct trapframe *tf)
{
	UNUSED(tf);
	for (;;) {
		struct proc *p = proc_current();
		if (p && READ_ONCE(p->killed)) {
			sti();  /* from an interrupt, IF is off: exiting needs cross-calls */
			proc_thread_exit(0, p->exit_status);
		}
		if (!this_cpu()->need_resched)
			return;
		schedule();
	}
}

/* ------------------------------------------------------------------ faults */

static int signal_for(u64 vector)
{
	switch (vector) {
	case 0: return 8;       /* SIGFPE */
	case 3: return 5;       /* SIGTRAP */
	case 6: return 4;       /* SIGILL */
	default: return SIGSEGV;
	}
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case 4: return "SIGILL";
	case 5: return "SIGTRAP";
	case 8: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGBUS: return "SIGBUS";
	default: return "SIGSEGV";
	}
}

static int fault_flags_of(u64 error)
{
	return (error & 2 ? FAULT_WRITE : 0) | (error & 16 ? FAULT_EXEC : 0) | FAULT_USER;
}

static void kill_for_fault(struct proc *p, struct trapframe *tf, u64 addr, int sig, const char *reason)
{
	pr_err("pid %d (%s) tid %d: killed by %s: %s at %#lx, rip %#lx\n", p->pid, p->name,
	       current_thread()->tid, signal_name(sig), reason, addr, tf->rip);
	VMSTAT_INC(processes_killed);
	proc_kill(p, sig);
}

void user_exception(struct trapframe *tf)
{
	u64 addr = tf->vector == 14 ? read_cr2() : tf->rip;     /* before anything can fault again */
	sti();
	struct proc *p = proc_current();
	if (tf->vector == 14) {
		int flags = fault_flags_of(tf->error);
		int r = handle_mm_fault(p->mm, addr, flags);
		if (r == 0) {
			user_return_work(tf);
			return;
		}
		if (READ_ONCE(p->killed)) {
			/* killed meanwhile (by the OOM killer, say): just go */
		} else if (r == -ENOMEM) {
			VMSTAT_INC(oom_kills);
			kill_for_fault(p, tf, addr, SIGKILL, "out of memory (nothing left to reclaim)");
		} else if (r == -EIO) {
			VMSTAT_INC(sigbus_kills);
			kill_for_fault(p, tf, addr, SIGBUS, "page could not be read back from swap (I/O error)");
		} else {
			mutex_lock(&p->mm->lock);
			const char *why = fault_reason(flags, vma_find(p->mm, addr));
			mutex_unlock(&p->mm->lock);
			kill_for_fault(p, tf, addr, SIGSEGV, why);
		}
	} else {
		kill_for_fault(p, tf, addr, signal_for(tf->vector), exception_name(tf->vector));
	}
	user_return_work(tf);
}

bool uaccess_fault(struct trapframe *tf, u64 addr)
{
	struct mm *mm = current_mm();
	if (!mm || addr >= USER_TOP)
		return false;
	if (tf->rflags & RFLAGS_IF)
		sti();
	bool ok = handle_mm_fault(mm, addr, tf->error & 2 ? FAULT_WRITE : 0) == 0;
	cli();
	return ok;
}

/* ------------------------------------------------------------------ fork and threads */

long proc_fork(struct trapframe *tf)
{
	struct proc *parent = proc_current();
	struct proc *child = proc_alloc(parent->name);
	if (!child)
		return -ENOMEM;
	child->mm = mm_fork(parent->mm);
	struct trapframe ctf = *tf;
	ctf.rax = 0;            /* fork() returns 0 in the child */
	struct thread *t = child->mm ? proc_add_thread(child, &ctf) : NULL;
	if (!t) {
		u64 f = spin_lock_irqsave(&proc_lock);
		list_del(&child->all_link);
		spin_unlock_irqrestore(&proc_lock, f);
		if (child->mm) {
			struct mm *mm = child->mm;
			child->mm = NULL;
			mm_put_user(mm);
		}
		proc_free(child);
		return -ENOMEM;
	}
	mm_grab(child->mm);
	t->affinity = current_thread()->affinity;
	child->console_prefix = parent->console_prefix;
	u64 f = spin_lock_irqsave(&proc_lock);
	child->parent = parent;
	list_add_tail(&child->sibling, &parent->children);
	spin_unlock_irqrestore(&proc_lock, f);
	thread_start(t);
	return child->pid;
}

long proc_thread_create(u64 entry, u64 arg, u64 stack_top)
{
	if (entry >= USER_TOP || stack_top >= USER_TOP || stack_top < PAGE_SIZE)
		return -EINVAL;
	struct proc *p = proc_current();
	struct trapframe tf;
	user_trapframe(&tf, entry, stack_top);
	tf.rdi = arg;
	struct thread *t = proc_add_thread(p, &tf);
	if (!t)
		return -ENOMEM;
	t->affinity = current_thread()->affinity;
	thread_start(t);
	return t->tid;
}

/* Thread tid of p, or NULL. proc_lock held. */
static struct thread *find_thread(struct proc *p, int tid)
{
	struct list_head *pos;
	list_for_each(pos, &p->threads) {
		struct thread *t = list_entry(pos, struct thread, proc_link);
		if (t->tid == tid)
			return t;
	}
	return NULL;
}

static bool thread_done(struct proc *p, struct thread *t)
{
	return READ_ONCE(t->reapable) || READ_ONCE(p->killed);
}

long proc_thread_join(int tid, long *value)
{
	struct proc *p = proc_current();
	u64 f = spin_lock_irqsave(&proc_lock);
	struct thread *t = find_thread(p, tid);
	long r = !t ? -ESRCH : t == current_thread() ? -EDEADLK : t->joining ? -EINVAL : 0;
	if (!r)
		t->joining = true;
	spin_unlock_irqrestore(&proc_lock, f);
	if (r)
		return r;
	wait_event(&p->thread_wq, thread_done(p, t));
	if (!t->reapable) {
		t->joining = false;
		return -EINTR;  /* we are being killed: the thread is left to the reaper */
	}
	*value = t->exit_value;
	f = spin_lock_irqsave(&proc_lock);
	list_del(&t->proc_link);
	spin_unlock_irqrestore(&proc_lock, f);
	thread_free(t);
	return 0;
}

/* ------------------------------------------------------------------ waiting */

static bool child_matches(const struct proc *c, int pid)
{
	return pid == -1 || c->pid == pid;
}

/* A fully dead child matching pid, unlinked from p; or NULL. *any: some child matches. proc_lock held. */
static struct proc *take_dead_child(struct proc *p, int pid, bool *any)
{
	struct list_head *pos;
	*any = false;
	list_for_each(pos, &p->children) {
		struct proc *c = list_entry(pos, struct proc, sibling);
		if (!child_matches(c, pid))
			continue;
		*any = true;
		if (fully_dead(c)) {
			list_del(&c->sibling);
			list_del(&c->all_link);
			return c;
		}
	}
	return NULL;
}

static bool waitpid_ready(struct proc *p, int pid)
{
	bool any;
	u64 f = spin_lock_irqsave(&proc_lock);
	struct list_head *pos;
	bool ready = false;
	any = false;
	list_for_each(pos, &p->children) {
		struct proc *c = list_entry(pos, struct proc, sibling);
		if (child_matches(c, pid)) {
			any = true;
			ready |= fully_dead(c);
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return ready || !any || READ_ONCE(p->killed);
}

long proc_waitpid(int pid, int *status, int options)
{
	struct proc *p = proc_current();
	if (pid == 0 || pid < -1)
		return -EINVAL;         /* process groups are not supported */
	for (;;) {
		bool any;
		u64 f = spin_lock_irqsave(&proc_lock);
		struct proc *c = take_dead_child(p, pid, &any);
		spin_unlock_irqrestore(&proc_lock, f);
		if (c) {
			int cpid = c->pid;
			*status = c->exit_status;
			proc_free(c);
			return cpid;
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		if (READ_ONCE(p->killed))
			return -EINTR;
		wait_event(&p->child_wq, waitpid_ready(p, pid));
	}
}

static bool kernel_child_dead(struct proc *p)
{
	u64 f = spin_lock_irqsave(&proc_lock);
	bool d = fully_dead(p);
	spin_unlock_irqrestore(&proc_lock, f);
	return d;
}

static int reap_kernel_child(struct proc *p)
{
	u64 f = spin_lock_irqsave(&proc_lock);
	list_del(&p->all_link);
	spin_unlock_irqrestore(&proc_lock, f);
	int status = p->exit_status;
	proc_free(p);
	return status;
}

int proc_wait(struct proc *p)
{
	wait_event(&kernel_child_wq, kernel_child_dead(p));
	return reap_kernel_child(p);
}

int proc_wait_timeout(struct proc *p, u64 timeout_ms, bool *timed_out)
{
	u64 deadline = time_since_boot_us() + timeout_ms * 1000;
	*timed_out = false;
	while (!kernel_child_dead(p)) {
		if (!*timed_out && time_since_boot_us() > deadline) {
			*timed_out = true;
			proc_kill(p, SIGKILL);
		}
		msleep(10);
	}
	return reap_kernel_child(p);
}

static const char *state_name(const struct proc *p)
{
	return p->state == P_ZOMBIE ? "zombie" : p->killed ? "dying" : "alive";
}

SHELL_COMMAND(ps, "list the processes: pid, parent, state, threads, resident pages, pages on swap, name")
{
	UNUSED(argc), UNUSED(argv);
	console_printf("  PID  PPID STATE   THREADS    RSS   SWAP NAME\n");
	u64 f = spin_lock_irqsave(&proc_lock);
	struct list_head *pos;
	list_for_each(pos, &all_procs) {
		struct proc *p = list_entry(pos, struct proc, all_link);
		bool mem = p->mm && p->state == P_ALIVE;
		console_printf("%5d %5d %-7s %7d %6lu %6lu %s\n", p->pid, p->parent ? p->parent->pid : 0,
			       state_name(p), p->live_threads, mem ? p->mm->rss : 0, mem ? p->mm->swap_ents : 0, p->name);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return 0;
}
