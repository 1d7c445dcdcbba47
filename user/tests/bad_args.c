/*
 * bad_args - system calls given bad arguments fail with the right errno
 * and change nothing:
 *   mmap/munmap/mprotect: unaligned address -> EINVAL, zero length ->
 *   EINVAL (Linux's mprotect accepts length 0: required only on Secundus),
 *   huge length -> ENOMEM (or EINVAL), no MAP_PRIVATE/MAP_SHARED -> EINVAL;
 *   mprotect of an unmapped range -> ENOMEM;
 *   write() from NULL and from a kernel address -> EFAULT, from a buffer
 *   running past the end of a mapping -> EFAULT (Linux may instead write
 *   the readable part: a short count is accepted there, not on Secundus);
 *   waitpid of a process that is not a child -> ECHILD, into a kernel
 *   address -> EFAULT.
 * On Secundus the whole sequence is run twice and the free page count must
 * be the same after the second run as before it (nothing leaked).
 */
#include "test.h"
#ifdef __secundus__
#include <secundus/vmstat.h>
#endif

#define KERNEL_ADDR ((void *)0xffffffff80000000UL)
#define HUGE_LEN (1UL << 62)

/* Expect a call's result r to be -1 with errno e (or e2 if nonzero). */
#define EXPECT_ERR(r, e, e2, what) do {                                         \
		long _r = (long)(r);                                            \
		int _e = errno;                                                 \
		CHECK(_r == -1 && (_e == (e) || ((e2) && _e == (e2))),          \
		      "%s: returned %ld, errno %d; expected -1 with errno %d%s", \
		      what, _r, _e, e, (e2) ? " (or the alternative)" : "");    \
	} while (0)

#define EXPECT_MMAP_ERR(p, e, e2, what) do {                                    \
		void *_p = (p);                                                 \
		int _e = errno;                                                 \
		CHECK(_p == MAP_FAILED && (_e == (e) || ((e2) && _e == (e2))),  \
		      "%s: returned %p, errno %d; expected MAP_FAILED with errno %d", \
		      what, _p, _e, e);                                         \
		if (_p != MAP_FAILED)                                           \
			munmap(_p, PAGE);                                       \
	} while (0)

/* Where write() sends its data: the console on Secundus; on Linux a pipe,
 * because the kernel does not even read the buffer for /dev/null. */
static int out_fd = 1;

#ifndef __secundus__
static int pipe_fds[2];
static void open_sink(void)
{
	if (pipe(pipe_fds) == 0)
		out_fd = pipe_fds[1];
}
static void close_sink(void)
{
	if (out_fd != 1) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		out_fd = 1;
	}
}
#else
static void open_sink(void) { }
static void close_sink(void) { }
#endif

