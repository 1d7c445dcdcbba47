/*
 * pmm.h - the physical page allocator.
 *
 * Every frame of RAM has a struct page (page.h) in one array indexed by
 * frame number. Free frames are kept by a buddy allocator (buddy.h) under
 * one spinlock taken with interrupts off, so any context may allocate.
 * Allocation failure returns NULL: callers handle exhaustion, the
 * allocator never panics.
 */
#ifndef MM_PMM_H
#define MM_PMM_H
#include "kernel/mm/page.h"

/* Build the page array from the boot memory map and free all usable RAM. */
void pmm_init(void);

/* 2^order contiguous frames, refcount 1, contents undefined; NULL if none. */
struct page *alloc_pages(unsigned order);
void free_pages(struct page *p, unsigned order);
static inline struct page *alloc_page(void) { return alloc_pages(0); }
static inline void free_page(struct page *p) { free_pages(p, 0); }
/* A zero-filled frame, or NULL. */
struct page *alloc_zeroed_page(void);

/* Take a reference on an allocated page. */
static inline void get_page(struct page *p) { __atomic_fetch_add(&p->refcount, 1, __ATOMIC_RELAXED); }
/* Drop a reference; the page is freed when the last one goes. */
void put_page(struct page *p);

paddr_t page_to_phys(const struct page *p);
struct page *phys_to_page(paddr_t pa);          /* NULL if pa is not RAM we manage */
void *page_address(const struct page *p);       /* its direct-map address */
struct page *virt_to_page(const void *va);      /* for direct-map addresses */

u64 pmm_free_pages(void);
u64 pmm_total_pages(void);      /* frames handed to the allocator at boot */
u64 pmm_max_pfn(void);
/* Free blocks per order (n entries), for `mem` and the GDB command. */
void pmm_free_blocks(u64 *counts, int n);
/* Check the allocator's lists and counts; 0 when consistent. */
int pmm_check(void);
#endif
