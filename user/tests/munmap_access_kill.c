/*
 * munmap_access_kill - after munmap, reading or writing the range kills
 * with SIGSEGV: populated pages (their translations must be gone, not
 * just the VMA) and never-touched ones, and a page that was only read.
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
	test_start("munmap_access_kill", "access after munmap kills with SIGSEGV");

	char *p = map_pages(8, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (int i = 0; i < 6; i++)
		p[i * PAGE] = (char)(i + 1);     /* pages 0..5 populated, 6..7 never touched */
	peek(p + 6 * PAGE);                      /* page 6 read only */
	CHECK(munmap(p, 8 * PAGE) == 0, "munmap: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, do_read, p, "read of an unmapped, formerly populated page");
	EXPECT_KILLED(SIGSEGV, do_write, p + 3 * PAGE, "write of an unmapped, formerly populated page");
	EXPECT_KILLED(SIGSEGV, do_read, p + 6 * PAGE, "read of an unmapped, formerly read page");
	EXPECT_KILLED(SIGSEGV, do_write, p + 7 * PAGE + 5, "write of an unmapped, never touched page");

	/* munmap in the child itself, right after using the page (a stale TLB
	 * entry on this CPU would let the access through). */
	char *q = map_pages(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	q[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		q[0] = 2;
		munmap(q, PAGE);
		poke(q, 3);
		_exit(0);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: errno %d", errno);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "child wrote after its own munmap: status 0x%x", st);
	CHECK(q[0] == 1, "parent's copy changed by the child: %d", q[0]);

	/* NULL is never mapped. */
	EXPECT_KILLED(SIGSEGV, do_read, NULL, "read of NULL");
	return test_done();
}
