/*
 * tlb_ipi_count - what a TLB shootdown costs, counted in IPIs.
 *
 * Part 1: a single-threaded process that never ran on another CPU (the
 * test pins itself to its first CPU before fork, and the child inherits
 * that affinity) munmaps 512 populated pages: no IPI at all, since no
 * other CPU is in its mm's CPU mask, and one shootdown round.
 *
 * Part 2: spinner threads pinned on every other CPU first read all 512
 * pages of a region (so every CPU caches its translations), then spin on
 * a control page without touching the region; the main thread munmaps
 * the region. Every CPU is then in the mm's mask and running the mm (not
 * lazy): the munmap costs one shootdown round and at most one IPI per
 * other CPU, whatever the number of pages (an mmu_gather batch is one
 * round). Repeated ROUNDS times; at least one round must have sent IPIs
 * when there are other CPUs (it could otherwise pass vacuously).
 *
 * The figures come from secundus_vmstat() (ipis_sent counts cross-call
 * IPIs, all of them TLB shootdowns here), so they are checked on Secundus
 * only; on Linux the same steps run without the counts.
 */
#define _GNU_SOURCE
#include "test.h"
#include <pthread.h>
#include <sched.h>
#include <time.h>
#ifdef __secundus__
#include <secundus/vmstat.h>
#endif
#include "cpus.h"

#define NPAGES 512
#define ROUNDS 5
#define MAX_CPUS 64

struct shared {
	volatile int cmd;               /* CMD_* for the spinners */
	volatile int gen;               /* bumped with each command */
	volatile int ack[MAX_CPUS];     /* gen each spinner last saw */
	volatile int pin_failed;
	/* part 1, filled by the child */
	volatile long c_ipis, c_rounds, c_pages;
	volatile int c_cpu_ok;
};
#define CMD_SPIN 0
#define CMD_TOUCH 1
#define CMD_QUIT 2

static struct shared *S;
static volatile unsigned char *region;
static int cpu_list[MAX_CPUS];

static unsigned char *map_populated(size_t n)
{
	unsigned char *p = (unsigned char *)map_pages(n, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = (unsigned char)(i + 1);
	return p;
}

/* Part 1, in the child: pinned (inherited) to cpu_list[0] since fork. */
static void single_cpu_child(void)
{
	S->c_cpu_ok = sched_getcpu() == cpu_list[0];
	unsigned char *p = map_populated(NPAGES);
#ifdef __secundus__
	struct secundus_vmstat a, b;
	secundus_vmstat(&a);
	if (munmap(p, NPAGES * PAGE) != 0)
		_exit(2);
	secundus_vmstat(&b);
	S->c_ipis = (long)(b.ipis_sent - a.ipis_sent);
	S->c_rounds = (long)(b.shootdown_rounds - a.shootdown_rounds);
	S->c_pages = (long)(b.shootdown_pages - a.shootdown_pages);
#else
	if (munmap(p, NPAGES * PAGE) != 0)
		_exit(2);
#endif
	_exit(0);
}

static void *spinner(void *arg)
{
	int idx = (int)(long)arg;
	if (pin_self(cpu_list[idx]) != 0 || sched_getcpu() != cpu_list[idx])
		__atomic_add_fetch(&S->pin_failed, 1, __ATOMIC_SEQ_CST);
	unsigned sum = 0;
	for (;;) {
		/* gen first: the main thread writes cmd before gen. */
		int g = __atomic_load_n(&S->gen, __ATOMIC_SEQ_CST);
		int c = __atomic_load_n(&S->cmd, __ATOMIC_SEQ_CST);
		if (c == CMD_QUIT)
			break;
		if (c == CMD_TOUCH)
			for (int i = 0; i < NPAGES; i++)
				sum += region[i * PAGE];
		__atomic_store_n(&S->ack[idx], g, __ATOMIC_SEQ_CST);
		__asm__ volatile("pause");
	}
	return (void *)(unsigned long)sum;
}

/* Post a command and wait until every spinner (indices 1..n-1) has seen it. */
static int command(int cmd, int ncpu)
{
	__atomic_store_n(&S->cmd, cmd, __ATOMIC_SEQ_CST);
	int g = __atomic_add_fetch(&S->gen, 1, __ATOMIC_SEQ_CST);
	long deadline = now_ms() + 30000;
	for (int i = 1; i < ncpu; i++) {
		while (__atomic_load_n(&S->ack[i], __ATOMIC_SEQ_CST) != g) {
			if (now_ms() > deadline)
				return -1;
			sched_yield();
		}
	}
	return 0;
}

int main(void)
{
	test_start("tlb_ipi_count", "a shootdown sends at most one IPI per other CPU of the mm, none for a one-CPU process");
	int ncpu = usable_cpus(cpu_list, MAX_CPUS);
	if (ncpu < 1)
		FATAL("no usable CPU");
	S = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED)
		FATAL("mmap of the shared page failed: errno %d", errno);
	memset((void *)S, 0, sizeof(*S));
	if (pin_self(cpu_list[0]) != 0)
		FATAL("sched_setaffinity to CPU %d: errno %d", cpu_list[0], errno);
	printf("tlb_ipi_count: %d CPU(s); main thread on CPU %d\n", ncpu, cpu_list[0]);

	/* Part 1: a process that only ever ran on one CPU. */
	pid_t pid = fork();
	if (pid < 0)
		FATAL("fork: errno %d", errno);
	if (pid == 0)
		single_cpu_child();
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "one-CPU child failed: status 0x%x", st);
	CHECK(S->c_cpu_ok, "the child did not run on CPU %d (affinity not inherited?)", cpu_list[0]);
