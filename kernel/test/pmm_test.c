/*
 * pmm_test.c - the physical page allocator (kernel/mm/pmm.c over buddy.c).
 *
 * Covers: alloc/free of one page returns the free count to its baseline;
 * blocks of every order 0..10 are aligned to their size and lie in usable
 * RAM; page contents written through page_address() persist and blocks do
 * not overlap; phys_to_page/page_to_phys/virt_to_page/page_address agree;
 * alloc_zeroed_page zeroes a dirty frame; out-of-range orders and
 * addresses give NULL; exhaustion (allocate every frame, then free them
 * all) leaves the free count, pmm_check() and the free blocks per order
 * exactly as before, which proves the buddies coalesce again.
 * Freeing with the wrong order panics by design and is not tested here.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/mm/buddy.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/list.h"
#include "kernel/lib/string.h"

/* Is [pa, pa+len) entirely inside one usable region of the boot memory map? */
static bool in_usable_ram(paddr_t pa, u64 len)
{
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MEM_USABLE && pa >= r->base && pa + len <= r->base + r->len)
			return true;
	}
	return false;
}

/* Allocate order-0 pages until the allocator says no; chain them on `head`. */
static u64 exhaust(struct list_head *head)
{
	u64 n = 0;
	struct page *p;
	list_init(head);
	while ((p = alloc_page()) != NULL) {
		*(u64 *)page_address(p) = page_to_phys(p);     /* tag each frame */
		list_add_tail(&p->list, head);
		n++;
	}
	return n;
}

/* Free every page chained by exhaust(); returns how many kept their tag. */
static u64 free_all(struct list_head *head)
{
	u64 tagged = 0;
	struct list_head *pos, *tmp;
	list_for_each_safe(pos, tmp, head) {
		struct page *p = list_entry(pos, struct page, list);
		tagged += *(u64 *)page_address(p) == page_to_phys(p);
		list_del(&p->list);
		free_page(p);
	}
	return tagged;
}

KTEST(pmm, allocator_consistent_at_start)
{
	KEXPECT_EQ(pmm_check(), 0);
	KEXPECT_GT(pmm_free_pages(), 0);
	KEXPECT_LE(pmm_free_pages(), pmm_total_pages());
	KEXPECT_LE(pmm_total_pages(), pmm_max_pfn());
}

KTEST(pmm, alloc_free_returns_to_baseline)
{
	u64 before = pmm_free_pages();
	struct page *p = alloc_page();
	KASSERT_NOT_NULL(p);
	KEXPECT_EQ(pmm_free_pages(), before - 1);
	KEXPECT_TRUE(p->flags & PG_allocated);
	KEXPECT_FALSE(p->flags & (PG_reserved | PG_buddy));
	KEXPECT_EQ(p->refcount, 1);
	KEXPECT_EQ(p->order, 0);
	free_page(p);
	KEXPECT_EQ(pmm_free_pages(), before);
	KEXPECT_EQ(pmm_check(), 0);
}

KTEST(pmm, every_order_aligned_and_in_ram)
{
	u64 before = pmm_free_pages();
	for (unsigned order = 0; order < BUDDY_MAX_ORDER; order++) {
		struct page *p = alloc_pages(order);
		KASSERT_NOT_NULL(p);
		paddr_t pa = page_to_phys(p);
		u64 size = PAGE_SIZE << order;
		if (!KEXPECT_EQ(pa % size, 0) || !KEXPECT_TRUE(in_usable_ram(pa, size)))
			ktest_diag("order %u block at %#lx", order, pa);
		KEXPECT_EQ(p->order, order);
		KEXPECT_EQ(pmm_free_pages(), before - (1ull << order));
		u8 *va = page_address(p);
		va[0] = 0x11;   /* the first and the last byte are writable */
		va[size - 1] = 0x22;
		KEXPECT_EQ(va[0] + va[size - 1], 0x33);
		free_pages(p, order);
		KEXPECT_EQ(pmm_free_pages(), before);
	}
	KEXPECT_EQ(pmm_check(), 0);
}

#define NPATTERN 16

/* Fill page i with a pattern that depends on i and on the frame. */
static u64 pattern(int i, u64 word, paddr_t pa)
{
	return (pa ^ (word * 0x9e3779b97f4a7c15ull)) + (u64)i;
}

KTEST(pmm, contents_persist_and_blocks_distinct)
{
	struct page *pages[NPATTERN];
	for (int i = 0; i < NPATTERN; i++) {
		pages[i] = alloc_pages((unsigned)i % 3);
		KASSERT_NOT_NULL(pages[i]);
		u64 *w = page_address(pages[i]);
		for (u64 k = 0; k < (PAGE_SIZE << (i % 3)) / 8; k++)
			w[k] = pattern(i, k, page_to_phys(pages[i]));
	}
	int bad = 0;
	for (int i = 0; i < NPATTERN; i++) {
		const u64 *w = page_address(pages[i]);
		for (u64 k = 0; k < (PAGE_SIZE << (i % 3)) / 8; k++)
			bad += w[k] != pattern(i, k, page_to_phys(pages[i]));
		for (int j = 0; j < i; j++)
			KEXPECT_NE(page_to_phys(pages[i]), page_to_phys(pages[j]));
	}
	KEXPECT_EQ(bad, 0);
	for (int i = 0; i < NPATTERN; i++)
		free_pages(pages[i], (unsigned)i % 3);
}

