/*
 * swaptest.h - helpers shared by the swap tests (the programs in user/swaptests, the
 * KTAP suite "swap", run only with test=swap: docs/testing.md). Header-only
 * like ../tests/test.h, whose CHECK/FATAL/test_start/test_done they use.
 *
 * Sizes: every test sizes its memory from ram_pages(), the physical pages
 * the kernel manages (sysconf(_SC_PHYS_PAGES)), so it scales with MEM= and
 * really needs swap. On Linux the sources still build (gcc -pthread) but
 * ram_pages() is capped at 64 MiB, so they stay harmless to the host.
 *
 * Patterns: fill_pages() writes every 8-byte word of a page with a value
 * computed from (page index, word index, seed); verify_pages() checks every
 * word, so a page that comes back from swap zeroed, stale (older seed),
 * shifted, or holding another page's contents is caught, and reports the
 * first few bad pages with the expected and found value.
 *
 * Baselines: a test that compares swap slots before and after runs its
 * workload in a child and waits with wait_resident(), which keeps reading
 * the parent's own image and stack meanwhile (a hint to reclaim, no
 * guarantee: accessed bits are cleared without a TLB flush). Before it
 * compares, settle_slots() touches those pages again: any that went to
 * swap come back and free their slot (the parent is their only user), so
 * a parent page in swap does not look like a leak.
 *
 * Fault injection: run_child_injected() (below) waits without needing any
 * swappable page, see there.
 */
#ifndef USER_SWAPTESTS_SWAPTEST_H
#define USER_SWAPTESTS_SWAPTEST_H
#include "../tests/test.h"
#include <stdint.h>
#include <time.h>
#include <sched.h>
#ifdef __secundus__
#include <secundus/swap.h>
#include <secundus/vmstat.h>
#endif

#define LINUX_RAM_CAP_PAGES 16384UL     /* 64 MiB: what ram_pages() says on Linux at most */

/* The physical pages the kernel manages (capped on Linux, see above). */
static inline size_t ram_pages(void)
{
	long n = sysconf(_SC_PHYS_PAGES);
	if (n <= 0)
		FATAL("sysconf(_SC_PHYS_PAGES) = %ld (errno %d)", n, errno);
#ifndef __secundus__
	if ((size_t)n > LINUX_RAM_CAP_PAGES)
		n = LINUX_RAM_CAP_PAGES;
#endif
	return (size_t)n;
}

/* The value of 64-bit word w (0..511) of page `page` for `seed` (1..255):
 * an odd multiplier is a bijection, so distinct (page, w, seed) give
 * distinct values, and none is 0 (a zero-filled page never passes). */
static inline uint64_t pat_word(size_t page, size_t w, unsigned seed)
{
	uint64_t x = ((uint64_t)page << 20) | ((uint64_t)w << 8) | (seed & 0xff);
	return x * 0x9E3779B97F4A7C15ull + 0x1234567ull;
}

#define WORDS_PER_PAGE (PAGE / 8)

/* Write the pattern of `seed` into pages first..first+n-1 of base. */
static inline void fill_pages(char *base, size_t first, size_t n, unsigned seed)
{
	for (size_t p = first; p < first + n; p++) {
		volatile uint64_t *w = (volatile uint64_t *)(base + p * PAGE);
		for (size_t i = 0; i < WORDS_PER_PAGE; i++)
			w[i] = pat_word(p, i, seed);
	}
}

/* Index of the first word of page p that is not the pattern of `seed`, or -1. */
static inline long bad_word(const char *base, size_t p, unsigned seed)
{
	const volatile uint64_t *w = (const volatile uint64_t *)(base + p * PAGE);
	for (size_t i = 0; i < WORDS_PER_PAGE; i++)
		if (w[i] != pat_word(p, i, seed))
			return (long)i;
	return -1;
}

/* Print one bad page: where, what was expected, what was found, and which
 * seed (if any of 1..255) the word does hold (a stale or foreign copy). */
static inline void report_bad(const char *what, const char *base, size_t p, long i, unsigned seed)
{
	uint64_t got = ((const volatile uint64_t *)(base + p * PAGE))[i];
	int other = -1;
	for (unsigned s = 1; s < 256 && other < 0; s++)
		if (got == pat_word(p, (size_t)i, s))
			other = (int)s;
	printf("%s: %s: page %zu (%p) word %ld: expected %#lx (seed %u), found %#lx%s", test_name, what, p,
	       (void *)(base + p * PAGE), i, (unsigned long)pat_word(p, (size_t)i, seed), seed,
	       (unsigned long)got, got == 0 ? " (zero)" : "");
	if (other >= 0)
		printf(" = this page's seed %d", other);
	printf("\n");
}

