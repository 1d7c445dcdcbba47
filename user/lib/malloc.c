/*
 * malloc.c - malloc, free, calloc, realloc over anonymous mmap().
 *
 * Every block starts with a 16-byte header, so the pointer handed out is
 * 16-byte aligned like the mmap'd memory it lives in.
 *  - Small blocks (header + data <= 4 KiB) have a power-of-two size class:
 *    32, 64, ... 4096 bytes. Each class keeps a free list threaded through
 *    the free blocks; an empty list is refilled by carving a fresh 64 KiB
 *    mapping. Small blocks are recycled, never returned to the kernel.
 *  - Large blocks get a mapping of their own (rounded up to pages),
 *    unmapped again by free(): they exercise munmap.
 * One spinlock (spin, then sched_yield) protects the free lists. A fork()
 * while another thread holds it would leave the child's lock held: fork
 * from a process whose other threads may be inside malloc at your risk.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include "libc.h"

#define MALLOC_MAGIC    0x5ecd0c4a110cUL
#define PAGE            4096UL
#define MIN_SHIFT       5                       /* smallest block: 32 bytes */
#define NCLASSES        8                       /* 32 .. 4096 */
#define CHUNK           (64 * 1024UL)           /* refill size of a class */

struct header {
	unsigned long info;     /* small: class index; large: mapping length */
	unsigned long magic;    /* MALLOC_MAGIC ^ info while allocated */
};

struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[NCLASSES];
static __spinlock_t lock;

static size_t class_size(unsigned c)
{
	return 1UL << (c + MIN_SHIFT);
}

/* Report a pointer malloc never handed out (or one freed twice) and abort. */
static void bad_pointer(const char *what)
{
	static const char msg[] = ": malloc: bad pointer passed to ";
	char buf[128];
	size_t n = strlcpy(buf, __progname, sizeof(buf));
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	strlcpy(buf + n, msg, sizeof(buf) - n);
	n = strlen(buf);
	strlcpy(buf + n, what, sizeof(buf) - n);
	n = strlen(buf);
	if (n < sizeof(buf) - 1)
		buf[n++] = '\n';
	__syscall3(SYS_write, 2, (long)buf, (long)n);
	abort();
}

static void *map_pages(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Carve a fresh chunk into blocks of class c. Called with the lock held. */
static int refill(unsigned c)
{
	char *chunk = map_pages(CHUNK);
	if (!chunk)
		return -1;
	size_t sz = class_size(c);
	for (size_t off = CHUNK; off >= sz; off -= sz) {
		struct free_block *b = (struct free_block *)(chunk + off - sz);
		b->next = free_lists[c];
		free_lists[c] = b;
	}
	return 0;
}

static struct header *header_of(void *p, const char *who)
{
	struct header *h = (struct header *)p - 1;
	if (((unsigned long)p & 15) || (h->magic ^ h->info) != MALLOC_MAGIC)
		bad_pointer(who);
	return h;
}

/* Usable bytes in the block at p. */
static size_t usable(struct header *h)
{
	return (h->info < NCLASSES ? class_size((unsigned)h->info) : h->info) - sizeof(*h);
}

void *malloc(size_t n)
{
	if (n == 0)
		n = 1;
	if (n > (size_t)-1 / 2) {
		errno = ENOMEM;
		return NULL;
	}
	size_t need = n + sizeof(struct header);
	struct header *h;
	if (need <= class_size(NCLASSES - 1)) {
		unsigned c = 0;
		while (class_size(c) < need)
			c++;
		__spin_lock(&lock);
		if (!free_lists[c] && refill(c) < 0) {
			__spin_unlock(&lock);
			errno = ENOMEM;
			return NULL;
		}
		h = (struct header *)free_lists[c];
		free_lists[c] = free_lists[c]->next;
		__spin_unlock(&lock);
		h->info = c;
	} else {
		size_t len = (need + PAGE - 1) & ~(PAGE - 1);
		h = map_pages(len);
		if (!h)
			return NULL;            /* errno from mmap (ENOMEM) */
		h->info = len;
	}
	h->magic = MALLOC_MAGIC ^ h->info;
	return h + 1;
}

void free(void *p)
{
	if (!p)
		return;
	struct header *h = header_of(p, "free");
	unsigned long info = h->info;
	h->magic = 0;                   /* a second free() of p is caught */
	if (info >= NCLASSES) {
		munmap(h, info);
		return;
	}
	struct free_block *b = (struct free_block *)h;
	__spin_lock(&lock);
	b->next = free_lists[info];
	free_lists[info] = b;
	__spin_unlock(&lock);
}

void *calloc(size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	size_t n = nmemb * size;
	void *p = malloc(n);
	if (p && header_of(p, "calloc")->info < NCLASSES)
		memset(p, 0, n);        /* a large block is a fresh, zero-filled mapping */
	return p;
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	struct header *h = header_of(p, "realloc");
	size_t have = usable(h);
	if (n <= have && (h->info < NCLASSES || n > have / 2))
		return p;               /* still fits (and a large block is not mostly empty) */
	void *q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	free(p);
	return q;
}
