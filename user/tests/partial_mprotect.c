/*
 * partial_mprotect - mprotect of the middle of a mapping to read-only
 * splits it: the ends stay writable, the middle is readable with its
 * contents but kills on write. Making it writable again restores the
 * whole mapping (and splitting off the first and last page works too).
 */
#include "test.h"

#define N 5

static void do_write(void *p)
{
	poke(p, 1);
}

static void do_read(void *p)
{
	peek(p);
}

int main(void)
{
	test_start("partial_mprotect", "mprotect of part of a mapping splits it");

	char *p = map_pages(N, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (int i = 0; i < N; i++)
		p[i * PAGE + 10] = (char)(i + 1);
	/* The middle page 3 is never touched before the mprotect. */
	p[3 * PAGE + 10] = 0;

	CHECK(mprotect(p + PAGE, 3 * PAGE, PROT_READ) == 0, "mprotect middle RO: errno %d", errno);
	/* Ends: still writable and readable. */
	p[10] = 21;
	p[4 * PAGE + 10] = 25;
	p[PAGE - 1] = 1;                        /* last byte before the RO part */
	p[4 * PAGE] = 1;                        /* first byte after it */
	CHECK(p[10] == 21 && p[4 * PAGE + 10] == 25, "ends not writable");
	/* Middle: reads work and see the old contents. */
	CHECK(p[PAGE + 10] == 2 && p[2 * PAGE + 10] == 3 && p[3 * PAGE + 10] == 0,
	      "read-only middle has wrong contents: %d %d %d", p[PAGE + 10], p[2 * PAGE + 10], p[3 * PAGE + 10]);
	EXPECT_KILLED(SIGSEGV, do_write, p + PAGE, "write to the first read-only page");
	EXPECT_KILLED(SIGSEGV, do_write, p + 2 * PAGE + 100, "write to the second read-only page");
	EXPECT_KILLED(SIGSEGV, do_write, p + 4 * PAGE - 1, "write to the last read-only byte");

	/* A child can still write the ends (and only its own copy changes). */
	pid_t pid = fork();
	if (pid == 0) {
		p[10] = 99;
		p[4 * PAGE + 10] = 99;
		_exit(p[PAGE + 10] == 2 ? 0 : 1);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child writing the ends: status 0x%x", st);
	CHECK(p[10] == 21 && p[4 * PAGE + 10] == 25, "child's writes visible in the parent");

	/* Split further: PROT_NONE inside the read-only part. */
	CHECK(mprotect(p + 2 * PAGE, PAGE, PROT_NONE) == 0, "mprotect PROT_NONE: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, do_read, p + 2 * PAGE, "read of the PROT_NONE page");
	CHECK(p[PAGE + 10] == 2 && p[3 * PAGE + 10] == 0, "neighbours of PROT_NONE page unreadable");

	/* Back to read-write as a whole: every page writable, contents kept. */
	CHECK(mprotect(p, N * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect all RW: errno %d", errno);
	CHECK(p[2 * PAGE + 10] == 3, "PROT_NONE page lost its contents: %d", p[2 * PAGE + 10]);
	for (int i = 0; i < N; i++)
		p[i * PAGE + 11] = (char)(50 + i);
	for (int i = 0; i < N; i++)
		CHECK(p[i * PAGE + 11] == 50 + i, "page %d not writable after restore", i);

	/* First and last page read-only. */
	CHECK(mprotect(p, PAGE, PROT_READ) == 0, "mprotect first: errno %d", errno);
	CHECK(mprotect(p + (N - 1) * PAGE, PAGE, PROT_READ) == 0, "mprotect last: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, do_write, p, "write to the read-only first page");
	EXPECT_KILLED(SIGSEGV, do_write, p + (N - 1) * PAGE, "write to the read-only last page");
	p[PAGE] = 1;
	p[(N - 1) * PAGE - 1] = 1;
	CHECK(p[11] == 50 && p[(N - 1) * PAGE + 11] == 50 + N - 1, "read-only ends lost contents");

	CHECK(munmap(p, N * PAGE) == 0, "munmap: errno %d", errno);
	return test_done();
}
