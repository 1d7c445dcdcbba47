/* sys/types.h - the basic POSIX scalar types used by the user library. */
#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <stddef.h>     /* size_t, NULL (from the compiler) */

typedef int pid_t;              /* a process or thread id */
typedef long ssize_t;           /* a byte count or -1 */
typedef long off_t;             /* a file offset (mmap's last argument) */
typedef long time_t;            /* seconds */
typedef int clockid_t;          /* CLOCK_MONOTONIC, CLOCK_REALTIME */
typedef unsigned int useconds_t;        /* microseconds, for usleep() */
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int mode_t;
#endif
