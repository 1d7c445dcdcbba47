/*
 * start.c - program start and end: __libc_start (called by crt0.S), exit,
 * atexit, _exit, _Exit, abort, getenv.
 */
#include <stdlib.h>
#include <unistd.h>
#include <signal.h>
#include "libc.h"

const char *__progname = "?";

int main(int argc, char **argv);

/* Constructors/destructors collected by user/user.ld (rarely used). */
typedef void (*initfn_t)(void);
extern initfn_t __init_array_start[], __init_array_end[];
extern initfn_t __fini_array_start[], __fini_array_end[];

void __libc_start(int argc, char **argv) __attribute__((noreturn, used));
void __libc_start(int argc, char **argv)
{
	if (argc > 0 && argv && argv[0])
		__progname = argv[0];
	for (initfn_t *f = __init_array_start; f < __init_array_end; f++)
		(*f)();
	exit(main(argc, argv));
}

#define ATEXIT_MAX 32
static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_count;
static __spinlock_t atexit_lock;

int atexit(void (*fn)(void))
{
	int r = -1;
	__spin_lock(&atexit_lock);
	if (atexit_count < ATEXIT_MAX) {
		atexit_fns[atexit_count++] = fn;
		r = 0;
	}
	__spin_unlock(&atexit_lock);
	return r;
}

void __run_atexit(void)
{
	/* A handler may call exit() again: each handler runs at most once. */
	for (;;) {
		void (*fn)(void) = NULL;
		__spin_lock(&atexit_lock);
		if (atexit_count > 0)
			fn = atexit_fns[--atexit_count];
		__spin_unlock(&atexit_lock);
		if (!fn)
			break;
		fn();
	}
	for (initfn_t *f = __fini_array_end; f > __fini_array_start; )
		(*--f)();
}

void exit(int status)
{
	__run_atexit();
	_exit(status);
}

void _exit(int status)
{
	for (;;)
		__syscall1(SYS_exit, status & 0xff);
}

void _Exit(int status)
{
	_exit(status);
}

void abort(void)
{
	/* Secundus has no handlers, so there is nothing to block or reset. */
	__syscall2(SYS_kill, __syscall0(SYS_getpid), SIGABRT);
	__syscall2(SYS_kill, __syscall0(SYS_getpid), SIGKILL);
	_exit(128 + SIGABRT);
}

char *getenv(const char *name)
{
	(void)name;
	return NULL;
}
