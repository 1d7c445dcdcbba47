/*
 * prot_none_kill - reading or writing PROT_NONE memory kills the process
 * with SIGSEGV (the access is done by a forked child; the parent checks
 * how it ended). Also: memory made PROT_NONE by mprotect after use.
 */
#include "test.h"

static void do_read(void *p)
{
	peek(p);
}

static void do_write(void *p)
{
	poke(p, 1);
}

int main(void)
{
	test_start("prot_none_kill", "PROT_NONE memory kills with SIGSEGV on read and write");

	char *p = map_pages(2, PROT_NONE, MAP_PRIVATE);
	EXPECT_KILLED(SIGSEGV, do_read, p, "read of PROT_NONE");
	EXPECT_KILLED(SIGSEGV, do_write, p + PAGE + 8, "write of PROT_NONE");

	/* Populated memory made PROT_NONE by mprotect. */
	char *q = map_pages(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	q[0] = 42;
	q[PAGE] = 43;
	CHECK(mprotect(q, 2 * PAGE, PROT_NONE) == 0, "mprotect PROT_NONE: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, do_read, q, "read of mprotect(PROT_NONE) memory");
	EXPECT_KILLED(SIGSEGV, do_write, q + PAGE, "write of mprotect(PROT_NONE) memory");

	/* And it comes back with its contents. */
	CHECK(mprotect(q, 2 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect back: errno %d", errno);
	CHECK(q[0] == 42 && q[PAGE] == 43, "contents lost across PROT_NONE: %d %d", q[0], q[PAGE]);

	/* The parent is unharmed: it can still use its memory. */
	q[1] = 7;
	CHECK(q[1] == 7, "parent memory broken");
	return test_done();
}
