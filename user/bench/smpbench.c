/*
 * smpbench - what a TLB shootdown costs when other CPUs run the address
 * space, in TSC cycles (rdtsc on the munmapping CPU). Under `make bench`
 * QEMU runs with -icount: the TSC then counts guest instructions of ALL
 * vCPUs (they take turns on one host thread), so a figure is the
 * instructions the whole machine executed during the call — the
 * munmapping CPU's, the IPI handlers' on the others, and the few the
 * spinners run between two `pause`s — and it repeats exactly. On Linux
 * the figures are real TSC ticks. The same source builds for both.
 *
 *   smpbench          needs 4 CPUs (skipped, exit 0, with fewer): the main
 *                     thread on the first CPU munmaps 1, 16 and 512
 *                     populated pages (between two more mapped pages, so
 *                     no page table is freed) while spinner threads
 *                     pinned on 3 other CPUs run the same mm (they read
 *                     the whole region first, so their TLBs hold it, then
 *                     spin on a control page). Figures smp4_munmap_N (cycles/call)
 *                     and, on Secundus, smp4_munmap_N_ipis (IPIs/call,
 *                     from the vmstat counters).
 *   smpbench round    one spinner on every other online CPU, munmap of 1
 *                     page: the cost of one shootdown round with N CPUs,
 *                     shootdown_round_cpus_N (cycles/call) and
 *                     shootdown_round_cpus_N_ipis (Secundus).
 *
 * Each figure is the median of REPS calls. Output: a table, then one line
 * per figure: BENCH <name> <value> <unit>.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <errno.h>
#include <unistd.h>
#include <sched.h>
#include <pthread.h>
#include <sys/mman.h>
#ifdef __secundus__
#include <secundus/vmstat.h>
#endif

#define PAGE 4096UL
#define REPS 5
#define MAX_CPUS 64
#define MAX_FIGURES 16
#define SMP_CPUS 4              /* the default mode's CPU count */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

struct figure {
	char name[48];
	const char *unit;
	uint64_t v[REPS];
};

static struct figure figures[MAX_FIGURES];
static int nfigures;

static void record(const char *name, const char *unit, int rep, uint64_t value)
{
	int i;
	for (i = 0; i < nfigures; i++)
		if (!strcmp(figures[i].name, name))
			break;
	if (i == nfigures) {
		if (nfigures == MAX_FIGURES) {
			printf("smpbench: too many figures\n");
			exit(1);
		}
		snprintf(figures[i].name, sizeof(figures[i].name), "%s", name);
		figures[i].unit = unit;
		nfigures++;
	}
	figures[i].v[rep] = value;
}

/* ---------------------------------------------------------------- spinners */

#define CMD_SPIN 0
#define CMD_TOUCH 1
#define CMD_QUIT 2

static struct {
	volatile int cmd;
	volatile int gen;
	volatile int go;                /* the spinners may start spinning */
	volatile int arrived[MAX_CPUS]; /* spinner i is on its CPU */
	volatile int ack[MAX_CPUS];
} ctl;
static volatile unsigned char *region;
static size_t region_pages;
static int cpu_list[MAX_CPUS];

static int pin_self(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static inline void cpu_pause(void)
{
	__asm__ volatile("pause");
}

/*
 * Getting the spinners going under -icount (QEMU 7.2) takes care: a
 * halted vCPU gets no timer interrupt while another vCPU is busy, so a
 * thread moving to an idle CPU (which waits for that CPU's tick) only gets
 * there while every CPU is idle; and while every running vCPU spins with
 * `pause`, virtual time crawls (a few instructions per round-robin turn),
 * so nobody should sleep then. Hence: each spinner moves while all the
 * others sleep, then sleeps itself until `go`; the main thread waits by
 * sleeping until everyone is on its CPU, and by spinning once they run.
 */
static void *spinner(void *arg)
{
	int idx = (int)(long)arg;
	if (pin_self(cpu_list[idx]) != 0)
		printf("smpbench: cannot pin a spinner to CPU %d\n", cpu_list[idx]);
	__atomic_store_n(&ctl.arrived[idx], 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&ctl.go, __ATOMIC_SEQ_CST))
		usleep(1000);
	unsigned sum = 0;
	for (;;) {
		int g = __atomic_load_n(&ctl.gen, __ATOMIC_SEQ_CST);
		int c = __atomic_load_n(&ctl.cmd, __ATOMIC_SEQ_CST);
		if (c == CMD_QUIT)
			break;
		if (c == CMD_TOUCH)
			for (size_t i = 0; i < region_pages; i++)
				sum += region[i * PAGE];
		__atomic_store_n(&ctl.ack[idx], g, __ATOMIC_SEQ_CST);
		cpu_pause();    /* under -icount: hand the host thread to the next vCPU */
	}
	return (void *)(unsigned long)sum;
}

/* Post a command; wait (spinning: the spinners run) until spinners 1..n-1 have seen it. */
static void command(int cmd, int n)
{
	__atomic_store_n(&ctl.cmd, cmd, __ATOMIC_SEQ_CST);
	int g = __atomic_add_fetch(&ctl.gen, 1, __ATOMIC_SEQ_CST);
	for (int i = 1; i < n; i++)
		while (__atomic_load_n(&ctl.ack[i], __ATOMIC_SEQ_CST) != g)
			cpu_pause();
}

