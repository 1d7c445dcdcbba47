/*
 * swap_io_errors - injected swap I/O errors never show wrong data.
 *
 * With fault injection on (secundus_swap_fail: every read_every-th swap
 * read and every write_every-th swap write fails), a child fills 2x RAM
 * with a pattern and verifies every word. It must either exit 0 (all its
 * data right) or, when reads fail, die by SIGBUS: a failed write must leave
 * the page in memory intact, a failed read must never map a wrong page.
 * Settings, one child each: (7, 5), (0, 3) (only writes fail: the child
 * must exit 0), (61, 5). Progress is left in a MAP_SHARED page (never
 * swapped) so a killed child still tells how far it got.
 *
 * Then the mirror device: a child pushes a region out to swap, sets
 * read_every=1 and reads swapped-out pages through the device; a read must
 * fail with EIO (or succeed with the right data), and after injection is
 * off again, read right or fail with EIO, never return wrong data.
 *
 * At the end, with injection off: swapinfo reported the settings while they
 * were in force, the free swap slots are back to their baseline with an
 * empty swap cache, and vmstat's swap_read_errors and swap_write_errors grew
 * (sigbus_kills by the number of SIGBUS deaths).
 *
 * While a child runs with injection on, the test itself must not need a
 * swap-in (it would get SIGBUS too): it waits in run_child_injected()'s
 * stub, which touches no swappable page and turns injection off as soon as
 * the child is gone (swaptest.h).
 */
#include "swaptest.h"
#ifdef __secundus__
#include <secundus/mirror.h>

struct progress {
	volatile unsigned long want_r, want_w, si_r, si_w;     /* injection set, and as swapinfo saw it */
	volatile size_t filled, verified, bad;
	volatile size_t dev_tried, dev_eio, dev_ok, dev_wrong, dev_other;
	volatile size_t dev_after_ok, dev_after_eio, dev_after_wrong, dev_after_other;
	volatile int dev_other_errno;
};
static struct progress *R;
static size_t ram;

static void hog(void *arg)
{
	(void)arg;
	size_t n = 2 * ram;
	struct secundus_swapinfo si;
	get_swapinfo(&si);
	R->si_r = si.read_fail_every, R->si_w = si.write_fail_every;
	char *p = map_anon(n);
	for (size_t i = 0; i < n; i++) {
		fill_pages(p, i, 1, 1);
		R->filled = i + 1;
	}
	for (size_t i = 0; i < n; i++) {
		long w = bad_word(p, i, 1);
		if (w >= 0 && R->bad++ < 5)
			report_bad("child", p, i, w, 1);
		R->verified = i + 1;
	}
	_exit(R->bad ? 1 : 0);
}

/* Read `count` pages from `first` through the device; tally in R. */
static void device_reads(int h, const char *p, size_t first, size_t count, int after)
{
	static uint64_t buf[WORDS_PER_PAGE];
	for (size_t i = first; i < first + count; i++) {
		int r = mirror_read(h, p + i * PAGE, buf, PAGE);
		int e = errno, wrong = 0;
		if (r == 0)
			for (size_t w = 0; w < WORDS_PER_PAGE; w++)
				wrong |= buf[w] != pat_word(i, w, 1);
		if (!after) {
			R->dev_tried++;
			if (r == 0)
				wrong ? R->dev_wrong++ : R->dev_ok++;
			else if (e == EIO)
				R->dev_eio++;
			else
				R->dev_other++, R->dev_other_errno = e;
		} else {
			if (r == 0)
				wrong ? R->dev_after_wrong++ : R->dev_after_ok++;
			else if (e == EIO)
				R->dev_after_eio++;
			else
				R->dev_after_other++, R->dev_other_errno = e;
		}
	}
}

#define DEV_PAGES 32

static void device_child(void *arg)
{
	(void)arg;
	size_t n = ram, ns = ram / 2;
	char *p = map_anon(n);
	int h = mirror_open();
	if (h < 0)
		FATAL("mirror_open: errno %d", errno);
	fill_pages(p, 0, n, 1);
	char *scratch = map_anon(ns);
	fill_pages(scratch, 0, ns, 2);          /* the first pages of p are surely in swap now */
	/* Free memory well above the watermarks, and reclaim given time to
	 * finish the round it was in (so it takes none of our own pages from
	 * now on), and our own pages back in, before every swap read fails. */
	munmap(scratch, ns * PAGE);
	struct secundus_swapinfo si;
	for (int i = 0; i < 100; i++) {
		usleep(20000);
		get_swapinfo(&si);
		if (si.free_pages > si.wmark_high + 64)
			break;
	}
	usleep(50000);
	touch_self();
	if (secundus_swap_fail(1, 0) != 0)
		FATAL("secundus_swap_fail: errno %d", errno);
	device_reads(h, p, 0, DEV_PAGES, 0);
	secundus_swap_fail(0, 0);
	device_reads(h, p, 0, DEV_PAGES, 1);
	_exit(0);
}

