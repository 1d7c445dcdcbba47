/*
 * test_kmalloc.c - kmalloc/kzalloc/kfree/ksize (kernel/mm/kmalloc.c) on the
 * host, over the real buddy allocator in host_pmm.c's arena.
 *
 * Checks every size class (distinct, non-overlapping, class-aligned objects
 * that keep what is written to them), whole pages for large sizes, NULL for
 * size 0, absurd sizes and exhaustion, zeroing, and that slab pages go back
 * to the page allocator once empty. Every test must leave no live object
 * and every page free. Free pages are poisoned, so AddressSanitizer reports
 * any use of memory kmalloc has given back.
 */
#include "tests/host/host_ktap.h"
#include "tests/host/host_pmm.h"
#include "kernel/mm/kmalloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BYTES ((size_t)HOST_PMM_PAGES * PAGE_SIZE)
#define MAX_OBJS (ARENA_BYTES / KMALLOC_MIN)    /* enough for any exhaustion run */

static void *objs[MAX_OBJS];
static size_t sizes[MAX_OBJS];

/* Size of the class kmalloc(size) uses for small sizes. */
static size_t class_of(size_t size)
{
	size_t c = KMALLOC_MIN;
	while (c < size)
		c <<= 1;
	return c;
}

/* Nothing allocated, every page free, allocator lists sound. */
static void expect_all_free(void)
{
	HEXPECT_EQ(kmalloc_live_objects(), 0);
	HEXPECT_EQ(pmm_free_pages(), pmm_total_pages());
	HEXPECT_EQ(pmm_check(), 0);
}

/* A byte pattern that depends on the object and the offset. */
static unsigned char pattern(size_t obj, size_t off) { return (unsigned char)(obj * 131 + off * 7 + 1); }

static void fill(void *p, size_t n, size_t id)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = pattern(id, i);
}

/* Does object id still hold its pattern? */
static bool intact(const void *p, size_t n, size_t id)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)p)[i] != pattern(id, i))
			return false;
	return true;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
	return (x > y) - (x < y);
}

static void sort_objs(size_t n) { qsort(objs, n, sizeof objs[0], by_address); }

/* Sort objs[0..n) and check no two of them (each `len` bytes) overlap. */
static void expect_disjoint(size_t n, size_t len)
{
	sort_objs(n);
	for (size_t i = 1; i < n; i++)
		if (!HEXPECT_GE((uintptr_t)objs[i] - (uintptr_t)objs[i - 1], len))
			return;
}

static void free_all(size_t n)
{
	for (size_t i = 0; i < n; i++)
		kfree(objs[i]);
}

/* n objects of `size` bytes: in the arena, aligned to their class, each keeps its pattern. */
static void exercise_size(size_t size, size_t n)
{
	size_t cls = class_of(size);
	for (size_t i = 0; i < n; i++) {
		void *p = objs[i] = kmalloc(size);
		HASSERT_NOT_NULL(p);
		HEXPECT_TRUE(host_pmm_contains(p, cls));
		HEXPECT_EQ((uintptr_t)p % cls, 0);
		HEXPECT_EQ(ksize(p), cls);
		fill(p, size, i);
	}
	HEXPECT_EQ(kmalloc_live_objects(), n);
	for (size_t i = 0; i < n; i++)
		if (!HEXPECT_TRUE(intact(objs[i], size, i)))
			htest_diag("size %zu object %zu at %p was overwritten", size, i, objs[i]);
	expect_disjoint(n, cls);
	free_all(n);
}

HTEST(size_zero_and_kfree_null)
{
	HEXPECT_NULL(kmalloc(0));
	HEXPECT_NULL(kzalloc(0));
	kfree(NULL);
	expect_all_free();
}

HTEST(absurd_sizes_return_null)
{
	HEXPECT_NULL(kmalloc(SIZE_MAX));
	HEXPECT_NULL(kmalloc(SIZE_MAX / 2));
	HEXPECT_NULL(kmalloc((PAGE_SIZE << 10) + 1));   /* more than the largest block */
	HEXPECT_NULL(kzalloc(SIZE_MAX));
	expect_all_free();
}

/* Every size 1..2048: two slab pages' worth of objects (plus one). */
HTEST(every_small_size)
{
	for (size_t size = 1; size <= KMALLOC_MAX_SMALL; size++) {
		exercise_size(size, 2 * PAGE_SIZE / class_of(size) + 1);
		if (htest_failures()) {
			htest_diag("at size %zu", size);
			break;
		}
	}
	expect_all_free();
}