static pthread_t threads[MAX_CPUS];

static void start_spinners(int n)
{
	for (int i = 1; i < n; i++) {
		if (pthread_create(&threads[i], NULL, spinner, (void *)(long)i) != 0) {
			printf("smpbench: pthread_create failed\n");
			exit(1);
		}
		while (!__atomic_load_n(&ctl.arrived[i], __ATOMIC_SEQ_CST))
			usleep(1000);
	}
	__atomic_store_n(&ctl.go, 1, __ATOMIC_SEQ_CST);
	usleep(1000);           /* every spinner's sleep ends by the time ours does */
	command(CMD_SPIN, n);   /* all of them spinning */
}

static void stop_spinners(int n)
{
	command(CMD_QUIT, 1);
	for (int i = 1; i < n; i++)
		pthread_join(threads[i], NULL);
}

/* ---------------------------------------------------------------- measurement */

static unsigned char *map_populated(size_t n)
{
	unsigned char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("smpbench: mmap of %zu pages failed: errno %d\n", n, errno);
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = (unsigned char)i;
	return p;
}

/*
 * One munmap of n pages with the spinners (1..ncpu-1) holding them in
 * their TLBs. The n pages sit between two more mapped pages, which keep
 * the page tables at both ends alive, so what is measured does not depend
 * on where the mapping happened to land (a lone page would also free its
 * page table, and cost more).
 */
static void measure_munmap(size_t n, int ncpu, int rep, const char *name)
{
	unsigned char *p = map_populated(n + 2);
	region = p + PAGE;
	region_pages = n;
	command(CMD_TOUCH, ncpu);
	command(CMD_SPIN, ncpu);
#ifdef __secundus__
	struct secundus_vmstat a, b;
	secundus_vmstat(&a);
#endif
	uint64_t t0 = rdtsc();
	munmap(p + PAGE, n * PAGE);
	uint64_t t1 = rdtsc();
	record(name, "cycles/call", rep, t1 - t0);
#ifdef __secundus__
	secundus_vmstat(&b);
	char ipis[64];
	snprintf(ipis, sizeof(ipis), "%s_ipis", name);
	record(ipis, "IPIs/call", rep, b.ipis_sent - a.ipis_sent);
#endif
	munmap(p, PAGE);
	munmap(p + (n + 1) * PAGE, PAGE);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *title)
{
	printf("smpbench: %s; median of %d runs\n", title, REPS);
	printf("%-32s %12s %-12s %12s %12s\n", "figure", "median", "unit", "min", "max");
	for (int i = 0; i < nfigures; i++) {
		struct figure *f = &figures[i];
		uint64_t s[REPS];
		memcpy(s, f->v, sizeof(s));
		qsort(s, REPS, sizeof(s[0]), cmp_u64);
		printf("%-32s %12llu %-12s %12llu %12llu\n", f->name, (unsigned long long)s[REPS / 2], f->unit,
		       (unsigned long long)s[0], (unsigned long long)s[REPS - 1]);
		f->v[0] = s[REPS / 2];
	}
	for (int i = 0; i < nfigures; i++)
		printf("BENCH %s %llu %s\n", figures[i].name, (unsigned long long)figures[i].v[0], figures[i].unit);
}

/* The CPUs this process may use (on Secundus: every online CPU). */
static int usable_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	int k = 0;
	for (int c = 0; c < n && c < CPU_SETSIZE && k < MAX_CPUS; c++)
		if (CPU_ISSET(c, &set))
			cpu_list[k++] = c;
	return k;
}

int main(int argc, char **argv)
{
	int ncpu = usable_cpus();
	if (ncpu < 1) {
		printf("smpbench: no usable CPU\n");
		return 1;
	}
	int round_mode = argc > 1 && !strcmp(argv[1], "round");
	if (!round_mode && ncpu < SMP_CPUS) {
		printf("smpbench: skipped: needs %d CPUs, %d usable (`smpbench round` works with any number)\n",
		       SMP_CPUS, ncpu);
		return 0;
	}
	int n = round_mode ? ncpu : SMP_CPUS;
	if (pin_self(cpu_list[0]) != 0) {
		printf("smpbench: cannot pin to CPU %d\n", cpu_list[0]);
		return 1;
	}
	start_spinners(n);
	/* One warm-up call of each kind (first faults, spinner stacks). */
	for (int rep = -1; rep < REPS; rep++) {
		int r = rep < 0 ? 0 : rep;
		if (round_mode) {
			char name[48];
			snprintf(name, sizeof(name), "shootdown_round_cpus_%d", n);
			measure_munmap(1, n, r, name);
		} else {
			measure_munmap(1, n, r, "smp4_munmap_1");
			measure_munmap(16, n, r, "smp4_munmap_16");
			measure_munmap(512, n, r, "smp4_munmap_512");
		}
	}
	stop_spinners(n);
	char title[96];
	snprintf(title, sizeof(title), "munmap with spinners on %d other CPU(s), TSC cycles (instructions under -icount)",
		 n - 1);
	report(title);
	return 0;
}
