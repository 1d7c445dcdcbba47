/*
 * host_pmm.c - kernel/mm/pmm.h on the host, for tests/host/test_kmalloc.c:
 * the real buddy allocator (kernel/mm/buddy.c) over an aligned_alloc'd
 * arena. See host_pmm.h.
 */
#include "tests/host/host_pmm.h"
#include "kernel/mm/buddy.h"
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HOST_ASAN 1
#endif
#ifdef HOST_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static struct {
	char *arena;
	struct page *pages;
	struct buddy buddy;
	u64 npages;
} pool;

static size_t block_bytes(unsigned order) { return PAGE_SIZE << order; }

void host_pmm_init(u64 npages)
{
	if (pool.arena) {
		UNPOISON(pool.arena, pool.npages * PAGE_SIZE);
		free(pool.arena);
		free(pool.pages);
	}
	size_t align = block_bytes(BUDDY_MAX_ORDER - 1);
	pool.npages = npages;
	pool.arena = aligned_alloc(align, ALIGN_UP(npages * PAGE_SIZE, align));
	pool.pages = calloc(npages, sizeof *pool.pages);
	if (!pool.arena || !pool.pages)
		abort();
	buddy_init(&pool.buddy, pool.pages, HOST_PMM_BASE_PFN, npages);
	buddy_add_range(&pool.buddy, HOST_PMM_BASE_PFN, npages);
	POISON(pool.arena, npages * PAGE_SIZE);
}

static void ensure_init(void)
{
	if (!pool.arena)
		host_pmm_init(HOST_PMM_PAGES);
}

void pmm_init(void) { host_pmm_init(HOST_PMM_PAGES); }

bool host_pmm_contains(const void *va, size_t len)
{
	const char *p = va;
	return pool.arena && p >= pool.arena && len <= pool.npages * PAGE_SIZE &&
	       (size_t)(p - pool.arena) <= pool.npages * PAGE_SIZE - len;
}

struct page *alloc_pages(unsigned order)
{
	ensure_init();
	struct page *p = buddy_alloc(&pool.buddy, order);
	if (p)
		UNPOISON(page_address(p), block_bytes(order));
	return p;
}

void free_pages(struct page *p, unsigned order)
{
	POISON(page_address(p), block_bytes(order));
	buddy_free(&pool.buddy, p, order);
}

struct page *alloc_zeroed_page(void)
{
	struct page *p = alloc_page();
	if (p)
		memset(page_address(p), 0, PAGE_SIZE);
	return p;
}

paddr_t page_to_phys(const struct page *p)
{
	return buddy_pfn(&pool.buddy, p) << PAGE_SHIFT;
}

struct page *phys_to_page(paddr_t pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	if (!pool.arena || pfn < HOST_PMM_BASE_PFN || pfn - HOST_PMM_BASE_PFN >= pool.npages)
		return NULL;
	return &pool.pages[pfn - HOST_PMM_BASE_PFN];
}

void *page_address(const struct page *p)
{
	return pool.arena + (size_t)(p - pool.pages) * PAGE_SIZE;
}

struct page *virt_to_page(const void *va)
{
	if (!host_pmm_contains(va, 1))
		return NULL;
	return &pool.pages[(size_t)((const char *)va - pool.arena) / PAGE_SIZE];
}

u64 pmm_free_pages(void) { ensure_init(); return pool.buddy.free_pages; }
u64 pmm_total_pages(void) { ensure_init(); return pool.npages; }
u64 pmm_max_pfn(void) { ensure_init(); return HOST_PMM_BASE_PFN + pool.npages; }

void pmm_free_blocks(u64 *counts, int n)
{
	ensure_init();
	for (int k = 0; k < n; k++)
		counts[k] = k < BUDDY_MAX_ORDER ? pool.buddy.nfree[k] : 0;
}

int pmm_check(void)
{
	ensure_init();
	return buddy_check(&pool.buddy);
}