static void run_checks(void)
{
	int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE | MAP_ANONYMOUS;
	char *m = map_pages(4, rw, MAP_PRIVATE);
	memset(m, 0x5c, 4 * PAGE);

	/* ---- mmap */
	EXPECT_MMAP_ERR(mmap(m + 1, PAGE, rw, priv | MAP_FIXED, -1, 0), EINVAL, 0,
			"mmap MAP_FIXED at an unaligned address");
	EXPECT_MMAP_ERR(mmap(NULL, 0, rw, priv, -1, 0), EINVAL, 0, "mmap of length 0");
	EXPECT_MMAP_ERR(mmap(NULL, HUGE_LEN, rw, priv, -1, 0), ENOMEM, EINVAL, "mmap of 2^62 bytes");
	EXPECT_MMAP_ERR(mmap(NULL, (size_t)-PAGE, rw, priv, -1, 0), ENOMEM, EINVAL, "mmap of 2^64-4096 bytes");
	EXPECT_MMAP_ERR(mmap(NULL, (size_t)-1, rw, priv, -1, 0), ENOMEM, EINVAL, "mmap of 2^64-1 bytes");
	EXPECT_MMAP_ERR(mmap(NULL, PAGE, rw, MAP_ANONYMOUS, -1, 0), EINVAL, 0,
			"mmap with neither MAP_PRIVATE nor MAP_SHARED");
	EXPECT_MMAP_ERR(mmap(NULL, PAGE, rw, priv, -1, 1), EINVAL, 0, "mmap with an unaligned offset");
	EXPECT_MMAP_ERR(mmap(KERNEL_ADDR, PAGE, rw, priv | MAP_FIXED, -1, 0), ENOMEM, EINVAL,
			"mmap MAP_FIXED at a kernel address");

	/* ---- munmap */
	EXPECT_ERR(munmap(m + 1, PAGE), EINVAL, 0, "munmap of an unaligned address");
	EXPECT_ERR(munmap(m, 0), EINVAL, 0, "munmap of length 0");
	EXPECT_ERR(munmap(m, HUGE_LEN), EINVAL, ENOMEM, "munmap of 2^62 bytes");
	EXPECT_ERR(munmap(m, (size_t)-PAGE), EINVAL, ENOMEM, "munmap wrapping around the address space");

	/* ---- mprotect */
	EXPECT_ERR(mprotect(m + 1, PAGE, PROT_READ), EINVAL, 0, "mprotect of an unaligned address");
	errno = 0;
	int r = mprotect(m, 0, PROT_READ);
#ifdef __secundus__
	EXPECT_ERR(r, EINVAL, 0, "mprotect of length 0");
#else
	/* Linux returns 0 for an empty range. */
	CHECK(r == 0 || (r == -1 && errno == EINVAL), "mprotect of length 0: %d errno %d", r, errno);
#endif
	/* Linux applies mprotect to the mapped part before the first hole, so
	 * the huge ranges start at a mapping followed by a hole and ask for
	 * the protection it already has: whatever a kernel does first, the
	 * call must fail and nothing may change. */
	char *h = map_pages(2, rw, MAP_PRIVATE);
	CHECK(munmap(h + PAGE, PAGE) == 0, "munmap: errno %d", errno);
	EXPECT_ERR(mprotect(h, HUGE_LEN, rw), ENOMEM, EINVAL, "mprotect of 2^62 bytes");
	EXPECT_ERR(mprotect(h, (size_t)-PAGE, rw), ENOMEM, EINVAL, "mprotect wrapping around");
	h[0] = 1;
	CHECK(munmap(h, PAGE) == 0, "munmap: errno %d", errno);
	char *gone = map_pages(3, rw, MAP_PRIVATE);
	CHECK(munmap(gone, 3 * PAGE) == 0, "munmap: errno %d", errno);
	EXPECT_ERR(mprotect(gone, 3 * PAGE, PROT_READ), ENOMEM, 0, "mprotect of an unmapped range");
	EXPECT_ERR(mprotect(KERNEL_ADDR, PAGE, PROT_READ), ENOMEM, EINVAL, "mprotect of a kernel address");

	/* Nothing above changed the good mapping: still there, writable, intact. */
	size_t bad = 0;
	for (size_t i = 0; i < 4 * PAGE; i++)
		bad += (unsigned char)m[i] != 0x5c;
	CHECK(bad == 0, "%zu bytes of the mapping changed by failed calls", bad);
	m[0] = 1;
	m[4 * PAGE - 1] = 1;

	/* ---- madvise */
	EXPECT_ERR(madvise(m + 1, PAGE, MADV_DONTNEED), EINVAL, 0, "madvise of an unaligned address");

	/* ---- write() from bad buffers */
	open_sink();
	void *volatile null = NULL;     /* volatile: gcc rejects a literal NULL buffer */
	EXPECT_ERR(write(out_fd, null, 10), EFAULT, 0, "write from NULL");
	EXPECT_ERR(write(out_fd, KERNEL_ADDR, 10), EFAULT, 0, "write from a kernel address");
	EXPECT_ERR(write(out_fd, (void *)0x0000800000000000UL, 10), EFAULT, 0,
		   "write from the first non-canonical address");
	EXPECT_ERR(write(out_fd, gone, 10), EFAULT, 0, "write from an unmapped buffer");
	char *none = map_pages(1, PROT_NONE, MAP_PRIVATE);
	EXPECT_ERR(write(out_fd, none, 10), EFAULT, 0, "write from a PROT_NONE buffer");
	CHECK(munmap(none, PAGE) == 0, "munmap: errno %d", errno);

	/* A buffer that starts in a mapping and runs past its end. */
	char *edge = map_pages(2, rw, MAP_PRIVATE);
	CHECK(munmap(edge + PAGE, PAGE) == 0, "munmap: errno %d", errno);
	memset(edge, '.', PAGE);
	errno = 0;
	ssize_t w = write(out_fd, edge + PAGE - 16, 32);
#ifdef __secundus__
	EXPECT_ERR(w, EFAULT, 0, "write of a buffer crossing the end of a mapping");
#else
	CHECK((w == -1 && errno == EFAULT) || (w >= 0 && w < 32),
	      "write of a buffer crossing the end of a mapping: returned %ld errno %d", (long)w, errno);
#endif
	close_sink();
	CHECK(munmap(edge, PAGE) == 0, "munmap: errno %d", errno);

	/* ---- waitpid of processes that are not our children */
	EXPECT_ERR(waitpid(getpid(), NULL, 0), ECHILD, 0, "waitpid of itself");
	EXPECT_ERR(waitpid(-1, NULL, 0), ECHILD, 0, "waitpid(-1) with no children");
	EXPECT_ERR(waitpid(1, NULL, 0), ECHILD, 0, "waitpid of pid 1");
	/* A reaped child is no longer a child. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(waitpid(pid, NULL, 0) == pid, "waitpid of a real child: errno %d", errno);
	EXPECT_ERR(waitpid(pid, NULL, 0), ECHILD, 0, "waitpid of an already reaped child");
	/* waitpid into a bad status pointer */
	pid = fork();
	if (pid == 0)
		_exit(0);
	errno = 0;
	pid_t wr = waitpid(pid, (int *)KERNEL_ADDR, 0);
	CHECK(wr == -1 && errno == EFAULT, "waitpid with a kernel-address status: %d errno %d", (int)wr, errno);
	if (wr == -1)
		waitpid(pid, NULL, 0);          /* reap it anyway */

	CHECK(munmap(m, 4 * PAGE) == 0, "munmap: errno %d", errno);
}

int main(void)
{
	test_start("bad_args", "bad syscall arguments get the right errno and change nothing");
	touch_stack(16);
#ifdef __secundus__
	run_checks();                   /* warm up: stack pages, page tables, library state */
	struct secundus_vmstat before, after;
	CHECK(secundus_vmstat(&before) == 0, "secundus_vmstat: errno %d", errno);
	run_checks();
	CHECK(secundus_vmstat(&after) == 0, "secundus_vmstat: errno %d", errno);
	CHECK(after.free_pages == before.free_pages, "free pages %lu before, %lu after: %ld leaked",
	      before.free_pages, after.free_pages, (long)(before.free_pages - after.free_pages));
#else
	run_checks();
#endif
	return test_done();
}
