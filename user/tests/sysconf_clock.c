/*
 * sysconf_clock - sysconf reports a 4096-byte page, a positive number of
 * physical pages and online CPUs; CLOCK_MONOTONIC advances and never goes
 * back; nanosleep/usleep sleep at least as long as asked; CLOCK_REALTIME
 * can be read; bad clock ids and sleep requests get EINVAL (and, on
 * Secundus, a bad timespec pointer EFAULT).
 */
#include "test.h"
#include <time.h>

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void)
{
	test_start("sysconf_clock", "sysconf values; CLOCK_MONOTONIC advances; sleeps last");

	long pg = sysconf(_SC_PAGESIZE);
	CHECK(pg == 4096, "_SC_PAGESIZE = %ld", pg);
	CHECK(sysconf(_SC_PAGE_SIZE) == 4096, "_SC_PAGE_SIZE = %ld", sysconf(_SC_PAGE_SIZE));
	long phys = sysconf(_SC_PHYS_PAGES);
	CHECK(phys > 0, "_SC_PHYS_PAGES = %ld", phys);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	CHECK(ncpu >= 1 && ncpu <= 1024, "_SC_NPROCESSORS_ONLN = %ld", ncpu);
	printf("sysconf_clock: page %ld, %ld physical pages, %ld CPU(s)\n", pg, phys, ncpu);
	errno = 0;
	CHECK(sysconf(-12345) == -1 && errno == EINVAL, "sysconf of an unknown name: errno %d", errno);

	struct timespec a, b;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime: errno %d", errno);
	CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L, "tv_nsec = %ld", a.tv_nsec);
	/* Monotonic: a long series of readings never goes back, and moves. */
	long long prev = ns(&a), backwards = 0;
	for (int i = 0; i < 10000; i++) {
		CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0, "clock_gettime: errno %d", errno);
		backwards += ns(&b) < prev;
		prev = ns(&b);
	}
	CHECK(backwards == 0, "CLOCK_MONOTONIC went back %lld times", backwards);

	/* Sleeping 20 ms takes at least 20 ms on the monotonic clock. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct timespec req = { 0, 20 * 1000 * 1000 };
	CHECK(nanosleep(&req, NULL) == 0, "nanosleep: errno %d", errno);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long slept = ns(&b) - ns(&a);
	CHECK(slept >= 20000000LL, "nanosleep(20 ms) took %lld ns", slept);
	CHECK(slept < 5000000000LL, "nanosleep(20 ms) took %lld ns", slept);

	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(usleep(10000) == 0, "usleep: errno %d", errno);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(ns(&b) - ns(&a) >= 10000000LL, "usleep(10000) took %lld ns", ns(&b) - ns(&a));

	/* Bad requests. */
	struct timespec badreq = { 0, 1000000000L };
	errno = 0;
	CHECK(nanosleep(&badreq, NULL) == -1 && errno == EINVAL, "nanosleep(tv_nsec = 1e9): errno %d", errno);
	badreq.tv_sec = -1;
	badreq.tv_nsec = 0;
	errno = 0;
	CHECK(nanosleep(&badreq, NULL) == -1 && errno == EINVAL, "nanosleep(tv_sec = -1): errno %d", errno);
	errno = 0;
	CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL, "clock_gettime(12345): errno %d", errno);
#ifdef __secundus__
	/* (glibc reads the clock in user space, through the vDSO: there a bad
	 * pointer is a SIGSEGV, not EFAULT.) */
	errno = 0;
	CHECK(clock_gettime(CLOCK_MONOTONIC, (struct timespec *)0xffffffff80000000UL) == -1 && errno == EFAULT,
	      "clock_gettime into a kernel address: errno %d", errno);
#endif

	struct timespec rt;
	CHECK(clock_gettime(CLOCK_REALTIME, &rt) == 0, "CLOCK_REALTIME: errno %d", errno);
	CHECK(rt.tv_sec >= 0 && rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000L, "CLOCK_REALTIME = %ld.%09ld",
	      (long)rt.tv_sec, rt.tv_nsec);
	return test_done();
}
