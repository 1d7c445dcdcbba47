/* unistd.c - write, read, getpid, gettid, fork, sysconf, sleep, usleep. */
#include <unistd.h>
#include <time.h>
#include <errno.h>
#include "libc.h"

ssize_t write(int fd, const void *buf, size_t len)
{
	return __syscall_ret(__syscall3(SYS_write, fd, (long)buf, (long)len));
}

ssize_t read(int fd, void *buf, size_t len)
{
	return __syscall_ret(__syscall3(SYS_read, fd, (long)buf, (long)len));
}

pid_t getpid(void)
{
	return (pid_t)__syscall0(SYS_getpid);
}

pid_t gettid(void)
{
	return (pid_t)__syscall0(SYS_gettid);
}

pid_t fork(void)
{
	return (pid_t)__syscall_ret(__syscall0(SYS_fork));
}

long sysconf(int name)
{
	if (name == _SC_NPROCESSORS_CONF)       /* no CPU hotplug: configured = online */
		name = _SC_NPROCESSORS_ONLN;
	return __syscall_ret(__syscall1(SYS_sysconf, name));
}

int usleep(useconds_t us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
	return nanosleep(&ts, NULL);
}

unsigned int sleep(unsigned int s)
{
	struct timespec ts = { (time_t)s, 0 };
	nanosleep(&ts, NULL);
	return 0;
}
