/* signal.c - kill and raise. */
#include <signal.h>
#include <unistd.h>
#include "libc.h"

int kill(pid_t pid, int sig)
{
	return (int)__syscall_ret(__syscall2(SYS_kill, pid, sig));
}

int raise(int sig)
{
	return kill(getpid(), sig);
}
