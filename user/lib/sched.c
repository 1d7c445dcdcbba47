/* sched.c - sched_yield, sched_getcpu and CPU affinity. */
#include <sched.h>
#include <string.h>
#include "libc.h"

int sched_yield(void)
{
	return (int)__syscall_ret(__syscall0(SYS_sched_yield));
}

int sched_getcpu(void)
{
	return (int)__syscall_ret(__syscall0(SYS_sched_getcpu));
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)
{
	long r = __syscall3(SYS_sched_setaffinity, pid, (long)size, (long)mask);
	return __syscall_ret(r) < 0 ? -1 : 0;
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask)
{
	/* The kernel may copy fewer bytes than size (as Linux does): the rest
	 * of the set must read as "not in the set". */
	memset(mask, 0, size);
	long r = __syscall3(SYS_sched_getaffinity, pid, (long)size, (long)mask);
	return __syscall_ret(r) < 0 ? -1 : 0;
}
