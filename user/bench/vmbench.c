/*
 * vmbench - the cost of the virtual-memory operations, in TSC cycles
 * (rdtsc). Under `make bench` QEMU runs with -icount, so a "cycle" there is
 * one guest instruction and the figures repeat exactly; on Linux they are
 * real TSC ticks. The same source builds for both (make user-linux).
 *
 * Figures (each the median of REPS runs; the table also shows min and max):
 *   fault_anon          first-touch write fault on anonymous memory, per page (4096 pages)
 *   munmap_N            munmap of N populated pages, per call (N = 1, 16, 512, 4096)
 *   mprotect_ro_512     mprotect of 512 populated pages to PROT_READ, per call
 *   mprotect_rw_512     ... and back to PROT_READ|PROT_WRITE, per call
 *   fork_4096           fork() of a process with 4096 populated private pages, per call
 *   cow_break           the child's first write to each of those pages, per page
 *   madvise_dontneed_512  madvise(MADV_DONTNEED) of 512 populated pages, per call
 * Output: a table, then one line per figure: BENCH <name> <value> <unit>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096UL
#define REPS 5
#define MAX_FIGURES 16

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* lfence: the measured instructions neither start before the first
	 * read nor finish after the second. */
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

struct figure {
	const char *name;
	const char *unit;
	uint64_t v[REPS];
};

static struct figure figures[MAX_FIGURES];
static int nfigures;

static struct figure *figure(const char *name, const char *unit)
{
	for (int i = 0; i < nfigures; i++)
		if (!strcmp(figures[i].name, name))
			return &figures[i];
	if (nfigures == MAX_FIGURES) {
		printf("vmbench: too many figures\n");
		exit(1);
	}
	figures[nfigures].name = name;
	figures[nfigures].unit = unit;
	return &figures[nfigures++];
}

static void record(const char *name, const char *unit, int rep, uint64_t value)
{
	figure(name, unit)->v[rep] = value;
}

static char *map_populated(size_t npages)
{
	char *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("vmbench: mmap of %zu pages failed: errno %d\n", npages, errno);
		exit(1);
	}
	for (size_t i = 0; i < npages; i++)
		p[i * PAGE] = (char)i;
	return p;
}

static void bench_fault(int rep)
{
	const size_t n = 4096;
	volatile char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		exit(1);
	uint64_t t0 = rdtsc();
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = 1;
	uint64_t t1 = rdtsc();
	record("fault_anon", "cycles/page", rep, (t1 - t0) / n);
	munmap((void *)p, n * PAGE);
}

static void bench_munmap(int rep)
{
	static const size_t sizes[] = { 1, 16, 512, 4096 };
	static const char *const names[] = { "munmap_1", "munmap_16", "munmap_512", "munmap_4096" };
	for (int i = 0; i < 4; i++) {
		char *p = map_populated(sizes[i]);
		uint64_t t0 = rdtsc();
		munmap(p, sizes[i] * PAGE);
		uint64_t t1 = rdtsc();
		record(names[i], "cycles/call", rep, t1 - t0);
	}
}

static void bench_mprotect(int rep)
{
	const size_t n = 512;
	char *p = map_populated(n);
	uint64_t t0 = rdtsc();
	mprotect(p, n * PAGE, PROT_READ);
	uint64_t t1 = rdtsc();
	mprotect(p, n * PAGE, PROT_READ | PROT_WRITE);
	uint64_t t2 = rdtsc();
	record("mprotect_ro_512", "cycles/call", rep, t1 - t0);
	record("mprotect_rw_512", "cycles/call", rep, t2 - t1);
	p[0] = 1;       /* writable again */
	munmap(p, n * PAGE);
}

static void bench_fork(int rep)
{
	const size_t n = 4096;
	char *p = map_populated(n);
	/* The child reports its COW figure through a shared page. */
	volatile uint64_t *result = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (result == MAP_FAILED)
		exit(1);
	result[0] = 0;
	uint64_t t0 = rdtsc();
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t c0 = rdtsc();
		for (size_t i = 0; i < n; i++)
			p[i * PAGE] = 2;
		uint64_t c1 = rdtsc();
		result[0] = (c1 - c0) / n;
		_exit(0);
	}
	uint64_t t1 = rdtsc();
	if (pid < 0) {
		printf("vmbench: fork failed: errno %d\n", errno);
		exit(1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("vmbench: fork child failed: status 0x%x\n", st);
		exit(1);
	}
	record("fork_4096", "cycles/call", rep, t1 - t0);
	record("cow_break", "cycles/page", rep, result[0]);
	munmap((void *)result, PAGE);
	munmap(p, n * PAGE);
}

static void bench_madvise(int rep)
{
	const size_t n = 512;
	char *p = map_populated(n);
	uint64_t t0 = rdtsc();
	madvise(p, n * PAGE, MADV_DONTNEED);
	uint64_t t1 = rdtsc();
	record("madvise_dontneed_512", "cycles/call", rep, t1 - t0);
	munmap(p, n * PAGE);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	for (int rep = 0; rep < REPS; rep++) {
		bench_fault(rep);
		bench_munmap(rep);
		bench_mprotect(rep);
		bench_fork(rep);
		bench_madvise(rep);
	}

	printf("vmbench: TSC cycles (instructions under -icount), median of %d runs\n", REPS);
	printf("%-22s %12s %-12s %12s %12s\n", "figure", "median", "unit", "min", "max");
	for (int i = 0; i < nfigures; i++) {
		struct figure *f = &figures[i];
		uint64_t s[REPS];
		memcpy(s, f->v, sizeof(s));
		qsort(s, REPS, sizeof(s[0]), cmp_u64);
		printf("%-22s %12llu %-12s %12llu %12llu\n", f->name, (unsigned long long)s[REPS / 2], f->unit,
		       (unsigned long long)s[0], (unsigned long long)s[REPS - 1]);
		f->v[0] = s[REPS / 2];
	}
	for (int i = 0; i < nfigures; i++)
		printf("BENCH %s %llu %s\n", figures[i].name, (unsigned long long)figures[i].v[0], figures[i].unit);
	return 0;
}
