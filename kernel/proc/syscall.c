/*
 * syscall.c - the system-call table (numbers in kernel/uapi/uapi_syscall.h).
 *
 * syscall_entry (arch/x86_64/syscall.S) saves the user registers as a
 * struct trapframe and calls syscall_dispatch(). Arguments are rdi, rsi,
 * rdx, r10, r8, r9; the result goes back in rax (-errno on failure).
 * Every user pointer goes through copy_from_user/copy_to_user.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vmstat.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "kernel/uapi/uapi_syscall.h"
#include "kernel/uapi/uapi_errno.h"
#include "drivers/serial/uart.h"

#define A0 (tf->rdi)
#define A1 (tf->rsi)
#define A2 (tf->rdx)
#define A3 (tf->r10)
#define A4 (tf->r8)

static long sys_exit(struct trapframe *tf)
{
	proc_exit((int)A0);
}

/* Console output; in test mode each line of a process is prefixed "# " to keep KTAP intact. */
static void console_user_write(struct proc *p, const char *buf, size_t n)
{
	if (!p->console_prefix) {
		console_write(buf, n);
		return;
	}
	static bool at_line_start = true;
	for (size_t i = 0; i < n; i++) {
		if (at_line_start)
			console_write("    # ", 6);
		console_write(&buf[i], 1);
		at_line_start = buf[i] == '\n';
	}
}

static long sys_write(struct trapframe *tf)
{
	if (A0 != 1 && A0 != 2)
		return -EBADF;
	u64 len = A2, done = 0;
	if (!user_range_ok(A1, len))
		return -EFAULT;
	char buf[256];
	while (done < len) {
		u64 n = MIN(len - done, sizeof buf);
		if (copy_from_user(buf, A1 + done, n))
			return done ? (long)done : -EFAULT;
		console_user_write(proc_current(), buf, n);
		done += n;
	}
	return (long)done;
}

static long sys_read(struct trapframe *tf)
{
	if (A0 != 0)
		return -EBADF;
	if (A2 == 0)
		return 0;
	if (!user_range_ok(A1, A2))
		return -EFAULT;
	int c;
	while ((c = uart_try_getc()) < 0) {
		if (READ_ONCE(proc_current()->killed))
			return -EINTR;
		msleep(10);
	}
	char ch = (char)(c == '\r' ? '\n' : c);
	return copy_to_user(A1, &ch, 1) ? -EFAULT : 1;
}

static long sys_getpid(struct trapframe *tf) { UNUSED(tf); return proc_current()->pid; }
static long sys_gettid(struct trapframe *tf) { UNUSED(tf); return current_thread()->tid; }
static long sys_fork(struct trapframe *tf) { return proc_fork(tf); }

static long sys_waitpid(struct trapframe *tf)
{
	int status = 0;
	long r = proc_waitpid((int)A0, &status, (int)A2);
	if (r > 0 && A1 && copy_to_user(A1, &status, sizeof status))
		return -EFAULT;
	return r;
}

static long sys_mmap(struct trapframe *tf)
{
	if (tf->r9 & (PAGE_SIZE - 1))
		return -EINVAL;         /* the file offset must be page-aligned (ignored: no files) */
	return do_mmap(proc_current()->mm, A0, A1, (int)A2, (int)A3);
}
static long sys_munmap(struct trapframe *tf) { return do_munmap(proc_current()->mm, A0, A1); }
static long sys_mprotect(struct trapframe *tf) { return do_mprotect(proc_current()->mm, A0, A1, (int)A2); }
static long sys_madvise(struct trapframe *tf) { return do_madvise(proc_current()->mm, A0, A1, (int)A2); }
static long sys_move_page(struct trapframe *tf) { return do_move_page(proc_current()->mm, A0); }
static long sys_sched_yield(struct trapframe *tf) { UNUSED(tf); yield(); return 0; }
static long sys_sched_getcpu(struct trapframe *tf) { UNUSED(tf); return this_cpu()->id; }

/* pid 0, our tid or (for the main thread's sake) our pid: the calling thread. */
static struct thread *affinity_target(u64 pid)
{
	struct thread *t = current_thread();
	return pid == 0 || (long)pid == t->tid || (long)pid == proc_current()->pid ? t : NULL;
}

static long sys_sched_setaffinity(struct trapframe *tf)
{
	struct thread *t = affinity_target(A0);
	if (!t)
		return -ESRCH;
	u64 mask = 0;
	if (A1 < sizeof mask)
		return -EINVAL;
	if (copy_from_user(&mask, A2, sizeof mask))
		return -EFAULT;
	return sched_set_affinity(t, mask);
}

