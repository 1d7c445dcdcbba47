/*
 * notifierbench: the cost of the MMU-notifier hooks. The same page-fault
 * and munmap figures as vmbench, first with no notifier registered on the
 * process (each hook is one test of an empty list), then with one (the
 * mirror device bound to the process, holding no entries). Prints
 * `BENCH notifier_<figure>_<0|1> <value> <unit>`. On Linux (no mirror
 * device) only the _0 figures are printed.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __secundus__
#include <secundus/mirror.h>
#endif

#define PAGE 4096UL
#define FAULT_PAGES 1024
#define MUNMAP_PAGES 512
#define RUNS 5

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t fault_cost(void)
{
	char *p = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t0 = rdtsc();
	for (unsigned long i = 0; i < FAULT_PAGES; i++)
		p[i * PAGE] = 1;
	uint64_t t = rdtsc() - t0;
	munmap(p, FAULT_PAGES * PAGE);
	return t / FAULT_PAGES;
}

static uint64_t munmap_cost(void)
{
	char *p = mmap(NULL, MUNMAP_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (unsigned long i = 0; i < MUNMAP_PAGES; i++)
		p[i * PAGE] = 1;
	uint64_t t0 = rdtsc();
	munmap(p, MUNMAP_PAGES * PAGE);
	return rdtsc() - t0;
}

static uint64_t median(uint64_t (*f)(void))
{
	uint64_t v[RUNS];
	for (int i = 0; i < RUNS; i++)
		v[i] = f();
	for (int i = 0; i < RUNS; i++)
		for (int j = i + 1; j < RUNS; j++)
			if (v[j] < v[i]) {
				uint64_t t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	return v[RUNS / 2];
}

static void report(int notifiers)
{
	printf("BENCH notifier_fault_anon_%d %lu cycles/page\n", notifiers, (unsigned long)median(fault_cost));
	printf("BENCH notifier_munmap_512_%d %lu cycles/call\n", notifiers, (unsigned long)median(munmap_cost));
}

int main(void)
{
	printf("notifierbench: page fault and munmap with 0 and 1 MMU notifiers registered\n");
	report(0);
#ifdef __secundus__
	int h = mirror_open();
	if (h >= 0) {
		report(1);
		mirror_close(h);
	}
#endif
	return 0;
}
