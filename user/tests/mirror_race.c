/*
 * mirror_race: the device never uses a stale translation.
 *  - a thread munmaps (and remaps with new contents) while the device
 *    reads in a loop: every read gives the true data or EFAULT, never the
 *    new mapping's contents through an old entry nor a freed frame's
 *    poison;
 *  - MIGRATE: the kernel moves a page to a new frame under a bound
 *    device; the device then sees the new frame (a CPU write after the
 *    move is visible to it).
 * Secundus only.
 */
#include "test.h"
#ifdef __secundus__
#include <pthread.h>
#include <sched.h>
#include <secundus/mirror.h>

#define ROUNDS 300
static char *volatile region;
static volatile int stop;

static void *unmapper(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		char *p = region;
		munmap(p, PAGE);
		/* a new mapping at the same address, filled with 'B' (maybe on the freed frame) */
		char *q = mmap(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		memset(q, 'B', PAGE);
		munmap(q, PAGE);
		q = mmap(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		memset(q, 'A', PAGE);
		sched_yield();
	}
	stop = 1;
	return NULL;
}

static void munmap_race(int h)
{
	region = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(region, 'A', PAGE);
	pthread_t t;
	pthread_create(&t, NULL, unmapper, NULL);
	long good = 0, efault = 0, bad = 0;
	char buf[64];
	while (!stop) {
		int r = mirror_read(h, region + 100, buf, sizeof buf);
		if (r == -1 && errno == EFAULT) {
			efault++;
			continue;
		}
		int ok = r == 0;
		for (unsigned i = 0; ok && i < sizeof buf; i++)
			ok = buf[i] == 'A' || buf[i] == 0 || buf[i] == 'B';
		/* 'B' is legitimate only while that mapping exists; 0x6b is poison from a freed frame */
		if (ok)
			good++;
		else
			bad++;
	}
	pthread_join(t, NULL);
	CHECK(bad == 0, "%ld device reads returned neither true data nor EFAULT (%ld good, %ld EFAULT)", bad, good,
	      efault);
	munmap(region, PAGE);
}

static void migrate(int h)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(p, "before the move");
	char buf[32];
	CHECK(mirror_read(h, p, buf, 16) == 0 && strcmp(buf, "before the move") == 0, "device read before the move");
	struct mirror_stat a, b;
	mirror_stat(h, &a);
	CHECK(secundus_move_page(p) == 0, "move_page: errno %d", errno);
	strcpy(p, "after the move!");  /* lands in the new frame */
	CHECK(mirror_read(h, p, buf, 16) == 0 && strcmp(buf, "after the move!") == 0,
	      "the device sees the new frame (\"%s\")", buf);
	mirror_stat(h, &b);
	CHECK(b.invalidations > a.invalidations, "the move invalidated the device's entry");
	munmap(p, PAGE);
}

int main(void)
{
	test_name = "mirror_race";
	int h = mirror_open();
	if (h < 0)
		FATAL("mirror_open: errno %d", errno);
	munmap_race(h);
	migrate(h);
	mirror_close(h);
	return test_done();
}
#else
int main(void)
{
	printf("mirror_race: the mirror device exists only on Secundus; skipped\n");
	return 0;
}
#endif
