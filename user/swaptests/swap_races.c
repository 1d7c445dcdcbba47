/*
 * swap_races - swap-in racing with munmap, mprotect and fork on other CPUs.
 *
 * A worker process maps 1.5x RAM (so most of it is in swap at any time),
 * cut into chunks of CHUNK pages of four kinds (chunk index mod 4):
 *   STABLE  filled once (seed 1), read and verified by the faulters
 *   DOOMED  filled once; munmapped one by one while the others run; only
 *           the device (mirror) reads them, so a munmap races with the
 *           device's swap-in faults and no CPU ever touches an unmapped page
 *   PROT    filled once; toggled PROT_READ / PROT_READ|PROT_WRITE by
 *           mprotect while the faulters read them (reads only)
 *   WRITE   rewritten with a new seed by the faulter that owns the page
 *           (page mod NFAULTERS), which verifies the previous seed first
 * Threads of the worker, running concurrently:
 *   faulters (2)  sweep the region from different starting points, so they
 *                 keep faulting swapped-out pages in next to the chunks being
 *                 unmapped and mprotected
 *   mapper        munmaps the next DOOMED chunk ahead of faulter 0 and toggles
 *                 the protection of the next PROT chunk, then sleeps a little
 *   device        mirror_read()s the DOOMED chunk the mapper will unmap next:
 *                 every read must succeed with the right data, or fail with
 *                 EFAULT only once the mapper has started unmapping it
 *   forker        forks children that verify their copy (STABLE, PROT and
 *                 the DOOMED chunks still mapped at the fork) and exit;
 *                 each must exit 0
 * Checks: no wrong data anywhere, no unexpected device error, every child
 * exited 0, the worker exited 0 (a SIGSEGV would mean a mapped page was
 * lost), and once the worker is gone the free swap slots are back to their
 * baseline with an empty swap cache.
 */
#define _GNU_SOURCE
#include "swaptest.h"
#include <pthread.h>
#include <sched.h>
#ifdef __secundus__
#include <secundus/mirror.h>
#endif

#define CHUNK 32
#define NFAULTERS 2
#define PASSES 1
#define MAX_CHILDREN 2
#define TIME_LIMIT_MS 60000

enum { STABLE, DOOMED, PROT, WRITE };
enum { MAPPED, UNMAPPING, UNMAPPED };

static char *region;
static size_t npages, nchunks;
static unsigned char *wseed;            /* WRITE pages: the seed each holds */
static volatile int *chunk_state;       /* DOOMED chunks: MAPPED, UNMAPPING, UNMAPPED */
static volatile size_t position[NFAULTERS];     /* the page each faulter is at */
static volatile size_t progress0;       /* pages faulter 0 has gone through */
static volatile size_t next_doomed;     /* the DOOMED chunk the mapper unmaps next */
static volatile int stop;
static long deadline;

struct counts {
	size_t faulted, bad, wbad;
	size_t dev_reads, dev_bad, dev_efault, dev_err;
	size_t unmapped, mprotects, mprotect_err;
	size_t children, child_bad;
};
static struct counts c[NFAULTERS + 3];  /* one per thread, summed at the end */

static int kind(size_t page) { return (int)((page / CHUNK) % 4); }

static void *faulter(void *arg)
{
	long k = (long)arg;
	struct counts *me = &c[k];
	size_t start = (size_t)k * (npages / NFAULTERS);
	for (int pass = 0; pass < PASSES && !stop; pass++) {
		for (size_t j = 0; j < npages; j++) {
			size_t p = (start + j) % npages;
			position[k] = p;
			if (k == 0)
				progress0 = (size_t)pass * npages + j;
			if (j % 64 == 0 && ms_now() > deadline)
				return NULL;
			long w;
			switch (kind(p)) {
			case STABLE:
			case PROT:
				me->faulted++;
				if ((w = bad_word(region, p, 1)) >= 0 && me->bad++ < 5)
					report_bad("faulter", region, p, w, 1);
				break;
			case WRITE:
				if (p % NFAULTERS != (size_t)k)
					break;
				me->faulted++;
				if ((w = bad_word(region, p, wseed[p])) >= 0 && me->wbad++ < 5)
					report_bad("faulter (written page)", region, p, w, wseed[p]);
				wseed[p] = (unsigned char)(wseed[p] % 250 + 2);
				fill_pages(region, p, 1, wseed[p]);
				break;
			}
		}
	}
	return NULL;
}

/* One PROT chunk per call changes protection (a sweep of read-only, then
 * a sweep of read-write, and so on). */
static void toggle_prot(struct counts *me)
{
	static size_t prot_next = PROT;
	static int ro = 1;
	if (prot_next >= nchunks) {
		prot_next = PROT;
		ro = !ro;
	}
	if (prot_next < nchunks) {
		if (mprotect(region + prot_next * CHUNK * PAGE, CHUNK * PAGE,
			     ro ? PROT_READ : PROT_READ | PROT_WRITE) != 0)
			me->mprotect_err++;
		me->mprotects++;
	}
	prot_next += 4;
}

