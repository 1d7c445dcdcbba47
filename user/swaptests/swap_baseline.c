/*
 * swap_baseline - a workload that swaps leaves nothing behind.
 *
 * The workload (a child): fill 2x RAM, fork a grandchild that checks and
 * rewrites every 8th page and exits, exit (with pages in swap, in the swap
 * cache and shared by fork at that moment). It runs twice. After each run, once everything is reaped:
 *  - the free swap slots equal their value before the first run, exactly,
 *    and the swap cache is empty (polled for up to 2 s);
 *  - after the second run the free physical pages equal those after the
 *    first run (each taken once the count has not moved for 100 ms, and
 *    polled for up to 1 s more, for the reclaim thread to settle).
 */
#include "swaptest.h"

static size_t npages;

static void workload(void *arg)
{
	(void)arg;
	char *p = map_anon(npages);
	fill_pages(p, 0, npages, 1);
	pid_t pid = fork();
	if (pid < 0)
		FATAL("fork: errno %d", errno);
	if (pid == 0) {
		/* Every 8th page: check it (a swap-in of a page shared with the
		 * parent) and rewrite it (a COW break of a swapped page). */
		size_t bad = verify_pages_step("grandchild", p, 0, npages, 8, 1);
		for (size_t i = 0; i < npages; i += 8)
			fill_pages(p, i, 1, 2);
		_exit(bad ? 1 : 0);
	}
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char b[32];
		printf("swap_baseline: the grandchild ended with %s\n", status_str(st, b, sizeof b));
		_exit(1);
	}
	_exit(0);       /* with most of its pages in swap */
}

#ifdef __secundus__
/* free + slab - swap_used + swapcache: constant while pages only move to and from swap. */
static unsigned long held_pages(void)
{
	struct secundus_vmstat v;
	if (secundus_vmstat(&v) != 0)
		FATAL("secundus_vmstat: errno %d", errno);
	return v.free_pages + v.slab_pages - v.swap_used + v.swapcache_pages;
}
#endif

int main(void)
{
	test_start("swap_baseline", "after a swapping workload: free slots back exactly, swap cache empty, no page lost");
	size_t ram = ram_pages();
	npages = 2 * ram;
#ifdef __secundus__
	struct secundus_swapinfo si;
	require_swap(npages, &si);
	unsigned long base = si.free_slots;
	unsigned long free_after[2] = { 0, 0 };
#endif
	for (int run = 0; run < 2; run++) {
		long t = ms_now();
		char b[32];
		int st = run_child_resident(workload, NULL);
		printf("swap_baseline: run %d: the workload ended with %s after %ld ms\n", run + 1,
		       st < 0 ? "?" : status_str(st, b, sizeof b), ms_now() - t);
		CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "run %d: the workload failed", run + 1);
#ifdef __secundus__
		check_slots_back(run ? "after run 2" : "after run 1", base);
		/* The pages the system holds, counted as uapi_vmstat.h says (our own
		 * pages may be on swap, kmalloc's slabs may have shrunk), once the
		 * count has not moved for 100 ms (at most 1 s); after run 2, up to
		 * 1 s more for it to equal run 1's. */
		long end = ms_now() + 1000;
		unsigned long last = ~0ul;
		for (int still = 0; still < 10 && ms_now() < end; usleep(10000)) {
			still = held_pages() == last ? still + 1 : 0;
			last = held_pages();
		}
		free_after[run] = last;
		for (end = ms_now() + 1000; run == 1 && free_after[1] != free_after[0] && ms_now() < end;) {
			usleep(10000);
			free_after[1] = held_pages();
		}
#endif
	}
#ifdef __secundus__
	printf("swap_baseline: free pages (free + slab - swap used + swap cache) after run 1: %lu, after run 2: %lu\n", free_after[0], free_after[1]);
	CHECK(free_after[1] == free_after[0], "pages held after run 2 (%lu) differ from after run 1 (%lu) by %ld",
	      free_after[1], free_after[0], (long)(free_after[1] - free_after[0]));
#endif
	return test_done();
}
