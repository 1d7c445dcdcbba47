/*
 * tlb_mprotect_race - once mprotect(PROT_READ) returns, no CPU writes the
 * page any more.
 *
 * In a forked child, the main thread stays on the first CPU and one
 * writer thread per other CPU (pinned with sched_setaffinity) writes a
 * private page in a loop, so every CPU holds a writable translation in
 * its TLB, while the main thread makes the page read-only. Right after
 * mprotect returns the main thread sets a "phase" flag in a MAP_SHARED
 * page (allocated before fork, so the parent reads it too). A writer
 * loads the flag, then writes: if it saw phase == 1 and the write still
 * completed, it used a stale writable translation after mprotect
 * returned (a missing or late shootdown) and counts a violation. The
 * writers must fault instead: the child dies with SIGSEGV.
 *
 * Second check: right after setting the flag the main thread copies the
 * page, waits a little and compares: any change is a write that landed
 * after mprotect returned (it catches a writer that loaded the flag just
 * before). With one CPU the single writer shares CPU 0 with the main
 * thread and only the local flush is tested.
 *
 * Runs ROUNDS children. A kernel that skips the remote flush fails it
 * with violations, late writes, or a child that never faults (exit 3).
 */
#define _GNU_SOURCE
#include "test.h"
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include "cpus.h"

#define ROUNDS 4
#define MAX_WRITERS 64
#define NPAGES 4                /* pages the writers cycle over */
#define MIN_WRITES 2000         /* writes each writer does before the mprotect */

struct shared {
	volatile int phase;             /* 1: munmap has returned */
	volatile int ready;             /* writers pinned and writing */
	volatile int pin_failed;
	volatile int reached_mprotect;  /* the main thread called mprotect */
	volatile int mprotect_failed;
	volatile long violations;       /* writes completed after phase 1 was seen */
	volatile long late_writes;      /* bytes changed after mprotect returned (main's snapshot) */
	volatile unsigned long writes[MAX_WRITERS];
};

static struct shared *S;
static volatile unsigned char *region;  /* set before the writers start */
static int cpu_list[MAX_WRITERS];    /* usable CPUs; the main thread takes the first */
static int writer_cpu[MAX_WRITERS];

static void *writer(void *arg)
{
	int idx = (int)(long)arg;
	if (pin_self(writer_cpu[idx]) != 0 || sched_getcpu() != writer_cpu[idx])
		__atomic_add_fetch(&S->pin_failed, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&S->ready, 1, __ATOMIC_SEQ_CST);
	for (unsigned long n = 0;; n++) {
		/* First the flag, then the write (x86 does not move a store
		 * before an earlier load; the seq_cst load stops the compiler). */
		int ph = __atomic_load_n(&S->phase, __ATOMIC_SEQ_CST);
		region[(n % NPAGES) * PAGE + (idx % 64) * 64 + (n & 63)] = (unsigned char)(n / NPAGES + 1);
		/* Reaching here means the write completed. */
		if (ph)
			__atomic_add_fetch(&S->violations, 1, __ATOMIC_SEQ_CST);
		S->writes[idx] = n + 1;
	}
	return NULL;
}

static unsigned char snapshot[NPAGES * PAGE];

static void child(int nwriters)
{
	if (pin_self(cpu_list[0]) != 0)
		_exit(10);
	unsigned char *page = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		_exit(11);
	memset(page, 0, NPAGES * PAGE);
	region = page;
	pthread_t t[MAX_WRITERS];
	for (int i = 0; i < nwriters; i++)
		if (pthread_create(&t[i], NULL, writer, (void *)(long)i) != 0)
			_exit(12);
	/* Every writer pinned and writing (so every CPU caches a writable translation). */
	long deadline = now_ms() + 30000;
	for (;;) {
		int all = __atomic_load_n(&S->ready, __ATOMIC_SEQ_CST) == nwriters;
		for (int i = 0; all && i < nwriters; i++)
			all = S->writes[i] >= MIN_WRITES;
		if (all)
			break;
		if (now_ms() > deadline)
			_exit(13);
		sched_yield();
	}
	S->reached_mprotect = 1;
	if (mprotect(page, NPAGES * PAGE, PROT_READ) != 0) {
		S->mprotect_failed = 1;
		_exit(14);
	}
	__atomic_store_n(&S->phase, 1, __ATOMIC_SEQ_CST);
	memcpy(snapshot, page, sizeof(snapshot));
	/* The writers must fault and take the process down; meanwhile the
	 * page must not change (less waiting once a violation shows the
	 * kernel is broken anyway). */
	long start = now_ms();
	while (now_ms() - start < 20000 && !(S->violations && now_ms() - start > 500)) {
		usleep(10000);
		long changed = 0;
		for (size_t i = 0; i < sizeof(snapshot); i++)
			changed += page[i] != snapshot[i];
		if (changed) {
			S->late_writes += changed;
			memcpy(snapshot, page, sizeof(snapshot));
		}
	}
	_exit(3);       /* still alive: no writer faulted */
}

int main(void)
{
	test_start("tlb_mprotect_race", "writers pinned on the other CPUs never write a page after mprotect(PROT_READ) returned");
	int ncpu = usable_cpus(cpu_list, MAX_WRITERS);
	if (ncpu < 1)
		FATAL("no usable CPU");
	int nwriters = ncpu > 1 ? ncpu - 1 : 1;
	for (int i = 0; i < nwriters; i++)
		writer_cpu[i] = cpu_list[ncpu > 1 ? i + 1 : 0];
	printf("tlb_mprotect_race: %d CPU(s): mprotect on CPU %d, %d writer(s), one per %s\n", ncpu, cpu_list[0],
	       nwriters, ncpu > 1 ? "other CPU" : "CPU (shared)");
	S = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED)
		FATAL("mmap of the shared page failed: errno %d", errno);
	for (int round = 0; round < ROUNDS; round++) {
		memset((void *)S, 0, sizeof(*S));
		pid_t pid = fork();
		if (pid < 0)
			FATAL("fork: errno %d", errno);
		if (pid == 0)
			child(nwriters);
		int st = 0;
		CHECK(waitpid(pid, &st, 0) == pid, "waitpid: errno %d", errno);
		char b[32];
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		      "round %d: the child ended with %s, expected SIGSEGV from a writer", round,
		      status_str(st, b, sizeof(b)));
		CHECK(S->pin_failed == 0, "round %d: %d writer(s) could not be pinned", round, S->pin_failed);
		CHECK(S->ready == nwriters && S->reached_mprotect, "round %d: %d of %d writers started, mprotect %s",
		      round, S->ready, nwriters, S->reached_mprotect ? "reached" : "never reached");
		CHECK(S->violations == 0, "round %d: %ld write(s) completed after mprotect returned (stale TLB entry)",
		      round, S->violations);
		CHECK(S->late_writes == 0, "round %d: %ld byte(s) of the read-only page changed after mprotect returned",
		      round, S->late_writes);
		unsigned long total = 0;
		for (int i = 0; i < nwriters; i++)
			total += S->writes[i];
		printf("tlb_mprotect_race: round %d: %lu writes, violations %ld, late writes %ld\n", round, total,
		       S->violations, S->late_writes);
	}
	return test_done();
}