/* Check every word of pages first..first+n-1 (step `step`); the number of
 * bad pages. The first 5 are printed. */
static inline size_t verify_pages_step(const char *what, const char *base, size_t first, size_t n,
				       size_t step, unsigned seed)
{
	size_t bad = 0;
	for (size_t p = first; p < first + n; p += step) {
		long i = bad_word(base, p, seed);
		if (i >= 0) {
			if (bad < 5)
				report_bad(what, base, p, i, seed);
			bad++;
		}
	}
	return bad;
}

static inline size_t verify_pages(const char *what, const char *base, size_t first, size_t n, unsigned seed)
{
	return verify_pages_step(what, base, first, n, 1, seed);
}

/* An anonymous private read-write mapping of n pages (or FATAL). */
static inline char *map_anon(size_t n)
{
	return map_pages(n, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

/* A MAP_SHARED page (never swapped) for results a child leaves its parent. */
static inline void *map_shared(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		FATAL("mmap(MAP_SHARED) failed: errno %d", errno);
	memset(p, 0, bytes);
	return p;
}

/* Monotonic milliseconds. */
static inline long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one byte of every page of this program's image (text, rodata,
 * data, bss) and write the top 16 KiB of the stack: recently used pages. */
static inline void touch_self(void)
{
#ifdef __secundus__
	extern char _end[];
	for (const volatile char *p = (const char *)0x400000; p < _end; p += PAGE)
		(void)*p;       /* a read through volatile: the compiler keeps it */
#endif
	touch_stack(16);
}

/* waitpid(pid) that keeps the parent resident meanwhile (see the top). */
static inline pid_t wait_resident(pid_t pid, int *st)
{
	for (;;) {
		pid_t r = waitpid(pid, st, WNOHANG);
		if (r != 0)
			return r;
		touch_self();
		usleep(20000);
	}
}

/* Fork a child running fn(arg) (exit 0 if it returns); wait_resident for it;
 * its wait status, or -1. */
static inline int run_child_resident(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s: fork failed: errno %d\n", test_name, errno);
		return -1;
	}
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	int st = 0;
	if (wait_resident(pid, &st) != pid) {
		printf("%s: waitpid failed: errno %d\n", test_name, errno);
		return -1;
	}
	return st;
}

#ifdef __secundus__
#include <secundus/syscall.h>

/*
 * Waiting for a child that runs with swap fault injection on. While every
 * N-th swap read fails, a process that needs any of its own pages back
 * from swap dies by SIGBUS, and reclaim may well have swapped out the
 * waiting parent (its accessed bits are only a hint: clearing them flushes
 * no TLB). So the parent waits in a stub that needs no swappable page:
 * its code and the status word live in a MAP_SHARED mapping (never
 * swapped) and it uses no stack until injection is off again:
 *     waitpid(pid, status, 0); swapctl(SWAPCTL_FAIL, 0, 0); return pid
 * (registers only; the syscall ABI keeps r8). The child turns injection
 * on itself, once the parent is about to enter the stub (shared flag).
 */
#define SWT_STR2(x) #x
#define SWT_STR(x) SWT_STR2(x)
__asm__(".pushsection .text\n"
	".globl swt_wait_stub, swt_wait_stub_end\n"
	"swt_wait_stub:\n"
	"	movl $" SWT_STR(SYS_waitpid) ", %eax\n"
	"	xorl %edx, %edx\n"
	"	syscall\n"
	"	movq %rax, %r8\n"
	"	movl $" SWT_STR(SYS_swapctl) ", %eax\n"
	"	movl $" SWT_STR(SWAPCTL_FAIL) ", %edi\n"
	"	xorl %esi, %esi\n"
	"	xorl %edx, %edx\n"
	"	syscall\n"
	"	movq %r8, %rax\n"
	"	ret\n"
	"swt_wait_stub_end:\n"
	".popsection\n");
extern const char swt_wait_stub[], swt_wait_stub_end[];

struct swt_inject {
	volatile int status;            /* written by the kernel's waitpid */
	volatile int parent_ready;      /* the parent is about to enter the stub */
	char code[256];
};

/* The shared page holding the stub (made once). */
static inline struct swt_inject *swt_inject_page(void)
{
	static struct swt_inject *s;
	if (!s) {
		s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (s == MAP_FAILED)
			FATAL("mmap of the stub page failed: errno %d", errno);
		size_t n = (size_t)(swt_wait_stub_end - swt_wait_stub);
		if (n > sizeof s->code)
			FATAL("the wait stub is %zu bytes", n);
		memcpy(s->code, swt_wait_stub, n);
	}
	return s;
}

/*
 * Fork a child that turns on injection (read_every, write_every), runs
 * fn(arg) and exits 0 if it returns; wait for it without needing a swap-in
 * and with injection off again when this returns. The child's wait status,
 * or -1.
 */
