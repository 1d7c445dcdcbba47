/*
 * swap_oom - when neither RAM nor swap is left, the biggest process is
 * killed (SIGKILL) and the system goes on.
 *
 * A child maps and touches memory 1 MiB at a time, without bound in
 * principle: its quota is twice RAM + swap, which cannot fit. It must be
 * killed by SIGKILL (signal 9); exiting means it was never stopped (or mmap
 * failed: exit 2). The test itself survives (it stays small, and
 * wait_resident keeps its pages in use), vmstat's oom_kills grew, the free
 * swap slots are back to their baseline, and memory, fork and exit still
 * work afterwards. It prints how long the child took to fill RAM + swap.
 */
#include "swaptest.h"
#ifdef __secundus__

#define CHUNK_PAGES 256

static size_t quota;

static void hog(void *arg)
{
	(void)arg;
	size_t touched = 0;
	while (touched < quota) {
		char *p = mmap(NULL, CHUNK_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("swap_oom: child: mmap failed after %zu pages: errno %d\n", touched, errno);
			_exit(2);
		}
		for (size_t i = 0; i < CHUNK_PAGES; i++)
			*(volatile size_t *)(p + i * PAGE) = touched + i;
		touched += CHUNK_PAGES;
	}
	printf("swap_oom: child: touched all %zu pages and was not stopped\n", touched);
	_exit(3);
}

int main(void)
{
	test_start("swap_oom", "RAM and swap exhausted: the biggest process gets SIGKILL, the rest survives");
	size_t ram = ram_pages();
	struct secundus_swapinfo si;
	struct secundus_vmstat v0, v1;
	require_swap(0, &si);
	unsigned long base = si.free_slots;
	quota = 2 * (ram + si.total_slots);
	get_vmstat(&v0);
	printf("swap_oom: RAM %zu pages, swap %lu slots: the child's quota is %zu pages\n", ram, si.total_slots,
	       quota);
	long t = ms_now();
	char b[32];
	int st = run_child_resident(hog, NULL);
	printf("swap_oom: the child ended with %s after %ld ms\n", st < 0 ? "?" : status_str(st, b, sizeof b),
	       ms_now() - t);
	CHECK(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "expected SIGKILL (9), the child ended with %s",
	      st < 0 ? "?" : status_str(st, b, sizeof b));
	get_vmstat(&v1);
	printf("swap_oom: oom_kills +%lu, pswpout +%lu, direct reclaims +%lu\n", v1.oom_kills - v0.oom_kills,
	       v1.pswpout - v0.pswpout, v1.reclaim_direct - v0.reclaim_direct);
	CHECK(v1.oom_kills > v0.oom_kills, "vmstat oom_kills did not grow");
	check_slots_back("after the OOM kill", base);
	/* The system still works: memory, fork, exit. */
	char *p = map_anon(64);
	fill_pages(p, 0, 64, 3);
	CHECK(verify_pages("after", p, 0, 64, 3) == 0, "memory after the OOM kill is broken");
	munmap(p, 64 * PAGE);
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "fork after the OOM kill: status 0x%x", st);
	return test_done();
}
#else
int main(void)
{
	printf("swap_oom: exhausting memory is not done to the host; skipped on Linux\n");
	return 0;
}
#endif
