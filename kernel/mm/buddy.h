/*
 * buddy.h - the binary buddy allocator behind the physical page allocator.
 *
 * Pure logic on an array of struct page: it never touches the frames
 * themselves, so tests/host/ runs it on the host with sanitizers.
 * A block of 2^k frames starts at a frame number that is a multiple of
 * 2^k; its buddy is the block whose number differs in bit k. Freeing a
 * block merges it with its buddy while the buddy is free and whole.
 * The caller serializes access (pmm.c holds a spinlock).
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H
#include "kernel/mm/page.h"

#define BUDDY_MAX_ORDER 11      /* orders 0..10: 4 KiB .. 4 MiB */

struct buddy {
	struct page *pages;     /* pages[i] describes frame base_pfn + i */
	u64 base_pfn;
	u64 npages;
	struct list_head free[BUDDY_MAX_ORDER];
	u64 nfree[BUDDY_MAX_ORDER];     /* free blocks per order */
	u64 free_pages;                 /* total free frames */
};

/* Set up an allocator over pages[0..npages); every frame starts reserved. */
void buddy_init(struct buddy *b, struct page *pages, u64 base_pfn, u64 npages);
/* Hand frames [pfn, pfn+n) to the allocator (at boot); they merge as they can. */
void buddy_add_range(struct buddy *b, u64 pfn, u64 n);
/* Allocate 2^order contiguous frames: returns the head page with refcount 1, or NULL. */
struct page *buddy_alloc(struct buddy *b, unsigned order);
/* Free a block allocated with buddy_alloc(b, order). */
void buddy_free(struct buddy *b, struct page *p, unsigned order);
/* Frame number of a page described by b. */
static inline u64 buddy_pfn(const struct buddy *b, const struct page *p) { return b->base_pfn + (u64)(p - b->pages); }
/* Consistency check for tests: free lists agree with flags and counts. Returns 0 when sound. */
int buddy_check(const struct buddy *b);
#endif
