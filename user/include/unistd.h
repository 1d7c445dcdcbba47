/*
 * unistd.h - processes, console I/O, sleeping and system configuration.
 * Failing calls return -1 and set errno.
 */
#ifndef _UNISTD_H
#define _UNISTD_H
#include <sys/types.h>
#include <uapi_syscall.h>

#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

/* sysconf() names (glibc's values) */
#define _SC_PAGESIZE            SC_PAGESIZE_            /* bytes per page: 4096 */
#define _SC_PAGE_SIZE           SC_PAGESIZE_
#define _SC_NPROCESSORS_CONF    83                      /* answered as _SC_NPROCESSORS_ONLN */
#define _SC_NPROCESSORS_ONLN    SC_NPROCESSORS_ONLN_    /* CPUs running */
#define _SC_PHYS_PAGES          SC_PHYS_PAGES_          /* physical pages of RAM */

/* Write up to len bytes from buf to fd (1 and 2: the console). Returns the
 * count written; -1 with EFAULT if any of buf is not readable user memory,
 * EBADF for a bad fd. */
ssize_t write(int fd, const void *buf, size_t len);
/* Read up to len bytes from fd (0: the console) into buf; returns the count
 * (0 at end of input), -1 with EFAULT for a bad buffer. */
ssize_t read(int fd, void *buf, size_t len);
/* The calling process's id. */
pid_t getpid(void);
/* The calling thread's id (equal to getpid() in the first thread). */
pid_t gettid(void);
/* Duplicate the calling process (only the calling thread is copied); private
 * memory becomes copy-on-write, MAP_SHARED memory stays shared. Returns the
 * child's pid in the parent, 0 in the child, -1 (ENOMEM, EAGAIN) on failure. */
pid_t fork(void);
/* End the whole process now (all threads) with status & 0xff; no atexit. */
void _exit(int status) __attribute__((noreturn));
/* A system value (the _SC_* names above), or -1 with EINVAL. */
long sysconf(int name);
/* Sleep at least us microseconds / s seconds. usleep returns 0 or -1;
 * sleep returns 0 (the seconds left, which is always 0 here). */
int usleep(useconds_t us);
unsigned int sleep(unsigned int s);
#endif
