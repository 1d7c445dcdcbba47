/*
 * swap_threads - four threads of one process each own a quarter of a
 * region of 2x RAM and rewrite and verify it for a few passes, so swap-outs
 * and swap-ins of one address space happen on several CPUs at once.
 *
 * Pass k writes seed k+1 into every page of the thread's quarter, then
 * verifies the quarter (so each pass pushes the other threads' pages out
 * while they fault theirs back in). The work runs in a child process;
 * afterwards the free swap slots must be back to their baseline.
 */
#include "swaptest.h"
#include <pthread.h>

#define NTHREADS 4
#define PASSES 2

static char *region;
static size_t npages, quarter;
static size_t bad_pages[NTHREADS];

static void *thread_main(void *arg)
{
	long k = (long)arg;
	size_t first = (size_t)k * quarter;
	for (unsigned pass = 0; pass < PASSES; pass++) {
		fill_pages(region, first, quarter, pass + 1);
		bad_pages[k] += verify_pages("thread", region, first, quarter, pass + 1);
	}
	return NULL;
}

static void worker(void *arg)
{
	(void)arg;
	region = map_anon(npages);
	pthread_t t[NTHREADS];
	long start = ms_now();
	for (long k = 0; k < NTHREADS; k++)
		if (pthread_create(&t[k], NULL, thread_main, (void *)k) != 0)
			FATAL("pthread_create failed");
	for (long k = 0; k < NTHREADS; k++)
		pthread_join(t[k], NULL);
	for (long k = 0; k < NTHREADS; k++) {
		printf("swap_threads: thread %ld: %zu bad pages in %d passes\n", k, bad_pages[k], PASSES);
		CHECK(bad_pages[k] == 0, "thread %ld saw %zu wrong pages", k, bad_pages[k]);
	}
	printf("swap_threads: %ld ms\n", ms_now() - start);
	munmap(region, npages * PAGE);
	exit(test_failures ? 1 : 0);
}

int main(void)
{
	test_start("swap_threads", "4 threads rewrite and verify their quarters of 2x RAM, swapping concurrently");
	size_t ram = ram_pages();
	npages = ram * 2;
	quarter = npages / NTHREADS;
	printf("swap_threads: RAM %zu pages, region %zu pages, %d threads x %d passes\n", ram, npages, NTHREADS,
	       PASSES);
	run_swap_worker(worker, npages);
	return test_done();
}
