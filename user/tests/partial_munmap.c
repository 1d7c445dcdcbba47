/*
 * partial_munmap - munmap of the middle of a mapping splits it: the pages
 * before and after keep their contents and stay usable, the middle kills
 * with SIGSEGV. Also the first and last pages alone, and a munmap spanning
 * two mappings.
 */
#include "test.h"

#define N 6

static void do_read(void *p)
{
	peek(p);
}

static void do_write(void *p)
{
	poke(p, 1);
}

static void fill(char *p, size_t first, size_t n, unsigned seed)
{
	for (size_t pg = first; pg < first + n; pg++)
		for (size_t off = 0; off < PAGE; off += 512)
			p[pg * PAGE + off] = (char)pattern(pg, off, seed);
}

static size_t count_bad(const char *p, size_t first, size_t n, unsigned seed)
{
	size_t bad = 0;
	for (size_t pg = first; pg < first + n; pg++)
		for (size_t off = 0; off < PAGE; off += 512)
			bad += (unsigned char)p[pg * PAGE + off] != pattern(pg, off, seed);
	return bad;
}

int main(void)
{
	test_start("partial_munmap", "munmap of part of a mapping keeps the rest intact");

	/* Middle: pages 2..3 of 0..5. */
	char *p = map_pages(N, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	fill(p, 0, N, 1);
	CHECK(munmap(p + 2 * PAGE, 2 * PAGE) == 0, "munmap middle: errno %d", errno);
	CHECK(count_bad(p, 0, 2, 1) == 0, "pages before the hole lost contents");
	CHECK(count_bad(p, 4, 2, 1) == 0, "pages after the hole lost contents");
	EXPECT_KILLED(SIGSEGV, do_read, p + 2 * PAGE, "read of the hole's first page");
	EXPECT_KILLED(SIGSEGV, do_write, p + 3 * PAGE + PAGE - 1, "write of the hole's last byte");
	/* The ends are still writable, right up to the hole. */
	p[2 * PAGE - 1] = 11;
	p[4 * PAGE] = 12;
	CHECK(p[2 * PAGE - 1] == 11 && p[4 * PAGE] == 12, "ends not writable");
	fill(p, 0, 2, 2);
	fill(p, 4, 2, 3);
	CHECK(count_bad(p, 0, 2, 2) == 0 && count_bad(p, 4, 2, 3) == 0, "ends lost new contents");

	/* The hole can be mapped again with MAP_FIXED, fresh and zeroed. */
	void *r = mmap(p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(r == p + 2 * PAGE, "MAP_FIXED into the hole returned %p (errno %d)", r, errno);
	if (r == p + 2 * PAGE) {
		CHECK(p[2 * PAGE] == 0 && p[3 * PAGE + 100] == 0, "refilled hole not zero");
		CHECK(count_bad(p, 0, 2, 2) == 0 && count_bad(p, 4, 2, 3) == 0,
		      "neighbours changed by MAP_FIXED");
	}
	CHECK(munmap(p, N * PAGE) == 0, "munmap all: errno %d", errno);

	/* First page only, then last page only. */
	char *q = map_pages(N, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	fill(q, 0, N, 4);
	CHECK(munmap(q, PAGE) == 0, "munmap first: errno %d", errno);
	CHECK(munmap(q + (N - 1) * PAGE, PAGE) == 0, "munmap last: errno %d", errno);
	CHECK(count_bad(q, 1, N - 2, 4) == 0, "inner pages lost contents");
	EXPECT_KILLED(SIGSEGV, do_read, q, "read of the removed first page");
	EXPECT_KILLED(SIGSEGV, do_write, q + (N - 1) * PAGE, "write of the removed last page");
	/* Unmapping an already unmapped part again is not an error. */
	CHECK(munmap(q, PAGE) == 0, "second munmap of the same page: errno %d", errno);
	CHECK(munmap(q + PAGE, (N - 2) * PAGE) == 0, "munmap rest: errno %d", errno);

	/* One munmap across the boundary of two adjacent mappings. */
	char *a = map_pages(4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	fill(a, 0, 4, 5);
	CHECK(munmap(a + 2 * PAGE, 2 * PAGE) == 0, "munmap tail: errno %d", errno);
	char *b = mmap(a + 2 * PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(b == a + 2 * PAGE, "MAP_FIXED tail returned %p", (void *)b);
	CHECK(munmap(a + PAGE, 2 * PAGE) == 0, "munmap across two mappings: errno %d", errno);
	CHECK(count_bad(a, 0, 1, 5) == 0, "first page lost contents");
	CHECK(a[3 * PAGE] == 0, "last page (read-only mapping) not readable");
	EXPECT_KILLED(SIGSEGV, do_read, a + PAGE, "read of the removed page of the first mapping");
	EXPECT_KILLED(SIGSEGV, do_read, a + 2 * PAGE, "read of the removed page of the second mapping");
	EXPECT_KILLED(SIGSEGV, do_write, a + 3 * PAGE, "write of the read-only rest");
	return test_done();
}
