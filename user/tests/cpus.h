/*
 * cpus.h - helpers shared by the multi-CPU tests (tlb_*.c): the time in
 * milliseconds, pinning the calling thread to a CPU, and listing the CPUs
 * this process may use. Header-only like test.h; include it after
 * <sched.h> and <time.h> (with _GNU_SOURCE defined first on Linux).
 */
#ifndef USER_TESTS_CPUS_H
#define USER_TESTS_CPUS_H

/* Monotonic time in milliseconds (user code has no floating point). */
static inline long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the calling thread on `cpu` only; 0 or -1 as sched_setaffinity. */
static inline int pin_self(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The CPUs this process may use (on Secundus: every online CPU), at most max; how many. */
static inline int usable_cpus(int *list, int max)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	int k = 0;
	for (int c = 0; c < n && c < CPU_SETSIZE && k < max; c++)
		if (CPU_ISSET(c, &set))
			list[k++] = c;
	return k;
}
#endif
