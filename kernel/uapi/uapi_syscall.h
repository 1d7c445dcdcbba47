/*
 * uapi_syscall.h - the system call ABI shared by the kernel and user/lib.
 *
 * A user program enters the kernel with the `syscall` instruction:
 *   rax = number (below), arguments in rdi, rsi, rdx, r10, r8, r9
 *   (r10 instead of rcx, which `syscall` overwrites with the return rip).
 * The result comes back in rax: >= 0 on success, -errno on failure
 * (errno values as Linux's, see uapi_errno.h). rcx and r11 are clobbered.
 */
#ifndef UAPI_SYSCALL_H
#define UAPI_SYSCALL_H

#define SYS_exit                0   /* (int status): ends the whole process, all threads */
#define SYS_write               1   /* (int fd, const void *buf, size_t len) -> bytes */
#define SYS_read                2   /* (int fd, void *buf, size_t len) -> bytes */
#define SYS_getpid              3   /* () -> pid */
#define SYS_fork                4   /* () -> child pid in the parent, 0 in the child */
#define SYS_waitpid             5   /* (int pid, int *status, int options) -> pid */
#define SYS_mmap                6   /* (void *addr, size_t len, int prot, int flags, int fd, long off) -> addr */
#define SYS_munmap              7   /* (void *addr, size_t len) */
#define SYS_mprotect            8   /* (void *addr, size_t len, int prot) */
#define SYS_madvise             9   /* (void *addr, size_t len, int advice) */
#define SYS_sched_yield         10  /* () */
#define SYS_sched_getcpu        11  /* () -> cpu */
#define SYS_sched_setaffinity   12  /* (int pid (0 = calling thread), size_t size, const unsigned long *mask) */
#define SYS_sysconf             13  /* (int name) -> value */
#define SYS_clock_gettime       14  /* (int clock, struct timespec *ts) */
#define SYS_thread_create       15  /* (void (*entry)(void *), void *arg, void *stack_top) -> tid */
#define SYS_thread_exit         16  /* (long value): ends the calling thread only */
#define SYS_thread_join         17  /* (int tid, long *value) */
#define SYS_gettid              18  /* () -> tid */
#define SYS_vmstat              19  /* (struct secundus_vmstat *buf, size_t size) -> bytes copied */
#define SYS_sched_getaffinity   20  /* (int pid, size_t size, unsigned long *mask) */
#define SYS_kill                21  /* (int pid, int sig) */
#define SYS_nanosleep           22  /* (const struct timespec *req, struct timespec *rem) */
#define SYS_move_page           23  /* (void *addr): migrate the page to a new frame (MIGRATE event) */
#define SYS_mirror_open         24  /* () -> handle: bind a mirror device context to the caller */
#define SYS_mirror_read         25  /* (int h, const void *va, void *buf, size_t len) */
#define SYS_mirror_write        26  /* (int h, void *va, const void *buf, size_t len) */
#define SYS_mirror_close        27  /* (int h) */
#define SYS_mirror_stat         28  /* (int h, struct mirror_stat *st) */
#define SYS_mirror_ctl          29  /* (int h, int op, long arg): test controls, see mirror.h */
#define SYS_swapctl             30  /* (int op, long a, long b): swap info and fault injection, uapi_swap.h */
#define NR_SYSCALLS             32

/* sysconf names (values as glibc's) */
#define SC_PAGESIZE_            30
#define SC_NPROCESSORS_ONLN_    84
#define SC_PHYS_PAGES_          85

/* clocks */
#define CLOCK_REALTIME_         0
#define CLOCK_MONOTONIC_        1
#endif