static inline int run_child_injected(unsigned long read_every, unsigned long write_every, void (*fn)(void *),
				     void *arg)
{
	struct swt_inject *s = swt_inject_page();
	long (*stub)(long pid, volatile int *status) = (long (*)(long, volatile int *))(void *)s->code;
	s->parent_ready = 0;
	s->status = 0;
	touch_self();
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s: fork failed: errno %d\n", test_name, errno);
		return -1;
	}
	if (pid == 0) {
		while (!s->parent_ready)
			sched_yield();
		if (secundus_swap_fail(read_every, write_every) != 0) {
			printf("%s: secundus_swap_fail(%lu, %lu): errno %d\n", test_name, read_every, write_every, errno);
			_exit(99);
		}
		fn(arg);
		_exit(0);
	}
	s->parent_ready = 1;
	long r = stub(pid, &s->status);
	if (r != pid) {
		secundus_swap_fail(0, 0);
		printf("%s: waitpid returned %ld, expected %d\n", test_name, r, (int)pid);
		return -1;
	}
	return s->status;
}

static inline void get_swapinfo(struct secundus_swapinfo *si)
{
	if (secundus_swapinfo(si) != 0)
		FATAL("secundus_swapinfo: errno %d", errno);
}

static inline void get_vmstat(struct secundus_vmstat *vs)
{
	if (secundus_vmstat(vs) != 0)
		FATAL("secundus_vmstat: errno %d", errno);
}

static inline void print_swapinfo(const char *when, const struct secundus_swapinfo *si)
{
	printf("%s: %s: slots %lu free of %lu, swap cache %lu, lru %lu, pages %lu free of %lu\n", test_name, when,
	       si->free_slots, si->total_slots, si->cache_pages, si->lru_pages, si->free_pages, si->total_pages);
}

/* The swap area must be there and large enough for `need` pages, or the
 * test cannot say anything: FATAL (so a boot without a disk fails loudly). */
static inline void require_swap(size_t need, struct secundus_swapinfo *si)
{
	get_swapinfo(si);
	print_swapinfo("start", si);
	if (si->total_slots == 0)
		FATAL("no swap area (is a virtio disk attached?)");
	if (si->free_slots < need)
		FATAL("the swap area has %lu free slots, this test needs %zu: give a larger disk", si->free_slots,
		      need);
}

/* Poll (up to ms milliseconds) until the swap cache is empty and the free
 * slots are back to `free_slots`; the last snapshot in *si. True if reached. */
static inline int settle_slots(unsigned long free_slots, long ms, struct secundus_swapinfo *si)
{
	long end = ms_now() + ms;
	for (;;) {
		touch_self();           /* our own pages back from swap (their slots go) */
		get_swapinfo(si);
		if (si->free_slots == free_slots && si->cache_pages == 0)
			return 1;
		if (ms_now() > end)
			return 0;
		usleep(10000);
	}
}

/* settle_slots, then CHECK the result (printing what differs). */
static inline void check_slots_back(const char *when, unsigned long free_slots)
{
	struct secundus_swapinfo si;
	settle_slots(free_slots, 2000, &si);
	print_swapinfo(when, &si);
	CHECK(si.free_slots == free_slots, "%s: %lu free swap slots, expected the baseline %lu (%ld leaked)",
	      when, si.free_slots, free_slots, (long)(free_slots - si.free_slots));
	CHECK(si.cache_pages == 0, "%s: %lu pages still in the swap cache", when, si.cache_pages);
}
#endif

/*
 * Run worker in a child (run_child_resident) that must exit 0 and must have
 * swapped pages back in; afterwards every swap slot must be free again.
 * npages: what the worker needs in swap (require_swap).
 */
static inline void run_swap_worker(void (*worker)(void *), size_t npages)
{
#ifdef __secundus__
	struct secundus_swapinfo si;
	struct secundus_vmstat v0, v1;
	require_swap(npages, &si);
	unsigned long base = si.free_slots;
	get_vmstat(&v0);
#else
	(void)npages;
#endif
	char b[32];
	int st = run_child_resident(worker, NULL);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the worker ended with %s",
	      st < 0 ? "?" : status_str(st, b, sizeof b));
#ifdef __secundus__
	get_vmstat(&v1);
	printf("%s: pswpout +%lu, pswpin +%lu, swap-cache hits +%lu\n", test_name, v1.pswpout - v0.pswpout,
	       v1.pswpin - v0.pswpin, v1.swapcache_hits - v0.swapcache_hits);
	CHECK(v1.pswpin > v0.pswpin, "no swap-in happened");
	check_slots_back("after the worker", base);
#endif
}
#endif
