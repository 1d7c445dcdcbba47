/*
 * shared_anon - MAP_SHARED|MAP_ANONYMOUS memory stays shared across fork:
 * the child's writes are seen by the parent after waitpid, and the
 * parent's writes made after fork are seen by the running child. A
 * MAP_PRIVATE mapping next to it stays private.
 */
#include "test.h"
#include <sched.h>
#include <time.h>

#define NPAGES 4

struct shared {
	volatile int ready;             /* parent -> child: data written */
	volatile int seen;              /* child -> parent: data checked */
	volatile int result;
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait (yielding) until *flag != 0; 0 on success, -1 after 20 s. */
static int wait_flag(volatile int *flag)
{
	long deadline = now_ms() + 20000;
	while (!*flag) {
		if (now_ms() > deadline)
			return -1;
		sched_yield();
	}
	return 0;
}

int main(void)
{
	test_start("shared_anon", "MAP_SHARED|MAP_ANONYMOUS memory is shared across fork");

	unsigned char *sh = (unsigned char *)map_pages(NPAGES, PROT_READ | PROT_WRITE, MAP_SHARED);
	unsigned char *priv = (unsigned char *)map_pages(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct shared *ctl = (struct shared *)(sh + (NPAGES - 1) * PAGE);
	sh[0] = 1;                      /* page 0 populated before fork, 1..2 not */
	priv[0] = 1;

	/* 1: the child writes (populated and unpopulated pages), the parent reads after waitpid. */
	pid_t pid = fork();
	if (pid < 0)
		FATAL("fork: errno %d", errno);
	if (pid == 0) {
		for (int pg = 0; pg < NPAGES - 1; pg++)
			memset(sh + pg * PAGE, 0x40 + pg, PAGE);
		priv[0] = 2;
		_exit(0);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child 1 status 0x%x", st);
	for (int pg = 0; pg < NPAGES - 1; pg++) {
		size_t bad = 0;
		for (size_t i = 0; i < PAGE; i++)
			bad += sh[pg * PAGE + i] != 0x40 + pg;
		CHECK(bad == 0, "page %d: %zu bytes of the child's writes not seen", pg, bad);
	}
	CHECK(priv[0] == 1, "private page changed by the child: %d", priv[0]);

	/* 2: the parent writes after fork, the running child sees it. */
	pid = fork();
	if (pid < 0)
		FATAL("fork: errno %d", errno);
	if (pid == 0) {
		if (wait_flag(&ctl->ready) < 0)
			_exit(3);
		int ok = 1;
		for (int pg = 0; pg < NPAGES - 1; pg++)
			for (size_t i = 0; i < PAGE; i += 64)
				ok &= sh[pg * PAGE + i] == (unsigned char)(0x80 + pg);
		ctl->result = ok ? 1 : 2;
		sh[PAGE + 1] = 0x77;    /* and one write back */
		ctl->seen = 1;
		_exit(ok ? 0 : 4);
	}
	for (int pg = 0; pg < NPAGES - 1; pg++)
		memset(sh + pg * PAGE, 0x80 + pg, PAGE);
	__atomic_store_n(&ctl->ready, 1, __ATOMIC_RELEASE);
	CHECK(wait_flag(&ctl->seen) == 0, "child never answered through shared memory");
	CHECK(ctl->result == 1, "child did not see the parent's writes (result %d)", ctl->result);
	CHECK(sh[PAGE + 1] == 0x77, "child's write-back not seen before waitpid: 0x%x", sh[PAGE + 1]);
	st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child 2 status 0x%x", st);

	/* 3: shared memory survives a grandchild and the exit of the child
	 * that wrote it (the pages live as long as any mapper). */
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0) {
			sh[2 * PAGE] = 0x99;
			_exit(0);
		}
		int gs = 0;
		waitpid(g, &gs, 0);
		_exit(sh[2 * PAGE] == 0x99 ? 0 : 5);
	}
	st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child 3 status 0x%x", st);
	CHECK(sh[2 * PAGE] == 0x99, "grandchild's write not seen: 0x%x", sh[2 * PAGE]);

	CHECK(munmap(sh, NPAGES * PAGE) == 0, "munmap: errno %d", errno);
	return test_done();
}