/* Many classes live at once: objects of different classes never overlap. */
HTEST(classes_mixed)
{
	size_t n = 0;
	for (int round = 0; round < 40; round++)
		for (size_t cls = KMALLOC_MIN; cls <= KMALLOC_MAX_SMALL; cls <<= 1, n++) {
			size_t lo = cls == KMALLOC_MIN ? 0 : cls / 2;   /* sizes of that class: (lo, cls] */
			size_t size = lo + 1 + (size_t)round % (cls - lo);
			HASSERT_NOT_NULL(objs[n] = kmalloc(size));
			HEXPECT_EQ(ksize(objs[n]), cls);
			sizes[n] = size;
			fill(objs[n], size, n);
		}
	for (size_t i = 0; i < n; i++)
		HEXPECT_TRUE(intact(objs[i], sizes[i], i));
	sort_objs(n);
	for (size_t i = 1; i < n; i++)  /* each must end before the next starts */
		HEXPECT_LE((uintptr_t)objs[i - 1] + ksize(objs[i - 1]), (uintptr_t)objs[i]);
	free_all(n);
	expect_all_free();
}

HTEST(ksize_at_least_requested)
{
	for (size_t size = 1; size <= 5 * PAGE_SIZE; size += size < 4200 ? 1 : 97) {
		void *p = kmalloc(size);
		HASSERT_NOT_NULL(p);
		HEXPECT_GE(ksize(p), size);
		HEXPECT_LT(ksize(p), 2 * size + KMALLOC_MIN);   /* and not absurdly more */
		kfree(p);
	}
	HEXPECT_EQ(ksize(NULL), 0);
	expect_all_free();
}

/* sizes above KMALLOC_MAX_SMALL: whole pages, 2^order of them. */
static void expect_large(size_t size, unsigned order)
{
	u64 before = pmm_free_pages();
	void *p = kmalloc(size);
	HASSERT_NOT_NULL(p);
	HEXPECT_EQ((uintptr_t)p % PAGE_SIZE, 0);
	HEXPECT_EQ(ksize(p), PAGE_SIZE << order);
	HEXPECT_EQ(pmm_free_pages(), before - (1u << order));
	HEXPECT_TRUE(virt_to_page(p)->flags & PG_large);
	HEXPECT_TRUE(host_pmm_contains(p, ksize(p)));
	fill(p, ksize(p), order);
	HEXPECT_TRUE(intact(p, ksize(p), order));
	kfree(p);
	HEXPECT_EQ(pmm_free_pages(), before);
}

HTEST(large_sizes_get_whole_pages)
{
	expect_large(KMALLOC_MAX_SMALL + 1, 0);
	expect_large(PAGE_SIZE, 0);
	expect_large(PAGE_SIZE + 1, 1);
	expect_large(10000, 2);
	expect_large(PAGE_SIZE << 5, 5);
	expect_large(PAGE_SIZE << 10, 10);      /* the whole arena */
	expect_all_free();
}

HTEST(kzalloc_zeroes)
{
	static const size_t list[] = { 1, 16, 100, 512, 2048, 3000, 3 * PAGE_SIZE };
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
		size_t size = list[i];
		void *dirty = kmalloc(size);
		HASSERT_NOT_NULL(dirty);
		memset(dirty, 0xa5, ksize(dirty));
		kfree(dirty);
		unsigned char *p = kzalloc(size);       /* most likely the same memory */
		HASSERT_NOT_NULL(p);
		for (size_t j = 0; j < size; j++)
			if (!HEXPECT_EQ(p[j], 0))
				break;
		kfree(p);
	}
	expect_all_free();
}

/* A class's slab page holds PAGE_SIZE / class objects; the next one takes a page. */
HTEST(slab_pages_return_when_empty)
{
	for (size_t cls = KMALLOC_MIN; cls <= KMALLOC_MAX_SMALL; cls <<= 1) {
		u64 base = pmm_free_pages();
		size_t per_page = PAGE_SIZE / cls;
		for (size_t i = 0; i < per_page; i++) {
			HASSERT_NOT_NULL(objs[i] = kmalloc(cls));
			HEXPECT_EQ(pmm_free_pages(), base - 1);
		}
		HASSERT_NOT_NULL(objs[per_page] = kmalloc(cls));
		HEXPECT_EQ(pmm_free_pages(), base - 2);
		kfree(objs[per_page]);                  /* that page is empty again */
		HEXPECT_EQ(pmm_free_pages(), base - 1);
		for (size_t i = 0; i < per_page; i++)
			kfree(objs[i]);
		HEXPECT_EQ(pmm_free_pages(), base);
	}
	expect_all_free();
}

