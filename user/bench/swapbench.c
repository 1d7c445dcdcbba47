/*
 * swapbench - what swapping costs, in guest instructions. Needs a swap
 * area and memory pressure: `make bench` runs it in a boot of its own at
 * MEM=32M with a swap disk (`run swapbench` at the shell). Without a swap
 * area (the 128M bench-mode boot has no disk) it says so and exits 0.
 *
 * Under -icount the TSC counts guest instructions (of every vCPU, and of
 * the reclaim thread as well as this process). This boot runs with
 * -icount sleep=on: while the CPU is halted waiting for the disk, the
 * clock follows real time (1 tick per ns), so a figure is instructions
 * plus nanoseconds of waiting: work per page of the whole machine, for
 * comparing kernel versions; the waits vary with the host by some 30%.
 *
 *   swap_out_throughput   pages written to swap per million instructions
 *                         while a region grows from 1x to 2x RAM (each new
 *                         page forces one old page out: fault, reclaim,
 *                         write)
 *   swap_in_throughput    pages read back per million instructions while
 *                         the first RAM/2 pages of the region are read
 *                         again, with free memory to hold them (the second
 *                         half was unmapped first), so no eviction mixes in
 *   swap_in_fault_cost    instructions per swap-in fault in that same phase
 *   swap_scan_efficiency  pages reclaim looked at per page it freed, over
 *                         the whole run (1.00 is perfect; aging sends
 *                         recently used pages round again)
 * vmstat's pswpout, pswpin, reclaim_scanned and reclaim_reclaimed give the
 * page counts. Each throughput is the median of 3 runs (the fault cost is
 * that of the median swap-in run). Output: a few lines, then
 * BENCH <name> <value> <unit>.
 * Secundus only (on Linux it prints that it is skipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>
#ifdef __secundus__
#include <secundus/vmstat.h>
#include <secundus/swap.h>

#define PAGE 4096UL
#define REPS 3          /* each figure: the median of 3 runs */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void vmstat(struct secundus_vmstat *v)
{
	if (secundus_vmstat(v) != 0) {
		printf("swapbench: secundus_vmstat: errno %d\n", errno);
		exit(1);
	}
}

/* value/scale with two decimals (user code has no floating point). */
static void print_fixed(const char *name, uint64_t num, uint64_t den, const char *unit)
{
	uint64_t x = den ? (num * 100 + den / 2) / den : 0;
	printf("BENCH %s %lu.%02lu %s\n", name, (unsigned long)(x / 100), (unsigned long)(x % 100), unit);
}

static void touch(char *p, size_t first, size_t n)
{
	for (size_t i = first; i < first + n; i++)
		*(volatile uint64_t *)(p + i * PAGE) = i;
}

struct run {
	uint64_t out, out_cycles, in, in_cycles;
};

/* One measurement: grow a 2x RAM region, then read half a RAM back. */
static int one_run(size_t ram, struct run *r, int verbose)
{
	size_t n = 2 * ram;
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("swapbench: mmap of %zu pages failed: errno %d\n", n, errno);
		return -1;
	}
	struct secundus_vmstat a, b;
	/* Swap-out: the first RAM's worth fills memory, the second pushes out. */
	touch(p, 0, ram);
	vmstat(&a);
	uint64_t t0 = rdtsc();
	touch(p, ram, ram);
	uint64_t t1 = rdtsc();
	vmstat(&b);
	r->out = b.pswpout - a.pswpout, r->out_cycles = t1 - t0;
	if (verbose)
		printf("swapbench: RAM %zu pages; growing from %zu to %zu pages wrote %lu pages to swap in %lu "
		       "instructions\n", ram, ram, n, (unsigned long)r->out, (unsigned long)r->out_cycles);

	/* Swap-in: room first (the second half goes), then read back RAM/2 pages. */
	munmap(p + ram * PAGE, ram * PAGE);
	size_t back = ram / 2;
	vmstat(&a);
	t0 = rdtsc();
	for (size_t i = 0; i < back; i++)
		(void)*(volatile uint64_t *)(p + i * PAGE);     /* a volatile read: the fault happens */
	t1 = rdtsc();
	vmstat(&b);
	r->in = b.pswpin - a.pswpin, r->in_cycles = t1 - t0;
	if (verbose)
		printf("swapbench: reading %zu pages back: %lu swap-ins (%lu swap-cache hits, %lu pages written "
		       "meanwhile) in %lu instructions\n", back, (unsigned long)r->in,
		       b.swapcache_hits - a.swapcache_hits, b.pswpout - a.pswpout, (unsigned long)r->in_cycles);
	munmap(p, ram * PAGE);
	return 0;
}

/* The median of three ratios num/den, as num/den pairs compared by cross-multiplying. */
static int median3(const uint64_t *num, const uint64_t *den)
{
	int idx[3] = { 0, 1, 2 };
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if ((unsigned __int128)num[idx[j]] * den[idx[i]] < (unsigned __int128)num[idx[i]] * den[idx[j]]) {
				int t = idx[i];
				idx[i] = idx[j];
				idx[j] = t;
			}
	return idx[1];
}

int main(void)
{
	struct secundus_swapinfo si;
	if (secundus_swapinfo(&si) != 0 || si.total_slots == 0) {
		printf("swapbench: no swap area here; skipped (make bench runs it in a boot with a swap disk)\n");
		return 0;
	}
	size_t ram = (size_t)sysconf(_SC_PHYS_PAGES);
	if (si.free_slots < 2 * ram) {
		printf("swapbench: %lu free swap slots, %zu needed; skipped\n", si.free_slots, 2 * ram);
		return 0;
	}
	struct secundus_vmstat start, end;
	struct run r[REPS];
	vmstat(&start);
	for (int k = 0; k < REPS; k++)
		if (one_run(ram, &r[k], 1) != 0)
			return 1;
	vmstat(&end);
	uint64_t scanned = end.reclaim_scanned - start.reclaim_scanned;
	uint64_t reclaimed = end.reclaim_reclaimed - start.reclaim_reclaimed;
	printf("swapbench: reclaim scanned %lu pages, reclaimed %lu (young %lu, direct calls %lu, kswapd wakeups %lu)\n",
	       (unsigned long)scanned, (unsigned long)reclaimed, end.reclaim_young - start.reclaim_young,
	       end.reclaim_direct - start.reclaim_direct, end.kswapd_wakeups - start.kswapd_wakeups);

	uint64_t num[REPS], den[REPS];
	for (int k = 0; k < REPS; k++)
		num[k] = r[k].out * 1000000, den[k] = r[k].out_cycles;
	int m = median3(num, den);
	print_fixed("swap_out_throughput", num[m], den[m], "pages/Minstr");
	for (int k = 0; k < REPS; k++)
		num[k] = r[k].in * 1000000, den[k] = r[k].in_cycles;
	m = median3(num, den);
	print_fixed("swap_in_throughput", num[m], den[m], "pages/Minstr");
	printf("BENCH swap_in_fault_cost %lu instr/fault\n", (unsigned long)(r[m].in ? r[m].in_cycles / r[m].in : 0));
	print_fixed("swap_scan_efficiency", scanned, reclaimed, "scanned/reclaimed");
	return 0;
}
#else
int main(void)
{
	printf("swapbench: needs Secundus' swap counters; skipped\n");
	return 0;
}
#endif
