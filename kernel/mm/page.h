/*
 * page.h - struct page: one per physical frame.
 *
 * The page allocator (buddy.c, pmm.c) and kmalloc (kmalloc.c) own the
 * first fields; a user page also has a mapcount, and a private anonymous
 * page has a reverse map (rmap.h), may sit on the reclaim LRU (reclaim.c)
 * and in the swap cache (swap.c). Those fields and the PG_lru ... PG_anon
 * flags are changed only under anon_lock (rmap.h). Keep the struct small:
 * there is one per 4 KiB of RAM.
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
	/* user pages (under anon_lock): */
	PG_anon = 1u << 5,      /* private anonymous page: `rmap` lists its mappings */
	PG_lru = 1u << 6,       /* on the reclaim LRU (`list` is the link) */
	PG_isolated = 1u << 7,  /* taken off the LRU by reclaim, which holds a reference */
	PG_swapcache = 1u << 8, /* in the swap cache for slot `swap_slot` (the cache holds a reference) */
	PG_locked = 1u << 9,    /* swap-in read in flight: wait on swapin_wq */
	PG_ioerror = 1u << 10,  /* the swap-in read failed */
};

struct rmap_item;

struct page {
	u32 flags;
	s32 refcount;           /* users of an allocated page; 0 when free */
	s32 mapcount;           /* user page-table entries mapping it */
	u8 order;               /* block size 2^order (free head or allocated head) */
	u8 slab_class;          /* kmalloc size class for PG_slab pages */
	u16 slab_inuse;         /* objects handed out from this slab page */
	struct list_head list;  /* free-list link (PG_buddy), slab list (PG_slab) or LRU link (PG_lru) */
	union {
		void *slab_free;        /* PG_slab: first free object in a slab page */
		struct rmap_item *rmap; /* PG_anon: the (mm, address) pairs that map it */
	};
	u32 swap_slot;          /* PG_swapcache: its slot in the swap area */
};
#endif