/* Unmap the DOOMED chunks one by one, spread over faulter 0's run: the
 * n-th once faulter 0 has done n/ndoomed of its work (all that remain at
 * once when the faulters are done), each at or after faulter 0's chunk. */
static void *mapper(void *arg)
{
	struct counts *me = &c[NFAULTERS];
	(void)arg;
	size_t ndoomed = (nchunks + 2) / 4, total = (size_t)PASSES * npages;
	while (me->unmapped < ndoomed) {
		while (!stop && progress0 * ndoomed < (me->unmapped + 1) * total) {
			toggle_prot(me);
			usleep(2000);
		}
		size_t here = position[0] / CHUNK, d = nchunks;
		for (size_t i = 0; i < nchunks; i++) {
			size_t ch = (here + i) % nchunks;
			if (ch % 4 == DOOMED && chunk_state[ch] == MAPPED) {
				d = ch;
				break;
			}
		}
		if (d == nchunks)
			break;
		next_doomed = d;                /* the device moves there */
		if (!stop)
			usleep(1000);
		chunk_state[d] = UNMAPPING;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (munmap(region + d * CHUNK * PAGE, CHUNK * PAGE) != 0)
			printf("swap_races: munmap of chunk %zu failed: errno %d\n", d, errno);
		chunk_state[d] = UNMAPPED;
		me->unmapped++;
		toggle_prot(me);
	}
	next_doomed = nchunks;
	return NULL;
}

#ifdef __secundus__
/* The device reads DOOMED pages, from the start of the chunk the mapper
 * unmaps next on through the following DOOMED chunks (mostly in swap). */
static void *device(void *arg)
{
	struct counts *me = &c[NFAULTERS + 1];
	(void)arg;
	static uint64_t buf[WORDS_PER_PAGE];
	int h = mirror_open();
	if (h < 0) {
		printf("swap_races: mirror_open: errno %d\n", errno);
		me->dev_err++;
		return NULL;
	}
	size_t target = nchunks, p = 0;
	for (;;) {
		size_t d = next_doomed;
		if (d >= nchunks && stop)
			break;
		if (d != target && d < nchunks) {
			target = d;
			p = d * CHUNK;
		} else if (++p % CHUNK == 0) {
			/* next DOOMED chunk still mapped; none left: nothing to read
			 * (never another kind of chunk: only DOOMED ones keep seed 1
			 * and are not written) */
			size_t ch = p / CHUNK, found = nchunks;
			for (size_t i = 0; i < nchunks && found == nchunks; i++, ch++) {
				ch %= nchunks;
				if (ch % 4 == DOOMED && chunk_state[ch] == MAPPED)
					found = ch;
			}
			p = found < nchunks ? found * CHUNK : npages;
		}
		if (p >= npages || chunk_state[p / CHUNK] == UNMAPPED) {
			if (stop && next_doomed >= nchunks)
				break;
			sched_yield();
			continue;
		}
		int s0 = chunk_state[p / CHUNK];
		int r = mirror_read(h, region + p * PAGE, buf, PAGE);
		int e = errno;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		int s1 = chunk_state[p / CHUNK];
		me->dev_reads++;
		if (r == 0) {
			for (size_t w = 0; w < WORDS_PER_PAGE; w++)
				if (buf[w] != pat_word(p, w, 1)) {
					if (me->dev_bad++ < 5)
						printf("swap_races: device read page %zu word %zu: %#lx, expected %#lx "
						       "(chunk state %d..%d)\n", p, w, (unsigned long)buf[w],
						       (unsigned long)pat_word(p, w, 1), s0, s1);
					break;
				}
		} else if (e == EFAULT && s1 != MAPPED) {
			me->dev_efault++;
		} else if (me->dev_err++ < 5) {
			printf("swap_races: device read of page %zu failed with errno %d (chunk state %d..%d)\n", p, e,
			       s0, s1);
		}
	}
	mirror_close(h);
	return NULL;
}
#endif

static void child_verify(void)
{
	size_t bad = 0;
	for (size_t p = 0; p < npages; p++) {
		int kd = kind(p);
		if (kd == WRITE || (kd == DOOMED && chunk_state[p / CHUNK] != MAPPED))
			continue;
		long w = bad_word(region, p, 1);
		if (w >= 0 && bad++ < 5)
			report_bad("child", region, p, w, 1);
	}
	_exit(bad ? 1 : 0);
}

