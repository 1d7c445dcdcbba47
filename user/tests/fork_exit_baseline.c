/*
 * fork_exit_baseline - 50 children are forked one after another; each
 * touches memory (COW breaks of inherited pages, fresh anonymous pages, a
 * shared mapping, a thread-free heap) and exits; the parent reaps each.
 * On Secundus the free page count after all of them must equal the count
 * before: every page and page-table page of a process is freed at exit.
 * (Linux has no such counter: there only the children's statuses are checked.)
 */
#include "test.h"
#ifdef __secundus__
#include <secundus/vmstat.h>
#endif

#define CHILDREN 50
#define INHERITED 16            /* pages of the parent the children write (COW) */
#define FRESH 32                /* pages each child maps and touches */

static char *inherited;

static int child_body(int i)
{
	/* COW-break every inherited page. */
	for (size_t pg = 0; pg < INHERITED; pg++)
		inherited[pg * PAGE] = (char)i;
	/* Fresh private memory, some of it spread far apart (more page tables). */
	char *p = mmap(NULL, FRESH * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (size_t pg = 0; pg < FRESH; pg++)
		p[pg * PAGE] = 1;
	/* Half of the children unmap it themselves, half leave it to exit. */
	if (i % 2 && munmap(p, FRESH * PAGE))
		return 2;
	char *far = mmap((void *)(0x100000000000UL + (unsigned long)i * (1UL << 30)), PAGE,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (far != MAP_FAILED)
		far[0] = 1;
	char *sh = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 3;
	sh[0] = sh[PAGE] = 1;
	void *heap = malloc(100000);
	if (!heap)
		return 4;
	memset(heap, 1, 100000);
	/* Every third child forks a grandchild that exits at once. */
	if (i % 3 == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(0);
		if (g < 0 || waitpid(g, NULL, 0) != g)
			return 5;
	}
	return 0;
}

static int run_children(void)
{
	int failed = 0;
	for (int i = 0; i < CHILDREN; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			printf("fork_exit_baseline: fork %d failed: errno %d\n", i, errno);
			return -1;
		}
		if (pid == 0)
			_exit(child_body(i));
		int st = 0;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			char buf[32];
			printf("fork_exit_baseline: child %d ended with %s\n", i, status_str(st, buf, sizeof(buf)));
			failed++;
		}
	}
	return failed;
}

int main(void)
{
	test_start("fork_exit_baseline", "repeated fork/exit returns the free page count to its baseline");
	touch_stack(16);
	inherited = map_pages(INHERITED, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(inherited, 0x11, INHERITED * PAGE);

	/* Warm up: whatever the first fork allocates once and keeps (the
	 * parent's own COW copies, library state) is not a leak. */
	CHECK(run_children() == 0, "warm-up children failed");
	memset(inherited, 0x22, INHERITED * PAGE);      /* the parent owns its pages again */

#ifdef __secundus__
	struct secundus_vmstat before, after;
	CHECK(secundus_vmstat(&before) == 0, "secundus_vmstat: errno %d", errno);
#endif
	CHECK(run_children() == 0, "children failed");
	memset(inherited, 0x33, INHERITED * PAGE);
#ifdef __secundus__
	CHECK(secundus_vmstat(&after) == 0, "secundus_vmstat: errno %d", errno);
	printf("fork_exit_baseline: free pages %lu before, %lu after %d children\n",
	       before.free_pages, after.free_pages, CHILDREN);
	CHECK(after.free_pages == before.free_pages, "%ld pages not returned",
	      (long)(before.free_pages - after.free_pages));
#endif
	size_t bad = 0;
	for (size_t i = 0; i < INHERITED * PAGE; i++)
		bad += inherited[i] != 0x33;
	CHECK(bad == 0, "parent's memory corrupted: %zu bytes", bad);
	return test_done();
}
