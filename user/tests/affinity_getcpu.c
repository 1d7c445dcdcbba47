/*
 * affinity_getcpu - sched_setaffinity pins the calling thread to one CPU
 * at a time, and sched_getcpu then reports that CPU (checked repeatedly,
 * across sched_yield). Covers every online CPU (sysconf(
 * _SC_NPROCESSORS_ONLN)) that the process may use: on Secundus that must
 * be all of them; on Linux a container may allow fewer. Also: an empty
 * set is refused with EINVAL, sched_getaffinity reports what was set, the
 * original affinity is restored, and a thread's pinning is its own.
 */
#define _GNU_SOURCE
#include "test.h"
#include <sched.h>
#include <pthread.h>

static volatile int thread_cpu = -1;

static void *pinned_thread(void *arg)
{
	int cpu = (int)(long)arg;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		return (void *)1;
	for (int i = 0; i < 10; i++) {
		sched_yield();
		if (sched_getcpu() != cpu)
			return (void *)2;
	}
	thread_cpu = sched_getcpu();
	return NULL;
}

int main(void)
{
	test_start("affinity_getcpu", "sched_setaffinity moves the thread; sched_getcpu reports the CPU");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	CHECK(ncpu >= 1, "sysconf(_SC_NPROCESSORS_ONLN) = %ld", ncpu);
	if (ncpu < 1)
		return test_done();
	printf("affinity_getcpu: %ld CPU(s) online\n", ncpu);

	cpu_set_t orig;
	CHECK(sched_getaffinity(0, sizeof(orig), &orig) == 0, "sched_getaffinity: errno %d", errno);
	int allowed = 0;
	for (int c = 0; c < ncpu; c++)
		allowed += CPU_ISSET(c, &orig) ? 1 : 0;
#ifdef __secundus__
	CHECK(allowed == ncpu, "initial affinity allows %d of %ld CPUs", allowed, ncpu);
	CHECK(CPU_COUNT(&orig) == ncpu, "CPU_COUNT of the initial set is %d", CPU_COUNT(&orig));
#endif
	int first = sched_getcpu();
	CHECK(first >= 0 && first < ncpu, "sched_getcpu() = %d", first);

	int tried = 0;
	for (int rep = 0; rep < 2; rep++) {
		for (int c = 0; c < ncpu; c++) {
			int cpu = rep ? (int)ncpu - 1 - c : c;  /* up, then down */
			if (!CPU_ISSET(cpu, &orig))
				continue;
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			CHECK(CPU_COUNT(&set) == 1 && CPU_ISSET(cpu, &set), "CPU_SET/CPU_COUNT broken");
			if (sched_setaffinity(0, sizeof(set), &set) != 0) {
				CHECK(0, "sched_setaffinity to CPU %d: errno %d", cpu, errno);
				continue;
			}
			tried++;
			int now = sched_getcpu();
			CHECK(now == cpu, "pinned to CPU %d, sched_getcpu() says %d", cpu, now);
			for (int i = 0; i < 5; i++) {
				sched_yield();
				now = sched_getcpu();
				CHECK(now == cpu, "after sched_yield: pinned to %d, on %d", cpu, now);
			}
			cpu_set_t got;
			CHECK(sched_getaffinity(0, sizeof(got), &got) == 0, "sched_getaffinity: errno %d", errno);
			CHECK(CPU_COUNT(&got) == 1 && CPU_ISSET(cpu, &got), "sched_getaffinity reports %d CPUs",
			      CPU_COUNT(&got));
		}
	}
	CHECK(tried > 0, "no CPU could be tried");

	/* An empty set is refused and changes nothing. */
	cpu_set_t empty;
	CPU_ZERO(&empty);
	errno = 0;
	CHECK(sched_setaffinity(0, sizeof(empty), &empty) == -1 && errno == EINVAL,
	      "empty set: errno %d", errno);
	/* CPU_CLR */
	cpu_set_t two;
	CPU_ZERO(&two);
	CPU_SET(0, &two);
	CPU_SET(5, &two);
	CPU_CLR(0, &two);
	CHECK(!CPU_ISSET(0, &two) && CPU_ISSET(5, &two) && CPU_COUNT(&two) == 1, "CPU_CLR broken");

	/* Back to the original set. */
	CHECK(sched_setaffinity(0, sizeof(orig), &orig) == 0, "restore affinity: errno %d", errno);

	/* A thread pins itself to the last allowed CPU; the main thread's
	 * affinity is untouched by that. */
	int last = -1;
	for (int c = 0; c < ncpu; c++)
		if (CPU_ISSET(c, &orig))
			last = c;
	pthread_t t;
	void *ret = (void *)-1;
	CHECK(pthread_create(&t, NULL, pinned_thread, (void *)(long)last) == 0, "pthread_create");
	CHECK(pthread_join(t, &ret) == 0 && ret == NULL, "pinned thread failed: %ld", (long)ret);
	CHECK(thread_cpu == last, "thread ran on %d, pinned to %d", thread_cpu, last);
	cpu_set_t mine;
	CHECK(sched_getaffinity(0, sizeof(mine), &mine) == 0, "sched_getaffinity");
	CHECK(CPU_COUNT(&mine) == CPU_COUNT(&orig), "main thread's affinity changed by the thread's: %d CPUs",
	      CPU_COUNT(&mine));
	return test_done();
}