int main(void)
{
	test_start("swap_io_errors", "with swap read/write errors injected a process sees right data or SIGBUS");
	ram = ram_pages();
	struct secundus_swapinfo si;
	struct secundus_vmstat v0, v1;
	require_swap(2 * ram, &si);
	unsigned long base = si.free_slots;
	get_vmstat(&v0);
	R = map_shared(sizeof(*R));
	static const unsigned long settings[][2] = { { 7, 5 }, { 0, 3 }, { 61, 5 } };
	int sigbus = 0;
	for (unsigned k = 0; k < sizeof settings / sizeof settings[0]; k++) {
		unsigned long r = settings[k][0], w = settings[k][1];
		memset((void *)R, 0, sizeof(*R));
		R->want_r = r, R->want_w = w;
		long t = ms_now();
		int st = run_child_injected(r, w, hog, NULL);
		char b[32];
		CHECK(R->si_r == r && R->si_w == w,
		      "swapinfo said read_fail_every %lu, write_fail_every %lu; set %lu, %lu", R->si_r, R->si_w, r, w);
		printf("swap_io_errors: read_every %lu write_every %lu: child ended with %s after %ld ms: "
		       "%zu of %zu pages filled, %zu verified, %zu wrong\n", r, w,
		       st < 0 ? "?" : status_str(st, b, sizeof b), ms_now() - t, R->filled, 2 * ram, R->verified,
		       R->bad);
		CHECK(R->bad == 0, "read_every %lu write_every %lu: the child saw %zu wrong pages", r, w, R->bad);
		int exit0 = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
		int bus = st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS;
		sigbus += bus;
		if (r == 0)
			CHECK(exit0, "only writes fail: the child must exit 0, it ended with %s",
			      st < 0 ? "?" : status_str(st, b, sizeof b));
		else
			CHECK(exit0 || bus, "the child must exit 0 or die by SIGBUS, it ended with %s",
			      st < 0 ? "?" : status_str(st, b, sizeof b));
	}

	memset((void *)R, 0, sizeof(*R));
	char b[32];
	int st = run_child_injected(0, 0, device_child, NULL);  /* it turns injection on itself */
	printf("swap_io_errors: device reads of swapped-out pages with every read failing: %zu tried: %zu EIO, "
	       "%zu right, %zu wrong, %zu other errors; with injection off again: %zu right, %zu EIO, %zu wrong, "
	       "%zu other errors; the child ended with %s\n", R->dev_tried, R->dev_eio, R->dev_ok, R->dev_wrong,
	       R->dev_other, R->dev_after_ok, R->dev_after_eio, R->dev_after_wrong, R->dev_after_other,
	       st < 0 ? "?" : status_str(st, b, sizeof b));
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the device child ended with %s",
	      st < 0 ? "?" : status_str(st, b, sizeof b));
	CHECK(R->dev_tried == DEV_PAGES && R->dev_eio > 0, "no device read failed with EIO (%zu of %zu tried)",
	      R->dev_eio, R->dev_tried);
	CHECK(R->dev_wrong == 0 && R->dev_after_wrong == 0, "the device read %zu + %zu wrong pages", R->dev_wrong,
	      R->dev_after_wrong);
	CHECK(R->dev_other == 0 && R->dev_after_other == 0, "device errors other than EIO: %zu + %zu (errno %d)",
	      R->dev_other, R->dev_after_other, R->dev_other_errno);

	get_swapinfo(&si);
	CHECK(si.read_fail_every == 0 && si.write_fail_every == 0, "injection still on: %lu, %lu",
	      si.read_fail_every, si.write_fail_every);
	check_slots_back("after the children", base);
	get_vmstat(&v1);
	printf("swap_io_errors: swap read errors +%lu, write errors +%lu, SIGBUS kills +%lu (%d seen)\n",
	       v1.swap_read_errors - v0.swap_read_errors, v1.swap_write_errors - v0.swap_write_errors,
	       v1.sigbus_kills - v0.sigbus_kills, sigbus);
	CHECK(v1.swap_read_errors > v0.swap_read_errors, "vmstat swap_read_errors did not grow");
	CHECK(v1.swap_write_errors > v0.swap_write_errors, "vmstat swap_write_errors did not grow");
	CHECK(v1.sigbus_kills - v0.sigbus_kills == (unsigned long)sigbus, "sigbus_kills grew by %lu, %d seen",
	      v1.sigbus_kills - v0.sigbus_kills, sigbus);
	return test_done();
}
#else
int main(void)
{
	printf("swap_io_errors: fault injection exists only on Secundus; skipped\n");
	return 0;
}
#endif
