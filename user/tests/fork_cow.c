/*
 * fork_cow - after fork, private memory is copy-on-write: the parent, a
 * child and a grandchild each write their own values into the same
 * private pages (an mmap'd area, the heap, .data, .bss and the stack);
 * each sees only its own, every process first sees what its parent had at
 * fork time, and the parent's data is unchanged after the children exit.
 */
#include "test.h"
#include <sched.h>

#define NPAGES 8

static int data_var = 1000;             /* .data */
static int bss_var;                     /* .bss */

struct mem {
	unsigned char *map;             /* NPAGES private pages */
	unsigned char *heap;            /* malloc'd, 3 pages */
	volatile int *stack;            /* a variable in main's frame */
};

static void write_all(struct mem *m, unsigned char v)
{
	for (size_t pg = 0; pg < NPAGES; pg++)
		for (size_t off = 0; off < PAGE; off += 256)
			m->map[pg * PAGE + off] = (unsigned char)(v + pg);
	memset(m->heap, v, 3 * PAGE);
	data_var = 1000 + v;
	bss_var = 2000 + v;
	*m->stack = 3000 + v;
}

/* How many locations do not hold the values write_all(v) stored. */
static size_t count_wrong(const struct mem *m, unsigned char v)
{
	size_t bad = 0;
	for (size_t pg = 0; pg < NPAGES; pg++)
		for (size_t off = 0; off < PAGE; off += 256)
			bad += m->map[pg * PAGE + off] != (unsigned char)(v + pg);
	for (size_t i = 0; i < 3 * PAGE; i++)
		bad += m->heap[i] != v;
	bad += data_var != 1000 + v;
	bad += bss_var != 2000 + v;
	bad += *m->stack != 3000 + v;
	return bad;
}

/* Exit codes of the child and grandchild: which step went wrong. */
enum { OK = 0, INHERIT_BAD = 10, OWN_BAD = 11, FORK_BAD = 12, GRANDCHILD_BAD = 13, AFTER_BAD = 14 };

static int grandchild(struct mem *m)
{
	if (count_wrong(m, 2))          /* sees the child's values */
		return INHERIT_BAD;
	write_all(m, 3);
	for (int i = 0; i < 100; i++)   /* give the others time to write too */
		sched_yield();
	return count_wrong(m, 3) ? OWN_BAD : OK;
}

static int child(struct mem *m)
{
	if (count_wrong(m, 1))          /* sees the parent's values at fork time */
		return INHERIT_BAD;
	write_all(m, 2);
	if (count_wrong(m, 2))
		return OWN_BAD;
	pid_t pid = fork();
	if (pid < 0)
		return FORK_BAD;
	if (pid == 0)
		_exit(grandchild(m));
	write_all(m, 4);                /* race the grandchild's writes */
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("fork_cow: grandchild ended with status 0x%x\n", st);
		return GRANDCHILD_BAD;
	}
	return count_wrong(m, 4) ? AFTER_BAD : OK;
}

int main(void)
{
	test_start("fork_cow", "parent, child and grandchild each see only their own writes");
	volatile int on_stack = 0;
	struct mem m = {
		.map = (unsigned char *)map_pages(NPAGES, PROT_READ | PROT_WRITE, MAP_PRIVATE),
		.heap = malloc(3 * PAGE),
		.stack = &on_stack,
	};
	if (!m.heap)
		FATAL("malloc failed");
	write_all(&m, 1);

	for (int round = 0; round < 3; round++) {
		pid_t pid = fork();
		if (pid < 0)
			FATAL("fork: errno %d", errno);
		if (pid == 0)
			_exit(child(&m));
		/* The parent writes its own new values while the children run... */
		write_all(&m, 5);
		size_t bad_during = count_wrong(&m, 5);
		int st = 0;
		CHECK(waitpid(pid, &st, 0) == pid, "waitpid: errno %d", errno);
		char buf[32];
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "round %d: child ended with %s", round,
		      status_str(st, buf, sizeof(buf)));
		CHECK(bad_during == 0, "round %d: parent lost %zu of its writes while children ran", round, bad_during);
		/* ...and they are intact after the children exited. */
		CHECK(count_wrong(&m, 5) == 0, "round %d: parent's data changed after the children exited", round);
		write_all(&m, 1);       /* back to the values the next child expects */
	}

	/* The parent does NOT write after fork: the child's writes must still
	 * not show through (the page stays shared read-only in the parent). */
	pid_t pid = fork();
	if (pid == 0) {
		write_all(&m, 7);
		_exit(count_wrong(&m, 7) ? 1 : 0);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "writing child failed: status 0x%x", st);
	CHECK(count_wrong(&m, 1) == 0, "child's writes leaked into the parent");
	/* After the child is gone the parent's pages are writable again. */
	write_all(&m, 8);
	CHECK(count_wrong(&m, 8) == 0, "parent cannot write after the child exited");

	free(m.heap);
	return test_done();
}
