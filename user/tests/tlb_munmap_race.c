/*
 * tlb_munmap_race - once munmap returns, no CPU reads the page any more.
 *
 * In a forked child, the main thread stays on the first CPU and one
 * reader thread per other CPU (pinned with sched_setaffinity) reads a
 * private page in a loop, so every CPU holds its translation in its TLB,
 * while the main thread munmaps it. (No reader shares the main thread's
 * CPU: it would run, fault and end the process at the first reschedule
 * after munmap, before the other readers could be caught using a stale
 * entry. With one CPU the single reader does share it, and only the
 * local flush is tested.) Right
 * after munmap returns the main thread sets a "phase" flag in a
 * MAP_SHARED page (allocated before fork, so the parent reads it too).
 * A reader loads the flag, then reads the page: if it saw phase == 1 and
 * the read still succeeded, it used a stale translation after munmap
 * returned (a missing or late TLB shootdown) and counts a violation.
 * The readers must fault instead: the child dies with SIGSEGV.
 *
 * Freed-frame check: a second mapping is made before the munmap but
 * first touched only after it, with a different byte pattern, so its
 * frames are likely the ones just freed. A reader that ever reads
 * anything but the old pattern (the new pattern, or the kernel's poison
 * of freed pages) saw a freed frame's new contents through a stale entry.
 *
 * Runs ROUNDS children. A kernel that skips the remote flush fails it
 * with violations, bad values, or a child that never faults (exit 3).
 */
#define _GNU_SOURCE
#include "test.h"
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include "cpus.h"

#define ROUNDS 4
#define MAX_READERS 64
#define NPAGES 4                /* pages the readers cycle over */
#define PAT_OLD 0x5a            /* the unmapped pages' contents */
#define PAT_NEW 0xc3            /* the pages touched after munmap */
#define MIN_READS 2000          /* reads each reader does before the munmap */

struct shared {
	volatile int phase;             /* 1: munmap has returned */
	volatile int ready;             /* readers pinned and reading */
	volatile int pin_failed;
	volatile int reached_munmap;    /* the main thread called munmap */
	volatile int munmap_failed;
	volatile long violations;       /* reads completed after phase 1 was seen */
	volatile long bad_values;       /* reads that did not return PAT_OLD */
	volatile long saw_new;          /* ... of which returned PAT_NEW */
	volatile unsigned long reads[MAX_READERS];
};

static struct shared *S;
static volatile unsigned char *region;  /* set before the readers start */
static int cpu_list[MAX_READERS];    /* usable CPUs; the main thread takes the first */
static int reader_cpu[MAX_READERS];

static void *reader(void *arg)
{
	int idx = (int)(long)arg;
	if (pin_self(reader_cpu[idx]) != 0 || sched_getcpu() != reader_cpu[idx])
		__atomic_add_fetch(&S->pin_failed, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&S->ready, 1, __ATOMIC_SEQ_CST);
	for (unsigned long n = 0;; n++) {
		/* First the flag, then the page (x86 keeps loads in order;
		 * the seq_cst load keeps the compiler from reordering). */
		int ph = __atomic_load_n(&S->phase, __ATOMIC_SEQ_CST);
		unsigned char v = region[(n % NPAGES) * PAGE + (n & 255) * 8];
		/* Reaching here means the read succeeded. */
		if (ph)
			__atomic_add_fetch(&S->violations, 1, __ATOMIC_SEQ_CST);
		if (v != PAT_OLD) {
			__atomic_add_fetch(&S->bad_values, 1, __ATOMIC_SEQ_CST);
			if (v == PAT_NEW)
				__atomic_add_fetch(&S->saw_new, 1, __ATOMIC_SEQ_CST);
		}
		S->reads[idx] = n + 1;
	}
	return NULL;
}

