/*
 * test.h - helpers shared by the user tests (header-only, so every test is
 * still one .c file). Builds against the Secundus user library and against
 * glibc alike.
 *
 * A test prints what it checks and what failed, and exits 0 only if every
 * CHECK held: `return test_done();` at the end of main().
 */
#ifndef USER_TESTS_TEST_H
#define USER_TESTS_TEST_H
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

static int test_failures;
static const char *test_name = "test";

/* Count and report a failed expectation (with a printf-style explanation). */
#define CHECK(cond, ...) do {                                                   \
		if (!(cond)) {                                                  \
			test_failures++;                                        \
			printf("%s: FAIL %s:%d: %s: ", test_name, __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                    \
			printf("\n");                                           \
		}                                                               \
	} while (0)

/* Give up at once (something later checks would depend on is broken). */
#define FATAL(...) do {                                                         \
		printf("%s: FATAL %s:%d: ", test_name, __FILE__, __LINE__);     \
		printf(__VA_ARGS__);                                            \
		printf("\n");                                                   \
		exit(2);                                                        \
	} while (0)

static inline void test_start(const char *name, const char *what)
{
#ifndef __secundus__
	/* glibc buffers stdout into a pipe or file: a forked child would print
	 * the parent's pending output again, and lose its own on _exit(). */
	setvbuf(stdout, NULL, _IONBF, 0);
#endif
	test_name = name;
	printf("%s: %s\n", name, what);
}

static inline int test_done(void)
{
	if (test_failures)
		printf("%s: %d check(s) FAILED\n", test_name, test_failures);
	else
		printf("%s: ok\n", test_name);
	return test_failures ? 1 : 0;
}

/* An anonymous private read-write mapping of n pages, or FATAL. */
static inline char *map_pages(size_t n, int prot, int flags)
{
	void *p = mmap(NULL, n * PAGE, prot, flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		FATAL("mmap of %zu pages failed: errno %d", n, errno);
	return p;
}

/* Describe a wait status in buf ("exit 3", "signal 11"). */
static inline const char *status_str(int st, char *buf, size_t size)
{
	if (WIFEXITED(st))
		snprintf(buf, size, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, size, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, size, "status 0x%x", st);
	return buf;
}

/* Fork; the child runs fn(arg) and exits 0 if it returns; the parent waits
 * and returns the child's wait status (or -1 if fork/waitpid failed). */
static inline int run_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s: fork failed: errno %d\n", test_name, errno);
		return -1;
	}
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	if (w != pid) {
		printf("%s: waitpid returned %d (errno %d), expected %d\n", test_name, (int)w, errno, (int)pid);
		return -1;
	}
	return st;
}

/* Run fn(arg) in a child and check that it was killed by signal sig. */
#define EXPECT_KILLED(sig, fn, arg, what) do {                                  \
		char _b[32];                                                    \
		int _st = run_child(fn, arg);                                   \
		CHECK(_st != -1 && WIFSIGNALED(_st) && WTERMSIG(_st) == (sig),  \
		      "%s: child ended with %s, expected signal %d", what,      \
		      _st == -1 ? "(no child)" : status_str(_st, _b, sizeof(_b)), sig); \
	} while (0)

/* Run fn(arg) in a child and check that it exited with status 0. */
#define EXPECT_EXIT0(fn, arg, what) do {                                        \
		char _b[32];                                                    \
		int _st = run_child(fn, arg);                                   \
		CHECK(_st != -1 && WIFEXITED(_st) && WEXITSTATUS(_st) == 0,     \
		      "%s: child ended with %s, expected exit 0", what,         \
		      _st == -1 ? "(no child)" : status_str(_st, _b, sizeof(_b))); \
	} while (0)

/* Accesses the compiler may not remove or reorder. */
static inline unsigned char peek(const volatile void *p)
{
	return *(const volatile unsigned char *)p;
}

static inline void poke(volatile void *p, unsigned char v)
{
	*(volatile unsigned char *)p = v;
}

/* Touch n KiB of stack below the caller, so tests that compare free page
 * counts do not see the stack grow between the two snapshots. */
__attribute__((noinline, unused)) static void touch_stack(size_t kib)
{
	volatile char buf[1024];
	buf[0] = buf[1023] = 1;
	if (kib > 1)
		touch_stack(kib - 1);
	buf[512] = 2;
}

/* The byte pattern tests write: depends on the page and offset and a seed. */
static inline unsigned char pattern(size_t page, size_t off, unsigned seed)
{
	return (unsigned char)(page * 131 + off * 7 + seed * 17 + 1);
}
#endif
