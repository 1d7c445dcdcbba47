/*
 * madvise_dontneed - after madvise(MADV_DONTNEED) a private anonymous range
 * reads zeros and stays usable; pages outside the range keep their
 * contents. Also after fork (the COW-shared page is dropped only in the
 * caller), on never-touched pages, and in a shared mapping (on Linux the
 * shared data survives; on Secundus too: DONTNEED only drops this
 * process's translations of shared memory).
 */
#include "test.h"

#define N 16

int main(void)
{
	test_start("madvise_dontneed", "MADV_DONTNEED gives zero-filled pages back");

	unsigned char *p = (unsigned char *)map_pages(N, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (size_t i = 0; i < N * PAGE; i++)
		p[i] = (unsigned char)(i % 251 + 1);

	/* Pages 4..11 (page 10 and 11 never written again). */
	CHECK(madvise(p + 4 * PAGE, 8 * PAGE, MADV_DONTNEED) == 0, "madvise: errno %d", errno);
	size_t nonzero = 0, lost = 0;
	for (size_t i = 0; i < N * PAGE; i++) {
		size_t pg = i / PAGE;
		if (pg >= 4 && pg < 12)
			nonzero += p[i] != 0;
		else
			lost += p[i] != (unsigned char)(i % 251 + 1);
	}
	CHECK(nonzero == 0, "%zu bytes not zero after MADV_DONTNEED", nonzero);
	CHECK(lost == 0, "%zu bytes outside the range changed", lost);

	/* Still usable: write and read back. */
	for (size_t i = 4 * PAGE; i < 12 * PAGE; i++)
		p[i] = 0x5a;
	size_t bad = 0;
	for (size_t i = 4 * PAGE; i < 12 * PAGE; i++)
		bad += p[i] != 0x5a;
	CHECK(bad == 0, "%zu bytes wrong after rewriting", bad);

	/* Again, on the whole mapping, twice in a row. */
	CHECK(madvise(p, N * PAGE, MADV_DONTNEED) == 0, "madvise all: errno %d", errno);
	CHECK(madvise(p, N * PAGE, MADV_DONTNEED) == 0, "madvise all again: errno %d", errno);
	bad = 0;
	for (size_t i = 0; i < N * PAGE; i++)
		bad += p[i] != 0;
	CHECK(bad == 0, "%zu bytes not zero after MADV_DONTNEED of everything", bad);

	/* After fork: the child drops its (COW-shared) pages; the parent keeps its data. */
	memset(p, 0x33, N * PAGE);
	pid_t pid = fork();
	if (pid == 0) {
		if (madvise(p, N * PAGE, MADV_DONTNEED) != 0)
			_exit(1);
		for (size_t i = 0; i < N * PAGE; i++)
			if (p[i] != 0)
				_exit(2);
		memset(p, 0x44, N * PAGE);
		_exit(0);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child's MADV_DONTNEED: status 0x%x", st);
	bad = 0;
	for (size_t i = 0; i < N * PAGE; i++)
		bad += p[i] != 0x33;
	CHECK(bad == 0, "%zu bytes of the parent changed by the child's MADV_DONTNEED", bad);

	/* The parent's own DONTNEED after the fork. */
	CHECK(madvise(p + PAGE, PAGE, MADV_DONTNEED) == 0, "madvise one page: errno %d", errno);
	CHECK(p[PAGE] == 0 && p[2 * PAGE - 1] == 0 && p[0] == 0x33 && p[2 * PAGE] == 0x33,
	      "one-page MADV_DONTNEED: %x %x %x %x", p[PAGE], p[2 * PAGE - 1], p[0], p[2 * PAGE]);

	/* Shared anonymous memory keeps its data (it belongs to the shared object). */
	unsigned char *s = (unsigned char *)map_pages(2, PROT_READ | PROT_WRITE, MAP_SHARED);
	memset(s, 0x66, 2 * PAGE);
	CHECK(madvise(s, 2 * PAGE, MADV_DONTNEED) == 0, "madvise shared: errno %d", errno);
	CHECK(s[0] == 0x66 && s[2 * PAGE - 1] == 0x66, "shared memory lost by MADV_DONTNEED: %x", s[0]);

	CHECK(munmap(p, N * PAGE) == 0, "munmap: errno %d", errno);
	CHECK(munmap(s, 2 * PAGE) == 0, "munmap shared: errno %d", errno);
	return test_done();
}
