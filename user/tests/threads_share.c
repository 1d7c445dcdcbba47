/*
 * threads_share - threads of one process share memory: each of NTHREADS
 * writes its own slice of a malloc'd and of an mmap'd buffer, all threads
 * then check every slice (after a barrier made of a shared counter);
 * pthread_join returns each thread's value; a mutex-protected counter
 * adds up exactly; memory mapped by one thread is usable by another.
 */
#include "test.h"
#include <pthread.h>
#include <sched.h>

#define NTHREADS 4
#define SLICE 4096
#define INCS 20000

static unsigned char *heap_buf;
static unsigned char *map_buf;
static volatile int arrived;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static char *volatile mapped_by_thread;

static void *worker(void *arg)
{
	long id = (long)arg;
	memset(heap_buf + id * SLICE, (int)(0x10 + id), SLICE);
	memset(map_buf + id * SLICE, (int)(0x20 + id), SLICE);
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < NTHREADS)
		sched_yield();
	long bad = 0;
	for (long t = 0; t < NTHREADS; t++)
		for (long i = 0; i < SLICE; i++) {
			bad += heap_buf[t * SLICE + i] != 0x10 + t;
			bad += map_buf[t * SLICE + i] != 0x20 + t;
		}
	for (int i = 0; i < INCS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	if (bad)
		return (void *)(1000000 + bad);
	return (void *)(id * 7 + 1);    /* the value pthread_join must return */
}

static void *mapper(void *arg)
{
	(void)arg;
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (void *)1;
	p[0] = 'T';
	mapped_by_thread = p;
	return (void *)2;
}

static void *unmapper(void *arg)
{
	char *p = arg;
	p[PAGE] = 'U';
	return (void *)(long)munmap(p, 2 * PAGE);
}

int main(void)
{
	test_start("threads_share", "threads see each other's writes; pthread_join returns the value");

	heap_buf = malloc(NTHREADS * SLICE);
	map_buf = (unsigned char *)map_pages(NTHREADS * SLICE / PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (!heap_buf)
		FATAL("malloc failed");

	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++) {
		int e = pthread_create(&th[i], NULL, worker, (void *)i);
		if (e)
			FATAL("pthread_create %ld: error %d", i, e);
	}
	for (long i = 0; i < NTHREADS; i++) {
		void *v = NULL;
		int e = pthread_join(th[i], &v);
		CHECK(e == 0, "pthread_join %ld: error %d", i, e);
		CHECK((long)v == i * 7 + 1, "thread %ld returned %ld (>= 1000000: that many bytes wrong)", i, (long)v);
	}
	CHECK(counter == (long)NTHREADS * INCS, "mutex counter %ld, expected %ld", counter, (long)NTHREADS * INCS);
	/* The main thread sees the threads' writes too. */
	size_t bad = 0;
	for (long t = 0; t < NTHREADS; t++)
		for (long i = 0; i < SLICE; i++)
			bad += heap_buf[t * SLICE + i] != 0x10 + t || map_buf[t * SLICE + i] != 0x20 + t;
	CHECK(bad == 0, "main thread: %zu bytes of the threads' writes missing", bad);

	/* A mapping made by one thread, used and unmapped by another. */
	pthread_t a, b;
	void *v = NULL;
	CHECK(pthread_create(&a, NULL, mapper, NULL) == 0, "create mapper");
	CHECK(pthread_join(a, &v) == 0 && (long)v == 2, "mapper returned %ld", (long)v);
	CHECK(mapped_by_thread && mapped_by_thread[0] == 'T', "thread's mapping not visible");
	if (mapped_by_thread) {
		CHECK(pthread_create(&b, NULL, unmapper, mapped_by_thread) == 0, "create unmapper");
		CHECK(pthread_join(b, &v) == 0 && v == NULL, "unmapper: munmap returned %ld", (long)v);
	}

	/* pthread_self differs between threads and matches itself. */
	CHECK(pthread_equal(pthread_self(), pthread_self()), "pthread_self not stable");

	free(heap_buf);
	return test_done();
}
