/* libc.h - declarations shared inside user/lib only (not installed for programs). */
#ifndef USER_LIB_LIBC_H
#define USER_LIB_LIBC_H
#include <secundus/syscall.h>

/* argv[0] of the program (or "?"), for messages. */
extern const char *__progname;
/* A lock that spins and then yields (malloc, atexit, the pthread list and mutexes). */
typedef struct { volatile int locked; } __spinlock_t;
void __spin_lock(__spinlock_t *l);
void __spin_unlock(__spinlock_t *l);
/* Run the atexit() handlers once (exit() calls it). */
void __run_atexit(void);
#endif
