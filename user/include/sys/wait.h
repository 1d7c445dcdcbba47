/*
 * sys/wait.h - waiting for child processes. The status word is Linux's:
 * exit code << 8 for a normal exit, the signal number in the low 7 bits
 * for a process killed by a signal (e.g. SIGSEGV after a bad access).
 */
#ifndef _SYS_WAIT_H
#define _SYS_WAIT_H
#include <sys/types.h>
#include <uapi_mman.h>          /* SIGSEGV & co, W_EXITCODE_ */

#define WNOHANG 1               /* waitpid: return 0 at once if no child has ended */

#define WTERMSIG(s)     ((s) & 0x7f)                    /* killing signal */
#define WEXITSTATUS(s)  (((s) >> 8) & 0xff)             /* exit code */
#define WIFEXITED(s)    (WTERMSIG(s) == 0)              /* ended by exit()? */
#define WIFSIGNALED(s)  (WTERMSIG(s) != 0 && WTERMSIG(s) != 0x7f)      /* killed by a signal? */
#define WCOREDUMP(s)    ((s) & 0x80)

/* Wait for child pid to end (-1: any child) and reap it; store its status in
 * *status if not NULL. Returns the child's pid, 0 with WNOHANG if none has
 * ended yet, or -1 with ECHILD if pid is not a child of the caller. */
pid_t waitpid(pid_t pid, int *status, int options);
/* waitpid(-1, status, 0). */
pid_t wait(int *status);
#endif
