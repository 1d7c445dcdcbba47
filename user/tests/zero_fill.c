/*
 * zero_fill - fresh anonymous memory reads as zeros, then keeps what is
 * written to it: private and shared mappings, first touched by a read or
 * by a write, and a read-only mapping (which must read zeros too).
 */
#include "test.h"

#define NPAGES 64

static void check_zero(const char *what, const char *p, size_t npages)
{
	size_t bad = 0;
	for (size_t i = 0; i < npages * PAGE; i++)
		if (p[i])
			bad++;
	CHECK(bad == 0, "%s: %zu nonzero bytes in fresh memory", what, bad);
}

static void fill_and_check(const char *what, char *p, size_t npages, unsigned seed)
{
	for (size_t pg = 0; pg < npages; pg++)
		for (size_t off = 0; off < PAGE; off += 61)
			p[pg * PAGE + off] = (char)pattern(pg, off, seed);
	size_t bad = 0, zeros = 0;
	for (size_t pg = 0; pg < npages; pg++)
		for (size_t off = 0; off < PAGE; off++) {
			unsigned char v = (unsigned char)p[pg * PAGE + off];
			if (off % 61 == 0)
				bad += v != pattern(pg, off, seed);
			else
				zeros += v != 0;
		}
	CHECK(bad == 0, "%s: %zu written bytes lost", what, bad);
	CHECK(zeros == 0, "%s: %zu bytes next to written ones are not zero", what, zeros);
}

int main(void)
{
	test_start("zero_fill", "anonymous memory is zero-filled on first touch and keeps writes");

	/* Touched first by reads (every page), then written. */
	char *a = map_pages(NPAGES, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	check_zero("private, read first", a, NPAGES);
	fill_and_check("private, read first", a, NPAGES, 1);

	/* Touched first by writes, in reverse page order. */
	char *b = map_pages(NPAGES, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (size_t pg = NPAGES; pg-- > 0; )
		b[pg * PAGE + 100] = 0;
	check_zero("private, written first", b, NPAGES);
	fill_and_check("private, written first", b, NPAGES, 2);
	/* a is unaffected by b */
	CHECK((unsigned char)a[0] == pattern(0, 0, 1), "first mapping changed by the second");

	/* Shared anonymous memory starts zeroed as well. */
	char *c = map_pages(NPAGES, PROT_READ | PROT_WRITE, MAP_SHARED);
	check_zero("shared", c, NPAGES);
	fill_and_check("shared", c, NPAGES, 3);

	/* A read-only mapping reads zeros. */
	char *d = map_pages(4, PROT_READ, MAP_PRIVATE);
	check_zero("read-only", d, 4);

	/* Writes to the last byte of each page do not spill into the next. */
	char *e = map_pages(8, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (size_t pg = 0; pg < 8; pg++)
		e[pg * PAGE + PAGE - 1] = (char)0xff;
	for (size_t pg = 0; pg < 8; pg++) {
		CHECK(e[pg * PAGE] == 0, "page %zu: first byte not zero", pg);
		CHECK((unsigned char)e[pg * PAGE + PAGE - 1] == 0xff, "page %zu: last byte lost", pg);
	}

	CHECK(munmap(a, NPAGES * PAGE) == 0, "munmap a: errno %d", errno);
	CHECK(munmap(b, NPAGES * PAGE) == 0, "munmap b: errno %d", errno);
	CHECK(munmap(c, NPAGES * PAGE) == 0, "munmap c: errno %d", errno);
	CHECK(munmap(d, 4 * PAGE) == 0, "munmap d: errno %d", errno);
	CHECK(munmap(e, 8 * PAGE) == 0, "munmap e: errno %d", errno);

	/* Memory mapped again after munmap is zero again. */
	char *f = map_pages(NPAGES, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	check_zero("mapped again", f, NPAGES);
	return test_done();
}
