/*
 * mirror_fork: after fork, a device write in the child breaks
 * copy-on-write for the child only (the parent keeps its data); on
 * MAP_SHARED memory the parent sees the child's device write. Then
 * hundreds of children exit with a device still bound (never closed):
 * nothing leaks (free pages back to their baseline). Secundus only.
 */
#include "test.h"
#ifdef __secundus__
#include <secundus/mirror.h>
#include <secundus/vmstat.h>

static void cow_and_shared(void)
{
	char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	strcpy(priv, "parent");
	strcpy(shared, "parent");
	pid_t pid = fork();
	if (pid == 0) {
		int h = mirror_open();
		int ok = h >= 0 && mirror_write(h, priv, "child", 6) == 0 && strcmp(priv, "child") == 0 &&
			 mirror_write(h, shared, "child", 6) == 0;
		_exit(ok ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's device writes worked (status %#x)", status);
	CHECK(strcmp(priv, "parent") == 0, "COW: the parent's private page is unchanged (\"%s\")", priv);
	CHECK(strcmp(shared, "child") == 0, "MAP_SHARED: the parent sees the child's device write (\"%s\")", shared);
	munmap(priv, PAGE);
	munmap(shared, PAGE);
}

static void child_with_device(void)
{
	int h = mirror_open();
	char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[16];
	for (int i = 0; i < 8; i++)
		mirror_write(h, p + i * PAGE, "x", 2);
	mirror_read(h, p, buf, 2);
	_exit(0);       /* no mirror_close: the exit must tear the context down */
}

static long free_pages(void)
{
	struct secundus_vmstat st;
	secundus_vmstat(&st);
	return (long)st.free_pages;
}

static void exits_leak_nothing(void)
{
	for (int round = 0; round < 2; round++) {
		long before = free_pages();
		for (int i = 0; i < 150; i++) {
			pid_t pid = fork();
			if (pid == 0)
				child_with_device();
			int status;
			waitpid(pid, &status, 0);
			CHECK(WIFEXITED(status), "child %d exited (status %#x)", i, status);
		}
		long after = free_pages();
		if (round == 1)         /* round 0 warms the allocator's caches up */
			CHECK(after == before, "free pages %ld before, %ld after 150 exits with a device bound",
			      before, after);
	}
}

int main(void)
{
	test_name = "mirror_fork";
	cow_and_shared();
	exits_leak_nothing();
	return test_done();
}
#else
int main(void)
{
	printf("mirror_fork: the mirror device exists only on Secundus; skipped\n");
	return 0;
}
#endif