static void *forker(void *arg)
{
	struct counts *me = &c[NFAULTERS + 2];
	(void)arg;
	while (!stop && me->children < MAX_CHILDREN) {
		usleep(20000);
		pid_t pid = fork();
		if (pid < 0) {
			printf("swap_races: fork: errno %d\n", errno);
			me->child_bad++;
			break;
		}
		if (pid == 0)
			child_verify();
		int st = 0;
		me->children++;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			char b[32];
			printf("swap_races: child %zu ended with %s\n", me->children, status_str(st, b, sizeof b));
			me->child_bad++;
		}
	}
	return NULL;
}

static void worker(void *arg)
{
	(void)arg;
	region = map_anon(npages);
	wseed = malloc(npages);
	chunk_state = calloc(nchunks, sizeof(int));
	if (!wseed || !chunk_state)
		FATAL("malloc failed");
	memset(wseed, 1, npages);
	long t = ms_now();
	fill_pages(region, 0, npages, 1);
	printf("swap_races: filled %zu pages in %ld ms\n", npages, ms_now() - t);
	deadline = ms_now() + TIME_LIMIT_MS;
	next_doomed = DOOMED;
	t = ms_now();
	pthread_t ft[NFAULTERS], mt, kt;
#ifdef __secundus__
	pthread_t dt;
#endif
	for (long k = 0; k < NFAULTERS; k++)
		if (pthread_create(&ft[k], NULL, faulter, (void *)k) != 0)
			FATAL("pthread_create failed");
	if (pthread_create(&mt, NULL, mapper, NULL) != 0 || pthread_create(&kt, NULL, forker, NULL) != 0)
		FATAL("pthread_create failed");
#ifdef __secundus__
	if (pthread_create(&dt, NULL, device, NULL) != 0)
		FATAL("pthread_create failed");
#endif
	for (long k = 0; k < NFAULTERS; k++)
		pthread_join(ft[k], NULL);
	stop = 1;
	pthread_join(mt, NULL);
	pthread_join(kt, NULL);
#ifdef __secundus__
	pthread_join(dt, NULL);
#endif
	struct counts s = { 0 };
	for (int i = 0; i < NFAULTERS + 3; i++) {
		s.faulted += c[i].faulted, s.bad += c[i].bad, s.wbad += c[i].wbad;
		s.dev_reads += c[i].dev_reads, s.dev_bad += c[i].dev_bad, s.dev_efault += c[i].dev_efault;
		s.dev_err += c[i].dev_err, s.unmapped += c[i].unmapped, s.mprotects += c[i].mprotects;
		s.mprotect_err += c[i].mprotect_err, s.children += c[i].children, s.child_bad += c[i].child_bad;
	}
	printf("swap_races: %ld ms: %zu page checks by the faulters (%zu wrong, %zu written pages wrong); "
	       "%zu chunks unmapped, %zu mprotects; device: %zu reads, %zu EFAULT after munmap, %zu wrong, "
	       "%zu other errors; %zu children (%zu failed)\n", ms_now() - t, s.faulted, s.bad, s.wbad, s.unmapped,
	       s.mprotects, s.dev_reads, s.dev_efault, s.dev_bad, s.dev_err, s.children, s.child_bad);
	if (ms_now() >= deadline)
		printf("swap_races: note: the faulters stopped at the %d s time limit\n", TIME_LIMIT_MS / 1000);
	CHECK(s.bad == 0 && s.wbad == 0, "the faulters read %zu wrong pages and %zu wrong written pages", s.bad,
	      s.wbad);
	CHECK(s.dev_bad == 0 && s.dev_err == 0, "device: %zu wrong pages, %zu unexpected errors", s.dev_bad,
	      s.dev_err);
	CHECK(s.mprotect_err == 0, "%zu mprotect calls failed", s.mprotect_err);
	CHECK(s.children > 0 && s.child_bad == 0, "%zu of %zu children failed", s.child_bad, s.children);
	CHECK(s.unmapped == (nchunks + 2) / 4, "%zu DOOMED chunks unmapped of %zu", s.unmapped, (nchunks + 2) / 4);

	/* Everything still mapped, once more, by one thread. */
	size_t bad = 0;
	for (size_t p = 0; p < npages; p++) {
		long w;
		if (kind(p) == DOOMED)
			continue;
		unsigned seed = kind(p) == WRITE ? wseed[p] : 1;
		if ((w = bad_word(region, p, seed)) >= 0 && bad++ < 5)
			report_bad("final", region, p, w, seed);
	}
	CHECK(bad == 0, "final verify: %zu wrong pages", bad);
	munmap(region, npages * PAGE);
	exit(test_failures ? 1 : 0);
}

int main(void)
{
	test_start("swap_races", "swap-in races with munmap, mprotect and fork: no wrong data, no leaked slot");
	size_t ram = ram_pages();
	nchunks = ram * 3 / 2 / CHUNK;
	npages = nchunks * CHUNK;
	printf("swap_races: RAM %zu pages, region %zu pages in %zu chunks of %d\n", ram, npages, nchunks, CHUNK);
	run_swap_worker(worker, npages);
	return test_done();
}
