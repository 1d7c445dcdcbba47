/*
 * kmalloc_test.c - the kernel's small-object allocator (kernel/mm/kmalloc.c).
 *
 * Covers: sizes from 1 byte to 64 KiB (slab classes and whole pages) give
 * non-NULL, distinct, non-overlapping, writable objects with ksize() >= the
 * size, 8-byte alignment at least and size-class alignment for slab
 * objects; kmalloc(0) and impossible sizes give NULL; kzalloc zeroes a
 * dirty object; kfree(NULL) is harmless; live objects and free pages come
 * back to their baseline after freeing; exhausting memory with
 * kmalloc(2048) ends in NULL (no panic) and freeing everything restores
 * the baseline.
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/string.h"

static const size_t sizes[] = { 1, 8, 16, 17, 100, 512, 2048, 2049, 4096, 10000, 65536 };
#define NSIZES ARRAY_SIZE(sizes)

/* The alignment a size must get: its power-of-two class (>= 16) or a page. */
static u64 expected_align(size_t size)
{
	if (size > KMALLOC_MAX_SMALL)
		return PAGE_SIZE;
	u64 a = KMALLOC_MIN;
	while (a < size)
		a <<= 1;
	return a;
}

static bool alloc_all(void **objs)
{
	for (size_t i = 0; i < NSIZES; i++)
		if (!(objs[i] = kmalloc(sizes[i])))
			return false;
	return true;
}

static void free_all(void **objs)
{
	for (size_t i = 0; i < NSIZES; i++)
		kfree(objs[i]);
}

KTEST(kmalloc, sizes_non_null_and_big_enough)
{
	void *objs[NSIZES] = { 0 };
	bool ok = alloc_all(objs);
	for (size_t i = 0; i < NSIZES; i++) {
		if (!KEXPECT_NOT_NULL(objs[i]))
			ktest_diag("kmalloc(%zu) failed", sizes[i]);
		else if (!KEXPECT_GE(ksize(objs[i]), sizes[i]))
			ktest_diag("size %zu", sizes[i]);
	}
	KEXPECT_TRUE(ok);
	free_all(objs);
}

KTEST(kmalloc, alignment)
{
	void *objs[NSIZES] = { 0 };
	KASSERT_TRUE(alloc_all(objs));
	for (size_t i = 0; i < NSIZES; i++) {
		KEXPECT_EQ((u64)objs[i] % 8, 0);
		if (!KEXPECT_EQ((u64)objs[i] % expected_align(sizes[i]), 0))
			ktest_diag("kmalloc(%zu) = %p", sizes[i], objs[i]);
	}
	free_all(objs);
}

KTEST(kmalloc, objects_distinct_writable_non_overlapping)
{
	void *objs[NSIZES] = { 0 };
	KASSERT_TRUE(alloc_all(objs));
	for (size_t i = 0; i < NSIZES; i++)
		memset(objs[i], (int)(0x40 + i), sizes[i]);
	for (size_t i = 0; i < NSIZES; i++) {
		const u8 *b = objs[i];
		size_t bad = 0;
		for (size_t k = 0; k < sizes[i]; k++)
			bad += b[k] != (u8)(0x40 + i);
		if (!KEXPECT_EQ(bad, 0))
			ktest_diag("object of %zu bytes at %p was overwritten", sizes[i], objs[i]);
		for (size_t j = 0; j < i; j++) {
			u64 a = (u64)objs[i], b2 = (u64)objs[j];
			KEXPECT_TRUE(a + sizes[i] <= b2 || b2 + sizes[j] <= a);
		}
	}
	free_all(objs);
}

KTEST(kmalloc, zero_and_impossible_sizes_give_null)
{
	u64 live = kmalloc_live_objects(), free = pmm_free_pages();
	KEXPECT_NULL(kmalloc(0));
	KEXPECT_NULL(kzalloc(0));
	KEXPECT_NULL(kmalloc(1ull << 40));
	KEXPECT_NULL(kmalloc((PAGE_SIZE << 10) + 1));   /* just above the largest block */
	KEXPECT_NULL(kmalloc((size_t)-1));
	kfree(NULL);
	KEXPECT_EQ(kmalloc_live_objects(), live);
	KEXPECT_EQ(pmm_free_pages(), free);
}

