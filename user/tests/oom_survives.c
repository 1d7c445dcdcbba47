/*
 * oom_survives - a child maps and touches anonymous memory until mmap
 * fails or it is killed. The kernel must survive it: the parent checks the
 * child either saw ENOMEM (exit 0), finished its quota (exit 1: allowed,
 * e.g. with swap or on Linux), or was killed by a signal; then it maps,
 * touches and forks again to show the system still works. The child's
 * quota is twice the physical memory. On Linux the child first limits its
 * address space (RLIMIT_AS) so the test stays harmless to the host; on
 * Secundus every page must be back (free pages, counted as uapi_vmstat.h
 * says, since the parent's own pages may have gone to swap meanwhile).
 */
#include "test.h"
#ifdef __secundus__
#include <secundus/vmstat.h>
#else
#include <sys/resource.h>
#endif

#define CHUNK_PAGES 256         /* 1 MiB per mmap */

enum { SAW_ENOMEM = 0, QUOTA_DONE = 1, OTHER_ERRNO = 2 };

static void hog(long quota_pages)
{
#ifndef __secundus__
	struct rlimit rl = { 256UL << 20, 256UL << 20 };
	setrlimit(RLIMIT_AS, &rl);
#endif
	long touched = 0;
	while (touched < quota_pages) {
		char *p = mmap(NULL, CHUNK_PAGES * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			printf("oom_survives: child: mmap failed after %ld pages, errno %d\n", touched, e);
			_exit(e == ENOMEM ? SAW_ENOMEM : OTHER_ERRNO);
		}
		for (long pg = 0; pg < CHUNK_PAGES; pg++)
			p[pg * PAGE] = 1;       /* may be where the kernel runs out */
		touched += CHUNK_PAGES;
	}
	printf("oom_survives: child: touched all %ld pages\n", touched);
	_exit(QUOTA_DONE);
}

int main(void)
{
	test_start("oom_survives", "a process that exhausts memory is refused or killed; the system survives");
	touch_stack(16);
	long phys = sysconf(_SC_PHYS_PAGES);
	CHECK(phys > 0, "sysconf(_SC_PHYS_PAGES) = %ld", phys);
	if (phys <= 0)
		phys = 32768;
	long quota = 2 * phys;

	/* Warm up once (see fork_exit_baseline) with a trivial child. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
#ifdef __secundus__
	struct secundus_vmstat before, after;
	CHECK(secundus_vmstat(&before) == 0, "secundus_vmstat: errno %d", errno);
#endif

	pid = fork();
	if (pid < 0)
		FATAL("fork: errno %d", errno);
	if (pid == 0)
		hog(quota);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: errno %d", errno);
	char buf[32];
	printf("oom_survives: child ended with %s\n", status_str(st, buf, sizeof(buf)));
	CHECK((WIFEXITED(st) && (WEXITSTATUS(st) == SAW_ENOMEM || WEXITSTATUS(st) == QUOTA_DONE)) ||
	      WIFSIGNALED(st), "child ended with %s (exit 2: mmap failed with an errno other than ENOMEM)", buf);

	/* The system still works: memory, fork, exit. */
	char *p = map_pages(64, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(p, 0x42, 64 * PAGE);
	size_t bad = 0;
	for (size_t i = 0; i < 64 * PAGE; i++)
		bad += p[i] != 0x42;
	CHECK(bad == 0, "memory after OOM broken: %zu bytes", bad);
	munmap(p, 64 * PAGE);
	pid = fork();
	if (pid == 0) {
		char *q = malloc(1 << 20);
		if (!q)
			_exit(1);
		memset(q, 1, 1 << 20);
		_exit(7);
	}
	st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "fork after OOM: status 0x%x", st);
#ifdef __secundus__
	CHECK(secundus_vmstat(&after) == 0, "secundus_vmstat: errno %d", errno);
	/* Our own pages may have gone to swap meanwhile: compare what uapi_vmstat.h says stays constant. */
	long held_before = (long)(before.free_pages + before.slab_pages - before.swap_used + before.swapcache_pages);
	long held_after = (long)(after.free_pages + after.slab_pages - after.swap_used + after.swapcache_pages);
	printf("oom_survives: free pages %lu before, %lu after; swap slots used %lu before, %lu after\n",
	       before.free_pages, after.free_pages, before.swap_used, after.swap_used);
	CHECK(held_after == held_before, "%ld pages not returned after OOM", held_before - held_after);
#endif
	return test_done();
}