static void child(int nreaders)
{
	if (pin_self(cpu_list[0]) != 0)
		_exit(10);
	unsigned char *old = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Mapped now (a different address), touched only after the munmap. */
	unsigned char *fresh = mmap(NULL, 2 * NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (old == MAP_FAILED || fresh == MAP_FAILED)
		_exit(11);
	memset(old, PAT_OLD, NPAGES * PAGE);
	region = old;
	pthread_t t[MAX_READERS];
	for (int i = 0; i < nreaders; i++)
		if (pthread_create(&t[i], NULL, reader, (void *)(long)i) != 0)
			_exit(12);
	/* Every reader pinned and reading (so every CPU caches the translation). */
	long deadline = now_ms() + 30000;
	for (;;) {
		int all = __atomic_load_n(&S->ready, __ATOMIC_SEQ_CST) == nreaders;
		for (int i = 0; all && i < nreaders; i++)
			all = S->reads[i] >= MIN_READS;
		if (all)
			break;
		if (now_ms() > deadline)
			_exit(13);
		sched_yield();
	}
	S->reached_munmap = 1;
	if (munmap(old, NPAGES * PAGE) != 0) {
		S->munmap_failed = 1;
		_exit(14);
	}
	__atomic_store_n(&S->phase, 1, __ATOMIC_SEQ_CST);
	/* New frames, very likely the freed ones. */
	memset(fresh, PAT_NEW, 2 * NPAGES * PAGE);
	/* The readers must fault and take the process down; give them time
	 * (less once a violation shows the kernel is broken anyway). */
	long start = now_ms();
	while (now_ms() - start < 20000 && !(S->violations && now_ms() - start > 500))
		usleep(10000);
	_exit(3);       /* still alive: no reader faulted */
}

int main(void)
{
	test_start("tlb_munmap_race", "readers pinned on the other CPUs never read a page after munmap returned");
	int ncpu = usable_cpus(cpu_list, MAX_READERS);
	if (ncpu < 1)
		FATAL("no usable CPU");
	int nreaders = ncpu > 1 ? ncpu - 1 : 1;
	for (int i = 0; i < nreaders; i++)
		reader_cpu[i] = cpu_list[ncpu > 1 ? i + 1 : 0];
	printf("tlb_munmap_race: %d CPU(s): munmap on CPU %d, %d reader(s), one per %s\n", ncpu, cpu_list[0],
	       nreaders, ncpu > 1 ? "other CPU" : "CPU (shared)");
	S = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED)
		FATAL("mmap of the shared page failed: errno %d", errno);
	for (int round = 0; round < ROUNDS; round++) {
		memset((void *)S, 0, sizeof(*S));
		pid_t pid = fork();
		if (pid < 0)
			FATAL("fork: errno %d", errno);
		if (pid == 0)
			child(nreaders);
		int st = 0;
		CHECK(waitpid(pid, &st, 0) == pid, "waitpid: errno %d", errno);
		char b[32];
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		      "round %d: the child ended with %s, expected SIGSEGV from a reader", round,
		      status_str(st, b, sizeof(b)));
		CHECK(S->pin_failed == 0, "round %d: %d reader(s) could not be pinned", round, S->pin_failed);
		CHECK(S->ready == nreaders && S->reached_munmap, "round %d: %d of %d readers started, munmap %s",
		      round, S->ready, nreaders, S->reached_munmap ? "reached" : "never reached");
		CHECK(S->violations == 0, "round %d: %ld read(s) succeeded after munmap returned (stale TLB entry)",
		      round, S->violations);
		CHECK(S->bad_values == 0, "round %d: %ld read(s) returned freed or reused memory (%ld the new pattern)",
		      round, S->bad_values, S->saw_new);
		unsigned long total = 0;
		for (int i = 0; i < nreaders; i++)
			total += S->reads[i];
		printf("tlb_munmap_race: round %d: %lu reads, violations %ld, bad values %ld\n", round, total,
		       S->violations, S->bad_values);
	}
	return test_done();
}
