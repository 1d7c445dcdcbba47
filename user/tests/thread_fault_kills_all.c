/*
 * thread_fault_kills_all: a fault in one thread kills the whole process,
 * as in POSIX: the other threads (spinning, or blocked in pthread_join)
 * never run again, and waitpid reports SIGSEGV.
 */
#include "test.h"
#include <pthread.h>

static volatile unsigned long *shared_counter;

static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		(*shared_counter)++;
	return NULL;
}

static volatile int *volatile nowhere;  /* NULL: page 0 is never mapped */

static void *faulter(void *arg)
{
	(void)arg;
	for (volatile int i = 0; i < 1000000; i++)
		;
	*nowhere = 1;
	return NULL;
}

int main(void)
{
	test_name = "thread_fault_kills_all";
	shared_counter = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t a, b, c;
		pthread_create(&a, NULL, spinner, NULL);
		pthread_create(&b, NULL, spinner, NULL);
		pthread_create(&c, NULL, faulter, NULL);
		pthread_join(a, NULL);  /* blocks until the whole process is killed */
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "the process died of SIGSEGV (status %#x)", status);
	unsigned long after_exit = *shared_counter;
	usleep(50000);
	CHECK(*shared_counter == after_exit, "no thread of the dead process still runs (%lu -> %lu)", after_exit,
	      *shared_counter);
	return test_done();
}
