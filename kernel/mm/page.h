/*
 * page.h - struct page: one per physical frame.
 *
 * The page allocator (buddy.c, pmm.c) and kmalloc (kmalloc.c) use these
 * fields now; the virtual-memory issues add mapcount, the reverse map and
 * swap fields. Keep it small: there is one per 4 KiB of RAM.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H
#include "kernel/types.h"
#include "kernel/lib/list.h"

enum page_flags {
	PG_reserved = 1u << 0,  /* never allocatable (firmware, kernel image, page array) */
	PG_buddy = 1u << 1,     /* head of a free block; `order` says its size */
	PG_slab = 1u << 2,      /* a kmalloc slab page; `slab_class` says which */
	PG_large = 1u << 3,     /* a large kmalloc allocation of 2^order pages */
	PG_allocated = 1u << 4, /* head of an allocated block */
};

struct page {
	u32 flags;
	s32 refcount;           /* users of an allocated page; 0 when free */
	s32 mapcount;           /* user page-table entries mapping it */
	u8 order;               /* block size 2^order (free head or allocated head) */
	u8 slab_class;          /* kmalloc size class for PG_slab pages */
	u16 slab_inuse;         /* objects handed out from this slab page */
	struct list_head list;  /* free-list link (PG_buddy) or slab list (PG_slab) */
	void *slab_free;        /* first free object in a slab page */
};
#endif