static long sys_sched_getaffinity(struct trapframe *tf)
{
	struct thread *t = affinity_target(A0);
	if (!t)
		return -ESRCH;
	if (A1 < sizeof(u64))
		return -EINVAL;
	u64 mask = t->affinity & cpus_online_mask;
	return copy_to_user(A2, &mask, sizeof mask) ? -EFAULT : (long)sizeof mask;
}

static long sys_sysconf(struct trapframe *tf)
{
	switch (A0) {
	case SC_PAGESIZE_: return PAGE_SIZE;
	case SC_NPROCESSORS_ONLN_: return popcount64(cpus_online_mask);
	case SC_PHYS_PAGES_: return (long)pmm_total_pages();
	default: return -EINVAL;
	}
}

struct k_timespec {
	long tv_sec, tv_nsec;
};

static long sys_clock_gettime(struct trapframe *tf)
{
	if (A0 != CLOCK_MONOTONIC_ && A0 != CLOCK_REALTIME_)
		return -EINVAL;
	u64 ns = time_since_boot_ns();
	struct k_timespec ts = { (long)(ns / 1000000000), (long)(ns % 1000000000) };
	return copy_to_user(A1, &ts, sizeof ts) ? -EFAULT : 0;
}

static long sys_nanosleep(struct trapframe *tf)
{
	struct k_timespec ts;
	if (copy_from_user(&ts, A0, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	msleep((u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000);
	return 0;
}

static long sys_thread_create(struct trapframe *tf) { return proc_thread_create(A0, A1, A2); }
static long sys_thread_exit(struct trapframe *tf) { proc_thread_exit((long)A0, W_EXITED(0)); }

static long sys_thread_join(struct trapframe *tf)
{
	long value = 0;
	long r = proc_thread_join((int)A0, &value);
	if (!r && A1 && copy_to_user(A1, &value, sizeof value))
		return -EFAULT;
	return r;
}

static long sys_vmstat(struct trapframe *tf)
{
	struct secundus_vmstat s;
	vmstat_snapshot(&s);
	u64 n = MIN(A1, sizeof s);
	return copy_to_user(A0, &s, n) ? -EFAULT : (long)n;
}

static long sys_kill(struct trapframe *tf)
{
	struct proc *p = proc_current();
	if ((int)A0 != p->pid)
		return -EPERM;  /* only self-signalling is supported (abort) */
	if (A1 == 0)
		return 0;
	proc_kill(p, (int)A1);
	return 0;
}

static syscall_fn syscalls[NR_SYSCALLS] = {
	[SYS_exit] = sys_exit,
	[SYS_write] = sys_write,
	[SYS_read] = sys_read,
	[SYS_getpid] = sys_getpid,
	[SYS_fork] = sys_fork,
	[SYS_waitpid] = sys_waitpid,
	[SYS_mmap] = sys_mmap,
	[SYS_munmap] = sys_munmap,
	[SYS_mprotect] = sys_mprotect,
	[SYS_madvise] = sys_madvise,
	[SYS_sched_yield] = sys_sched_yield,
	[SYS_sched_getcpu] = sys_sched_getcpu,
	[SYS_sched_setaffinity] = sys_sched_setaffinity,
	[SYS_sysconf] = sys_sysconf,
	[SYS_clock_gettime] = sys_clock_gettime,
	[SYS_thread_create] = sys_thread_create,
	[SYS_thread_exit] = sys_thread_exit,
	[SYS_thread_join] = sys_thread_join,
	[SYS_gettid] = sys_gettid,
	[SYS_vmstat] = sys_vmstat,
	[SYS_sched_getaffinity] = sys_sched_getaffinity,
	[SYS_kill] = sys_kill,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_move_page] = sys_move_page,
};

void syscall_register(int nr, syscall_fn fn)
{
	if (nr >= 0 && nr < NR_SYSCALLS && !syscalls[nr])
		syscalls[nr] = fn;
}

void syscall_dispatch(struct trapframe *tf)
{
	sti();
	u64 nr = tf->rax;
	syscall_fn fn = nr < NR_SYSCALLS ? syscalls[nr] : NULL;
	tf->rax = fn ? (u64)fn(tf) : (u64)-ENOSYS;
	user_return_work(tf);
	cli();
}
