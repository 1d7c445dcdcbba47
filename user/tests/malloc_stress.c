/*
 * malloc_stress - malloc, calloc, realloc and free over many sizes (tiny to
 * 1 MiB) in a pseudo-random order, every block filled with a pattern
 * that is checked before it is freed or resized; alignment to 16 bytes;
 * calloc returns zeros (also for recycled memory); realloc keeps contents
 * growing and shrinking; four threads doing the same at once (the
 * allocator's lock); overflowing requests fail with ENOMEM.
 */
#include "test.h"
#include <stdint.h>
#include <pthread.h>

#define SLOTS 256
#define ROUNDS 3000

struct block {
	unsigned char *p;
	size_t size;
	unsigned char seed;
};

static unsigned long rng(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

/* A size distribution: mostly small, some page-sized, a few large. */
static size_t pick_size(unsigned long *s)
{
	unsigned long r = rng(s) % 100;
	if (r < 60)
		return rng(s) % 128 + 1;
	if (r < 90)
		return rng(s) % 4096 + 1;
	if (r < 99)
		return rng(s) % 65536 + 1;
	return rng(s) % (1 << 20) + 1;
}

/*
 * The bytes of a block of the given size that carry the pattern: all of
 * the first 256 and the last 16, every 16th in between (whole blocks would
 * make this test slow under QEMU). next() steps through them in order.
 */
static size_t next(size_t i, size_t size)
{
	if (i < 256 || i + 17 >= size)
		return i + 1;
	size_t j = i + 16;
	return j + 16 >= size ? size - 16 : j;
}

static void fill(struct block *b)
{
	for (size_t i = 0; i < b->size; i = next(i, b->size))
		b->p[i] = (unsigned char)(b->seed + i * 13);
}

/* Wrong pattern bytes among the first n bytes of b (n <= b->size). */
static size_t check(const struct block *b, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i = next(i, b->size))
		bad += b->p[i] != (unsigned char)(b->seed + i * 13);
	return bad;
}

/* Runs ROUNDS random operations; returns the number of problems found. */
static long stress(unsigned long seed)
{
	struct block *slots = calloc(SLOTS, sizeof(*slots));
	if (!slots)
		return 1;
	long problems = 0;
	for (int round = 0; round < ROUNDS; round++) {
		struct block *b = &slots[rng(&seed) % SLOTS];
		unsigned long op = rng(&seed) % 10;
		if (b->p && op < 4) {                   /* free */
			if (check(b, b->size)) {
				printf("malloc_stress: block of %zu bytes corrupted before free\n", b->size);
				problems++;
			}
			free(b->p);
			b->p = NULL;
		} else if (b->p) {                      /* realloc, bigger or smaller */
			size_t n = pick_size(&seed);
			unsigned char *q = realloc(b->p, n);
			if (!q) {
				printf("malloc_stress: realloc(%zu) failed\n", n);
				problems++;
				continue;
			}
			b->p = q;
			size_t keep = n < b->size ? n : b->size;
			if (check(b, keep)) {
				printf("malloc_stress: realloc %zu -> %zu lost contents\n", b->size, n);
				problems++;
			}
			b->size = n;
			fill(b);
		} else {                                /* malloc or calloc */
			size_t n = pick_size(&seed);
			int zeroed = op < 7;
			b->p = zeroed ? calloc(1, n) : malloc(n);
			if (!b->p) {
				printf("malloc_stress: %s(%zu) failed\n", zeroed ? "calloc" : "malloc", n);
				problems++;
				continue;
			}
			if ((uintptr_t)b->p % 16) {
				printf("malloc_stress: %p is not 16-byte aligned\n", (void *)b->p);
				problems++;
			}
			if (zeroed) {
				size_t nz = 0;
				for (size_t i = 0; i < n; i++)
					nz += b->p[i] != 0;
				if (nz) {
					printf("malloc_stress: calloc(%zu) returned %zu nonzero bytes\n", n, nz);
					problems++;
				}
			}
			b->size = n;
			b->seed = (unsigned char)rng(&seed);
			fill(b);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p && check(&slots[i], slots[i].size))
			problems++;
		free(slots[i].p);
	}
	free(slots);
	return problems;
}

static void *stress_thread(void *arg)
{
	return (void *)stress((unsigned long)arg);
}

int main(void)
{
	test_start("malloc_stress", "malloc/calloc/realloc/free with pattern checks, alone and in 4 threads");

	CHECK(stress(1) == 0, "single-threaded stress found problems");

	pthread_t t[4];
	int started = 0;
	for (long i = 0; i < 4; i++)
		if (pthread_create(&t[started], NULL, stress_thread, (void *)(i + 100)) == 0)
			started++;
	CHECK(started == 4, "only %d threads started", started);
	for (int i = 0; i < started; i++) {
		void *r = (void *)1;
		CHECK(pthread_join(t[i], &r) == 0, "pthread_join");
		CHECK(r == NULL, "thread %d found %ld problems", i, (long)r);
	}

	/* Edge cases. */
	void *z = malloc(0);
	free(z);                                /* NULL or a unique pointer: both free()able */
	free(NULL);
	volatile size_t huge = (size_t)1 << 62; /* volatile: gcc would refuse the constant */
	errno = 0;
	CHECK(calloc(huge, 16) == NULL && errno == ENOMEM, "overflowing calloc: errno %d", errno);
	errno = 0;
	CHECK(malloc(huge * 4 - 64) == NULL && errno == ENOMEM, "malloc(SIZE_MAX-63): errno %d", errno);
	char *s = realloc(NULL, 10);            /* realloc(NULL) is malloc */
	CHECK(s != NULL, "realloc(NULL, 10) failed");
	strcpy(s, "abcdefghi");
	char *big = realloc(s, 1 << 20);        /* small -> large keeps the bytes */
	CHECK(big && !strcmp(big, "abcdefghi"), "realloc small -> 1 MiB lost contents");
	char *small = realloc(big, 5);          /* large -> small too */
	CHECK(small && !memcmp(small, "abcde", 5), "realloc 1 MiB -> 5 lost contents");
	free(small ? small : big);
	char *d = strdup("duplicate me");
	CHECK(d && !strcmp(d, "duplicate me"), "strdup");
	free(d);
	return test_done();
}
