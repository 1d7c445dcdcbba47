/*
 * threaddemo - threads share one address space: four threads each add to
 * a counter under a mutex and fill their slice of a shared buffer; the
 * main thread joins them, collects their return values and checks both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#define NTHREADS 4
#define SLICE 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static char *buffer;

static void *work(void *arg)
{
	long id = (long)arg;
	memset(buffer + id * SLICE, 'a' + (int)id, SLICE);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	printf("threaddemo: thread %ld (tid %lu) ran on CPU %d\n", id, pthread_self(), sched_getcpu());
	return (void *)(id * 100);
}

int main(void)
{
	pthread_t t[NTHREADS];
	buffer = malloc(NTHREADS * SLICE);
	if (!buffer)
		return 1;
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i)) {
			printf("threaddemo: pthread_create failed\n");
			return 1;
		}
	long sum = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *v;
		pthread_join(t[i], &v);
		sum += (long)v;
	}
	int ok = counter == NTHREADS * 1000 && sum == 600;
	for (int i = 0; i < NTHREADS * SLICE; i++)
		ok &= buffer[i] == 'a' + i / SLICE;
	printf("threaddemo: counter=%ld (expected %d), sum of return values=%ld: %s\n",
	       counter, NTHREADS * 1000, sum, ok ? "ok" : "WRONG");
	free(buffer);
	return ok ? 0 : 1;
}