KTEST(kmalloc, largest_block_works)
{
	void *p = kmalloc(PAGE_SIZE << 10);
	KASSERT_NOT_NULL(p);
	KEXPECT_EQ(ksize(p), PAGE_SIZE << 10);
	((u8 *)p)[(PAGE_SIZE << 10) - 1] = 1;
	kfree(p);
}

/* Allocate `size`, dirty it, free it, then check kzalloc(size) is all zeroes. */
static size_t kzalloc_nonzero_bytes(size_t size)
{
	void *d = kmalloc(size);
	if (d) {
		memset(d, 0xee, size);
		kfree(d);       /* the next allocation of the class is likely this one */
	}
	u8 *z = kzalloc(size);
	if (!z)
		return (size_t)-1;
	size_t bad = 0;
	for (size_t k = 0; k < size; k++)
		bad += z[k] != 0;
	kfree(z);
	return bad;
}

KTEST(kmalloc, kzalloc_zeroes)
{
	KEXPECT_EQ(kzalloc_nonzero_bytes(24), 0);
	KEXPECT_EQ(kzalloc_nonzero_bytes(2048), 0);
	KEXPECT_EQ(kzalloc_nonzero_bytes(10000), 0);
}

KTEST(kmalloc, baseline_after_free)
{
	u64 live = kmalloc_live_objects(), free = pmm_free_pages();
	void *objs[NSIZES] = { 0 };
	KASSERT_TRUE(alloc_all(objs));
	KEXPECT_EQ(kmalloc_live_objects(), live + NSIZES);
	KEXPECT_LT(pmm_free_pages(), free);
	free_all(objs);
	KEXPECT_EQ(kmalloc_live_objects(), live);
	KEXPECT_EQ(pmm_free_pages(), free);
	KEXPECT_EQ(pmm_check(), 0);
}

KTEST(kmalloc, many_small_objects_fill_and_release_slabs)
{
	enum { N = 600 };       /* several slab pages of 32-byte objects */
	static void *objs[N];
	u64 live = kmalloc_live_objects(), free = pmm_free_pages();
	for (int i = 0; i < N; i++) {
		objs[i] = kmalloc(32);
		KASSERT_NOT_NULL(objs[i]);
		*(u64 *)objs[i] = (u64)i;
	}
	int bad = 0;
	for (int i = 0; i < N; i++)
		bad += *(u64 *)objs[i] != (u64)i;
	KEXPECT_EQ(bad, 0);
	for (int i = 0; i < N; i += 2)  /* free in an interleaved order */
		kfree(objs[i]);
	for (int i = 1; i < N; i += 2)
		kfree(objs[i]);
	KEXPECT_EQ(kmalloc_live_objects(), live);
	KEXPECT_EQ(pmm_free_pages(), free);
}

KTEST(kmalloc, exhaustion_2048_then_free_all)
{
	u64 live = kmalloc_live_objects(), free = pmm_free_pages();
	void *head = NULL, *p;
	u64 n = 0;
	while ((p = kmalloc(2048)) != NULL) {   /* chain the objects through themselves */
		*(void **)p = head;
		head = p;
		n++;
	}
	KEXPECT_EQ(pmm_free_pages(), 0);
	KEXPECT_GE(n, 2 * free);        /* two objects per page at least */
	KEXPECT_EQ(kmalloc_live_objects(), live + n);
	while (head) {
		p = head;
		head = *(void **)p;
		kfree(p);
	}
	KEXPECT_EQ(kmalloc_live_objects(), live);
	KEXPECT_EQ(pmm_free_pages(), free);
	KEXPECT_EQ(pmm_check(), 0);
}
