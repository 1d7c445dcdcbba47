/*
 * swap_anon - anonymous private memory of 2.5 times the RAM is swapped out
 * and back without losing a bit.
 *
 * One mapping of 2.5x ram_pages() is filled with a per-page pattern (every
 * 8-byte word depends on the page, the word and a seed: swaptest.h), then
 * every word is verified, which swaps the early pages back in and pushes
 * the later ones out. Every third page is then rewritten with a second
 * seed (pages that are in swap get a fresh copy, pages in memory are
 * dirtied again) and everything is verified once more, each page against
 * the seed it must hold. On Secundus vmstat's pswpout must have grown by
 * at least the pages that cannot fit in RAM, and pswpin by at least half
 * of that (the verify pass reads them back).
 */
#include "swaptest.h"

static size_t verify_mixed(const char *what, const char *p, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned seed = i % 3 == 0 ? 2 : 1;
		long w = bad_word(p, i, seed);
		if (w >= 0) {
			if (bad < 5)
				report_bad(what, p, i, w, seed);
			bad++;
		}
	}
	return bad;
}

int main(void)
{
	test_start("swap_anon", "2.5x RAM of anonymous memory goes to swap and back intact (every word, twice)");
	size_t ram = ram_pages();
	size_t n = ram * 5 / 2;
	printf("swap_anon: RAM %zu pages, mapping %zu pages (%zu MiB)\n", ram, n, n * PAGE >> 20);
#ifdef __secundus__
	struct secundus_swapinfo si;
	struct secundus_vmstat v0, v1;
	require_swap(n - ram / 2, &si);
	get_vmstat(&v0);
#endif
	char *p = map_anon(n);
	long t = ms_now();
	fill_pages(p, 0, n, 1);
	printf("swap_anon: filled in %ld ms\n", ms_now() - t);
	t = ms_now();
	size_t bad = verify_pages("pass 1", p, 0, n, 1);
	printf("swap_anon: pass 1 verified in %ld ms, %zu bad pages\n", ms_now() - t, bad);
	CHECK(bad == 0, "pass 1: %zu of %zu pages do not hold their pattern", bad, n);

	t = ms_now();
	for (size_t i = 0; i < n; i += 3)
		fill_pages(p, i, 1, 2);
	bad = verify_mixed("pass 2", p, n);
	printf("swap_anon: pass 2 (every third page rewritten) in %ld ms, %zu bad pages\n", ms_now() - t, bad);
	CHECK(bad == 0, "pass 2: %zu of %zu pages do not hold their pattern", bad, n);
#ifdef __secundus__
	get_vmstat(&v1);
	unsigned long out = v1.pswpout - v0.pswpout, in = v1.pswpin - v0.pswpin;
	printf("swap_anon: pswpout +%lu, pswpin +%lu, swap-cache hits +%lu, scanned +%lu, reclaimed +%lu, "
	       "direct reclaims +%lu, kswapd wakeups +%lu\n", out, in, v1.swapcache_hits - v0.swapcache_hits,
	       v1.reclaim_scanned - v0.reclaim_scanned, v1.reclaim_reclaimed - v0.reclaim_reclaimed,
	       v1.reclaim_direct - v0.reclaim_direct, v1.kswapd_wakeups - v0.kswapd_wakeups);
	CHECK(out >= n - ram, "pswpout grew by %lu, expected at least %zu (the pages that do not fit in RAM)", out,
	      n - ram);
	CHECK(in >= (n - ram) / 2, "pswpin grew by %lu, expected at least %zu", in, (n - ram) / 2);
	get_swapinfo(&si);
	print_swapinfo("end", &si);
#endif
	CHECK(munmap(p, n * PAGE) == 0, "munmap: errno %d", errno);
	return test_done();
}