/* A full slab page with one object freed is reused before a new page is taken. */
HTEST(freed_object_is_reused)
{
	void *a = kmalloc(2048), *b = kmalloc(2048);    /* two fill a page */
	HASSERT_TRUE(a && b);
	u64 base = pmm_free_pages();
	kfree(a);
	void *c = kmalloc(2000);
	HEXPECT_EQ(c, a);
	HEXPECT_EQ(pmm_free_pages(), base);
	kfree(b);
	kfree(c);
	expect_all_free();
}

/* Take every page away: kmalloc must fail cleanly, then work again. */
HTEST(exhausted_page_allocator)
{
	static struct page *pages[HOST_PMM_PAGES];
	size_t n = 0;
	struct page *p;
	while ((p = alloc_page()) != NULL)
		pages[n++] = p;
	HEXPECT_EQ(n, pmm_total_pages());
	HEXPECT_NULL(kmalloc(16));
	HEXPECT_NULL(kmalloc(KMALLOC_MAX_SMALL));
	HEXPECT_NULL(kmalloc(5000));
	HEXPECT_NULL(kzalloc(100));
	HEXPECT_EQ(kmalloc_live_objects(), 0);
	for (size_t i = 0; i < n; i++)
		free_page(pages[i]);
	void *q = kmalloc(16);
	HEXPECT_NOT_NULL(q);
	kfree(q);
	expect_all_free();
}

/* kmalloc itself runs the arena dry: exactly as many objects as fit. */
static void exhaust_with(size_t size, size_t expected)
{
	size_t n = 0;
	void *p;
	while ((p = kmalloc(size)) != NULL) {
		HASSERT_LT(n, MAX_OBJS);
		objs[n++] = p;
	}
	HEXPECT_EQ(n, expected);
	HEXPECT_EQ(pmm_free_pages(), 0);
	HEXPECT_EQ(kmalloc_live_objects(), n);
	HEXPECT_NULL(kmalloc(1));
	HEXPECT_NULL(kmalloc(PAGE_SIZE));
	void *hole = objs[n / 2];
	kfree(hole);                            /* one slot back: it is reused */
	objs[n / 2] = kmalloc(size);
	HEXPECT_EQ(objs[n / 2], hole);
	free_all(n);
	expect_all_free();
}

HTEST(exhaustion_by_kmalloc)
{
	exhaust_with(KMALLOC_MAX_SMALL, HOST_PMM_PAGES * (PAGE_SIZE / KMALLOC_MAX_SMALL));
	exhaust_with(KMALLOC_MIN, HOST_PMM_PAGES * (PAGE_SIZE / KMALLOC_MIN));
	exhaust_with(3 * PAGE_SIZE, HOST_PMM_PAGES / 4);        /* order 2 blocks */
}

/* A fixed-seed mix of sizes and frees; contents must survive. */
static u64 rng_state = 0x2545f4914f6cdd1dull;
static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t random_size(void)
{
	u64 r = rng() % 100;
	return r < 90 ? 1 + rng() % KMALLOC_MAX_SMALL : 1 + rng() % (4 * PAGE_SIZE);
}

static size_t ids[MAX_OBJS];

/* Free live object i (checking its pattern) and move the last one into its slot. */
static void stress_free(size_t i, size_t *n)
{
	HEXPECT_TRUE(intact(objs[i], sizes[i], ids[i]));
	kfree(objs[i]);
	--*n;
	objs[i] = objs[*n], sizes[i] = sizes[*n], ids[i] = ids[*n];
}

HTEST(random_stress)
{
	size_t n = 0, next_id = 0;
	for (int op = 0; op < 20000 && !htest_failures(); op++) {
		if (n && rng() % 100 < 45) {
			stress_free(rng() % n, &n);
			continue;
		}
		size_t size = random_size();
		void *p = kmalloc(size);
		if (!p)
			continue;               /* exhaustion is allowed here */
		HEXPECT_GE(ksize(p), size);
		objs[n] = p, sizes[n] = size, ids[n] = next_id++;
		fill(p, size, ids[n]);
		n++;
		HASSERT_EQ(kmalloc_live_objects(), n);
	}
	while (n)
		stress_free(n - 1, &n);
	HEXPECT_EQ(pmm_check(), 0);
	expect_all_free();
}

HTEST_MAIN(kmalloc)
