/*
 * swap_cow_fork - pages shared copy-on-write by fork are swapped out and
 * back correctly in both processes, and their swap slots are released.
 *
 * A worker process (a child of the test, so the test can compare swap
 * slots before and after) fills 1.5x RAM with seed 1 and forks. The child
 * rewrites the even pages with seed 2, the parent the odd pages with seed
 * 3, at the same time; each then verifies every page: its own rewrites,
 * and the other half still holding the original seed 1 (the other
 * process's writes must not show through). The parent verifies a second
 * time after the child exited, and checks the child's exit status (0: all
 * its pages were right). The test then checks that the free swap slots are
 * back to their value before the worker and the swap cache is empty.
 */
#include "swaptest.h"

static size_t npages;

static size_t verify_halves(const char *what, const char *p, unsigned odd_seed, unsigned even_seed)
{
	size_t bad = verify_pages_step(what, p, 0, npages, 2, even_seed);
	if (npages > 1)
		bad += verify_pages_step(what, p, 1, npages - 1, 2, odd_seed);
	return bad;
}

static void worker(void *arg)
{
	(void)arg;
	char *p = map_anon(npages);
	fill_pages(p, 0, npages, 1);
	pid_t pid = fork();
	if (pid < 0)
		FATAL("fork: errno %d", errno);
	if (pid == 0) {
		for (size_t i = 0; i < npages; i += 2)
			fill_pages(p, i, 1, 2);
		size_t bad = verify_halves("child", p, 1, 2);
		printf("swap_cow_fork: child: %zu bad pages\n", bad);
		_exit(bad ? 1 : 0);
	}
	for (size_t i = 1; i < npages; i += 2)
		fill_pages(p, i, 1, 3);
	size_t bad = verify_halves("parent", p, 3, 1);
	printf("swap_cow_fork: parent: %zu bad pages while the child runs\n", bad);
	CHECK(bad == 0, "parent: %zu pages wrong while the child runs", bad);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: errno %d", errno);
	char b[32];
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child ended with %s, expected exit 0 (all its pages right)",
	      status_str(st, b, sizeof b));
	bad = verify_halves("parent after the child", p, 3, 1);
	printf("swap_cow_fork: parent: %zu bad pages after the child exited\n", bad);
	CHECK(bad == 0, "parent: %zu pages wrong after the child exited", bad);
	munmap(p, npages * PAGE);
	exit(test_failures ? 1 : 0);
}

int main(void)
{
	test_start("swap_cow_fork", "fork-shared pages swap out and in right in parent and child; slots are freed");
	size_t ram = ram_pages();
	npages = ram * 3 / 2;
	printf("swap_cow_fork: RAM %zu pages, worker maps %zu pages\n", ram, npages);
#ifdef __secundus__
	struct secundus_swapinfo si;
	struct secundus_vmstat v0, v1;
	require_swap(npages, &si);
	unsigned long base = si.free_slots;
	get_vmstat(&v0);
#endif
	long t = ms_now();
	char b[32];
	int st = run_child_resident(worker, NULL);
	printf("swap_cow_fork: worker ended with %s after %ld ms\n", st < 0 ? "?" : status_str(st, b, sizeof b),
	       ms_now() - t);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the worker failed (see above)");
#ifdef __secundus__
	get_vmstat(&v1);
	printf("swap_cow_fork: pswpout +%lu, pswpin +%lu, cow breaks +%lu\n", v1.pswpout - v0.pswpout,
	       v1.pswpin - v0.pswpin, v1.cow_breaks - v0.cow_breaks);
	CHECK(v1.pswpout > v0.pswpout && v1.pswpin > v0.pswpin, "no swapping happened");
	check_slots_back("after the worker", base);
#endif
	return test_done();
}