#ifdef __secundus__
	printf("tlb_ipi_count: one-CPU process, munmap of %d pages: %ld IPI(s), %ld round(s), %ld page(s)\n", NPAGES,
	       S->c_ipis, S->c_rounds, S->c_pages);
	CHECK(S->c_ipis == 0, "a process that never left CPU %d caused %ld IPI(s)", cpu_list[0], S->c_ipis);
	CHECK(S->c_rounds == 1, "munmap of %d pages took %ld shootdown rounds, expected 1", NPAGES, S->c_rounds);
	CHECK(S->c_pages == NPAGES, "the round covered %ld pages, expected %d", S->c_pages, NPAGES);
#endif

	/* Part 2: spinners on every other CPU. */
	pthread_t t[MAX_CPUS];
	for (int i = 1; i < ncpu; i++)
		if (pthread_create(&t[i], NULL, spinner, (void *)(long)i) != 0)
			FATAL("pthread_create: spinner %d", i);
	long max_ipis = 0;
	for (int round = 0; round < ROUNDS; round++) {
		unsigned char *p = map_populated(NPAGES);
		region = p;
		if (command(CMD_TOUCH, ncpu) != 0 || command(CMD_SPIN, ncpu) != 0)
			FATAL("round %d: the spinners did not answer within 30 s", round);
#ifdef __secundus__
		struct secundus_vmstat a, b;
		secundus_vmstat(&a);
		CHECK(munmap(p, NPAGES * PAGE) == 0, "munmap: errno %d", errno);
		secundus_vmstat(&b);
		long ipis = (long)(b.ipis_sent - a.ipis_sent), recv = (long)(b.ipis_received - a.ipis_received);
		long rounds = (long)(b.shootdown_rounds - a.shootdown_rounds);
		long pages = (long)(b.shootdown_pages - a.shootdown_pages);
		long lazy = (long)(b.lazy_skipped - a.lazy_skipped);
		printf("tlb_ipi_count: round %d: munmap of %d pages with %d spinner(s): %ld IPI(s) sent, %ld received, "
		       "%ld round(s), %ld page(s), %ld lazy CPU(s) skipped\n",
		       round, NPAGES, ncpu - 1, ipis, recv, rounds, pages, lazy);
		CHECK(ipis <= ncpu - 1, "round %d: %ld IPIs for %d other CPU(s)", round, ipis, ncpu - 1);
		CHECK(recv == ipis, "round %d: %ld IPI(s) sent but %ld handled before munmap returned", round, ipis,
		      recv);
		CHECK(rounds == 1, "round %d: %ld shootdown rounds, expected 1", round, rounds);
		CHECK(pages == NPAGES, "round %d: the round covered %ld pages, expected %d", round, pages, NPAGES);
		if (ipis > max_ipis)
			max_ipis = ipis;
#else
		CHECK(munmap(p, NPAGES * PAGE) == 0, "munmap: errno %d", errno);
#endif
	}
#ifdef __secundus__
	if (ncpu > 1)
		CHECK(max_ipis >= 1, "no round sent an IPI although %d other CPU(s) ran the mm", ncpu - 1);
#endif
	(void)max_ipis;
	if (command(CMD_QUIT, 1) != 0)
		FATAL("quit");
	for (int i = 1; i < ncpu; i++)
		pthread_join(t[i], NULL);
	CHECK(S->pin_failed == 0, "%d spinner(s) could not be pinned", S->pin_failed);
	return test_done();
}
