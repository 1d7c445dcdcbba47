/*
 * signal.h - signal numbers (Linux's values) and kill().
 *
 * Secundus has no signal handlers: a signal only ever ends a process, and
 * waitpid() reports it with WIFSIGNALED/WTERMSIG. The kernel produces
 * SIGSEGV (bad access), SIGBUS, SIGKILL (out of memory, kill) and SIGTERM.
 */
#ifndef _SIGNAL_H
#define _SIGNAL_H
#include <sys/types.h>
#include <uapi_mman.h>          /* SIGKILL, SIGBUS, SIGSEGV, SIGTERM */

#define SIGHUP  1
#define SIGINT  2
#define SIGQUIT 3
#define SIGILL  4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGFPE  8
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGCHLD 17

/* Send sig to process pid: for the signals above, ends it (all threads).
 * Returns 0, or -1 with ESRCH (no such process) or EINVAL (bad signal). */
int kill(pid_t pid, int sig);
/* kill(getpid(), sig). */
int raise(int sig);
#endif
