/*
 * errno.h - the error number of the last failed call.
 *
 * Library functions that fail return -1 (or NULL / MAP_FAILED) and set
 * errno to one of the Linux values in uapi_errno.h; successful calls leave
 * it alone. errno is one variable shared by all threads of a process (there
 * is no thread-local storage yet): read it right after the failing call.
 */
#ifndef _ERRNO_H
#define _ERRNO_H
#include <uapi_errno.h>

/* The address of errno (glibc's name, so `errno` works the same way). */
int *__errno_location(void);
#define errno (*__errno_location())
#endif