KTEST(pmm, address_conversions_round_trip)
{
	struct page *p = alloc_pages(2);
	KASSERT_NOT_NULL(p);
	paddr_t pa = page_to_phys(p);
	void *va = page_address(p);
	KEXPECT_EQ(phys_to_page(pa), p);
	KEXPECT_EQ(page_to_phys(phys_to_page(pa)), pa);
	KEXPECT_EQ(va, PHYS_TO_VIRT(pa));
	KEXPECT_EQ(VIRT_TO_PHYS(va), pa);
	KEXPECT_EQ(virt_to_page(va), p);
	KEXPECT_EQ(virt_to_page((char *)va + PAGE_SIZE - 1), p);       /* any byte of the frame */
	KEXPECT_EQ(virt_to_page((char *)va + 3 * PAGE_SIZE), p + 3);   /* the block's 4th frame */
	KEXPECT_EQ(phys_to_page(pa + PAGE_SIZE), p + 1);
	free_pages(p, 2);
}

KTEST(pmm, zeroed_page_is_zero)
{
	struct page *dirty = alloc_page();
	KASSERT_NOT_NULL(dirty);
	memset(page_address(dirty), 0xa5, PAGE_SIZE);
	free_page(dirty);       /* most likely handed out again just below */
	struct page *p = alloc_zeroed_page();
	KASSERT_NOT_NULL(p);
	const u64 *w = page_address(p);
	int nonzero = 0;
	for (u64 k = 0; k < PAGE_SIZE / 8; k++)
		nonzero += w[k] != 0;
	KEXPECT_EQ(nonzero, 0);
	if (p != dirty)
		ktest_diag("note: the dirtied frame was not reused");
	free_page(p);
}

KTEST(pmm, out_of_range_gives_null)
{
	u64 before = pmm_free_pages();
	KEXPECT_NULL(alloc_pages(BUDDY_MAX_ORDER));
	KEXPECT_NULL(alloc_pages(63));
	KEXPECT_NULL(phys_to_page(pmm_max_pfn() << PAGE_SHIFT));
	KEXPECT_NULL(phys_to_page(1ull << 52));
	free_pages(NULL, 0);    /* documented no-op */
	KEXPECT_EQ(pmm_free_pages(), before);
}

KTEST(pmm, exhaustion_then_free_all)
{
	u64 before = pmm_free_pages();
	struct list_head head;
	u64 n = exhaust(&head);
	KEXPECT_EQ(n, before);
	KEXPECT_EQ(pmm_free_pages(), 0);
	KEXPECT_NULL(alloc_pages(0));
	KEXPECT_NULL(alloc_zeroed_page());
	KEXPECT_EQ(pmm_check(), 0);
	u64 tagged = free_all(&head);
	KEXPECT_EQ(tagged, n);          /* no frame was handed out twice */
	KEXPECT_EQ(pmm_free_pages(), before);
	KEXPECT_EQ(pmm_check(), 0);
}

KTEST(pmm, coalescing_restores_free_blocks)
{
	u64 blocks_before[BUDDY_MAX_ORDER], blocks_after[BUDDY_MAX_ORDER];
	pmm_free_blocks(blocks_before, BUDDY_MAX_ORDER);
	struct list_head head;
	exhaust(&head);
	u64 empty[BUDDY_MAX_ORDER];
	pmm_free_blocks(empty, BUDDY_MAX_ORDER);
	for (int k = 0; k < BUDDY_MAX_ORDER; k++)
		KEXPECT_EQ(empty[k], 0);
	free_all(&head);
	pmm_free_blocks(blocks_after, BUDDY_MAX_ORDER);
	for (int k = 0; k < BUDDY_MAX_ORDER; k++)
		if (!KEXPECT_EQ(blocks_after[k], blocks_before[k]))
			ktest_diag("order %d: %lu free blocks before, %lu after", k,
				   blocks_before[k], blocks_after[k]);
	KEXPECT_GT(blocks_after[BUDDY_MAX_ORDER - 1], 0);      /* 4 MiB blocks again */
}

KTEST(pmm, free_blocks_sum_to_free_pages)
{
	u64 blocks[BUDDY_MAX_ORDER], sum = 0;
	pmm_free_blocks(blocks, BUDDY_MAX_ORDER);
	for (int k = 0; k < BUDDY_MAX_ORDER; k++)
		sum += blocks[k] << k;
	KEXPECT_EQ(sum, pmm_free_pages());
}
