/* errno.c - errno's storage and the syscall result convention. */
#include <errno.h>
#include "libc.h"

/* One for the whole process: there is no thread-local storage yet. */
static int errno_value;

int *__errno_location(void)
{
	return &errno_value;
}

long __syscall_ret(long r)
{
	if (__syscall_failed(r)) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
