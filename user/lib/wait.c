/* wait.c - waitpid and wait. */
#include <sys/wait.h>
#include "libc.h"

pid_t waitpid(pid_t pid, int *status, int options)
{
	return (pid_t)__syscall_ret(__syscall3(SYS_waitpid, pid, (long)status, options));
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}
