/* time.c - clock_gettime, nanosleep, time. */
#include <time.h>
#include <errno.h>
#include "libc.h"

int clock_gettime(clockid_t id, struct timespec *ts)
{
	return (int)__syscall_ret(__syscall2(SYS_clock_gettime, id, (long)ts));
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return (int)__syscall_ret(__syscall2(SYS_nanosleep, (long)req, (long)rem));
}

time_t time(time_t *t)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return (time_t)-1;
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
