/* time.h - clocks and sleeping. */
#ifndef _TIME_H
#define _TIME_H
#include <sys/types.h>
#include <uapi_syscall.h>

#define CLOCK_REALTIME  CLOCK_REALTIME_         /* wall clock (seconds since 1970) */
#define CLOCK_MONOTONIC CLOCK_MONOTONIC_        /* time since boot, never goes back */

struct timespec {
	time_t tv_sec;
	long tv_nsec;           /* 0 .. 999999999 */
};

/* Read clock id into *ts. Returns 0, or -1 with EINVAL (unknown clock) or
 * EFAULT (bad ts). */
int clock_gettime(clockid_t id, struct timespec *ts);
/* Sleep at least *req; if rem is not NULL it receives the time left (always
 * zero: sleeps are not interrupted). Returns 0, or -1 with EINVAL if
 * tv_nsec is out of range. */
int nanosleep(const struct timespec *req, struct timespec *rem);
/* Seconds since 1970 (CLOCK_REALTIME); also stored in *t if not NULL. */
time_t time(time_t *t);
#endif
