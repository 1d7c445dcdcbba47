/*
 * readonly_write_kill - a write to read-only memory kills with SIGSEGV,
 * both for a PROT_READ mapping and for memory made read-only by
 * mprotect after it was written; reads keep working. Also a write to the
 * program's own text and rodata.
 */
#include "test.h"

static const char rodata_string[] = "read-only data";

static void do_write(void *p)
{
	poke(p, 1);
}

static void do_read_then_write(void *p)
{
	if (peek(p) != 0)
		_exit(3);
	poke(p, 1);
}

int main(void)
{
	test_start("readonly_write_kill", "a write to read-only memory kills with SIGSEGV");

	char *p = map_pages(1, PROT_READ, MAP_PRIVATE);
	CHECK(p[10] == 0, "read-only mapping does not read zero");
	EXPECT_KILLED(SIGSEGV, do_write, p, "write to a PROT_READ mapping (page present)");

	char *fresh = map_pages(1, PROT_READ, MAP_PRIVATE);
	EXPECT_KILLED(SIGSEGV, do_write, fresh, "write to a never-touched PROT_READ page");
	EXPECT_KILLED(SIGSEGV, do_read_then_write, fresh + 100, "read then write of a PROT_READ page");

	char *q = map_pages(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	q[0] = 5;
	q[PAGE] = 6;
	CHECK(mprotect(q, 2 * PAGE, PROT_READ) == 0, "mprotect RO: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, do_write, q, "write after mprotect(PROT_READ)");
	EXPECT_KILLED(SIGSEGV, do_write, q + PAGE + 1, "write to the second page after mprotect");
	CHECK(q[0] == 5 && q[PAGE] == 6, "read-only memory lost its contents: %d %d", q[0], q[PAGE]);

	/* A shared mapping made read-only. */
	char *s = map_pages(1, PROT_READ | PROT_WRITE, MAP_SHARED);
	s[0] = 9;
	CHECK(mprotect(s, PAGE, PROT_READ) == 0, "mprotect shared RO: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, do_write, s, "write to a read-only shared mapping");
	CHECK(s[0] == 9, "shared read-only memory changed: %d", s[0]);

	/* The program's own text and read-only data. */
	EXPECT_KILLED(SIGSEGV, do_write, (void *)(unsigned long)main, "write to program text");
	EXPECT_KILLED(SIGSEGV, do_write, (void *)rodata_string, "write to program rodata");
	CHECK(rodata_string[0] == 'r', "rodata changed");
	return test_done();
}
