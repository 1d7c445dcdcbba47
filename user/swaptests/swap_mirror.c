/*
 * swap_mirror - the mirror device (a secondary MMU with its own page table,
 * filled through the kernel's fault path) reads and writes pages that are
 * in swap, and what it writes survives the next swap-out.
 *
 * A worker process maps a region of 1.5x RAM and opens a mirror context.
 *  1. The CPU fills the region (seed 1); touching a scratch area of half
 *     the RAM then pushes most of it out to swap. The device reads every page
 *     (mirror_read, one page per call) and each must hold seed 1; vmstat's
 *     pswpin must have grown meanwhile (the device's faults swapped in).
 *  2. The device writes every page (seed 2, mirror_write); the scratch area
 *     is touched again to push the pages out; the CPU verifies seed 2.
 * mirror_stat must count faults and invalidations (swap-out invalidates the
 * device's entries). Afterwards the free swap slots are back to baseline.
 */
#include "swaptest.h"
#ifdef __secundus__
#include <secundus/mirror.h>

static size_t npages, nscratch;
static uint64_t buf[WORDS_PER_PAGE];

static void push_out(char *scratch, unsigned seed)
{
	fill_pages(scratch, 0, nscratch, seed);
}

static void worker(void *arg)
{
	(void)arg;
	char *p = map_anon(npages);
	char *scratch = map_anon(nscratch);
	int h = mirror_open();
	if (h < 0)
		FATAL("mirror_open: errno %d", errno);
	struct secundus_vmstat v0, v1;

	fill_pages(p, 0, npages, 1);
	push_out(scratch, 7);
	get_vmstat(&v0);
	size_t bad = 0, errs = 0;
	long t = ms_now();
	for (size_t i = 0; i < npages; i++) {
		if (mirror_read(h, p + i * PAGE, buf, PAGE) != 0) {
			if (errs++ < 5)
				printf("swap_mirror: mirror_read of page %zu failed: errno %d\n", i, errno);
			continue;
		}
		for (size_t w = 0; w < WORDS_PER_PAGE; w++)
			if (buf[w] != pat_word(i, w, 1)) {
				if (bad++ < 5)
					printf("swap_mirror: device read page %zu word %zu: %#lx, expected %#lx\n", i, w,
					       (unsigned long)buf[w], (unsigned long)pat_word(i, w, 1));
				break;
			}
	}
	get_vmstat(&v1);
	printf("swap_mirror: device read %zu pages in %ld ms: %zu errors, %zu wrong; pswpin +%lu\n", npages,
	       ms_now() - t, errs, bad, v1.pswpin - v0.pswpin);
	CHECK(errs == 0 && bad == 0, "device reads of swapped-out pages: %zu failed, %zu wrong", errs, bad);
	CHECK(v1.pswpin > v0.pswpin, "the device's reads swapped nothing in (pswpin +%lu)", v1.pswpin - v0.pswpin);

	t = ms_now();
	errs = 0;
	for (size_t i = 0; i < npages; i++) {
		for (size_t w = 0; w < WORDS_PER_PAGE; w++)
			buf[w] = pat_word(i, w, 2);
		if (mirror_write(h, p + i * PAGE, buf, PAGE) != 0 && errs++ < 5)
			printf("swap_mirror: mirror_write of page %zu failed: errno %d\n", i, errno);
	}
	get_vmstat(&v0);
	push_out(scratch, 8);
	get_vmstat(&v1);
	printf("swap_mirror: device wrote %zu pages in %ld ms (%zu errors); pushing out wrote %lu pages to swap\n",
	       npages, ms_now() - t, errs, v1.pswpout - v0.pswpout);
	CHECK(errs == 0, "%zu device writes failed", errs);
	bad = verify_pages("CPU after device writes", p, 0, npages, 2);
	printf("swap_mirror: the CPU finds %zu wrong pages\n", bad);
	CHECK(bad == 0, "%zu pages written by the device are wrong when the CPU reads them back", bad);

	struct mirror_stat ms;
	CHECK(mirror_stat(h, &ms) == 0, "mirror_stat: errno %d", errno);
	printf("swap_mirror: device faults %lu, invalidations %lu, entries %lu\n", ms.faults, ms.invalidations,
	       ms.entries);
	CHECK(ms.faults >= npages && ms.invalidations > 0, "the device's faults (%lu) or invalidations (%lu)",
	      ms.faults, ms.invalidations);
	CHECK(mirror_close(h) == 0, "mirror_close: errno %d", errno);
	exit(test_failures ? 1 : 0);
}

int main(void)
{
	test_start("swap_mirror", "a secondary MMU reads and writes swapped-out pages through the fault path");
	size_t ram = ram_pages();
	npages = ram * 3 / 2;
	nscratch = ram / 2;
	printf("swap_mirror: RAM %zu pages, region %zu pages, scratch %zu pages\n", ram, npages, nscratch);
	struct secundus_swapinfo si;
	require_swap(npages + nscratch, &si);
	unsigned long base = si.free_slots;
	char b[32];
	int st = run_child_resident(worker, NULL);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the worker ended with %s",
	      st < 0 ? "?" : status_str(st, b, sizeof b));
	check_slots_back("after the worker", base);
	return test_done();
}
#else
int main(void)
{
	printf("swap_mirror: the mirror device exists only on Secundus; skipped\n");
	return 0;
}
#endif
