/*
 * uapi_vmstat.h - the kernel's event counters, read by tests and the
 * shell's `vmstat` (SYS_vmstat copies this structure out). Later issues
 * append fields; never reorder.
 */
#ifndef UAPI_VMSTAT_H
#define UAPI_VMSTAT_H
struct secundus_vmstat {
	unsigned long page_faults;      /* all user page faults handled */
	unsigned long zero_fills;       /* anonymous pages zero-filled on first touch */
	unsigned long cow_breaks;       /* private pages copied on write */
	unsigned long cow_reuses;       /* write faults on a COW page with one user: made writable, no copy */
	unsigned long tlb_flush_local_pages;    /* invlpg executed */
	unsigned long tlb_flush_full;           /* full TLB flushes (CR3 reload) */
	unsigned long pages_freed;      /* user pages freed through mmu_gather */
	unsigned long gather_batches;   /* mmu_gather flush rounds */
	unsigned long gather_early_flushes;     /* flushes forced by a full batch */
	unsigned long pt_pages_freed;   /* page-table pages freed */
	unsigned long free_pages;       /* snapshot: free physical pages */
	unsigned long total_pages;      /* snapshot: pages managed */
	unsigned long ipis_sent;        /* cross-call IPIs (TLB shootdowns), all CPUs */
	unsigned long ipis_received;
	unsigned long shootdown_rounds;
	unsigned long shootdown_pages;
	unsigned long lazy_skipped;
	unsigned long processes_killed; /* by a fatal fault or OOM */
	unsigned long resched_ipis;     /* wake-up IPIs to idle CPUs (not counted in ipis_sent) */
	unsigned long lazy_flushes;     /* full flushes on leaving lazy mode with a stale mm */
	unsigned long pswpout;          /* pages written to swap */
	unsigned long pswpin;           /* pages read back from swap */
	unsigned long swapcache_hits;   /* swap-in faults that found the page in the swap cache */
	unsigned long reclaim_scanned;  /* pages looked at by reclaim */
	unsigned long reclaim_reclaimed;        /* pages reclaim freed (their frame went back) */
	unsigned long reclaim_young;    /* pages kept because they were recently used (CPU or device) */
	unsigned long reclaim_direct;   /* direct-reclaim calls by a faulting thread */
	unsigned long kswapd_wakeups;   /* times the reclaim thread woke up */
	unsigned long oom_kills;        /* processes killed because nothing could be reclaimed */
	unsigned long swap_read_errors; /* swap reads that failed (injected included) */
	unsigned long swap_write_errors;        /* swap writes that failed (the page stayed in memory) */
	unsigned long sigbus_kills;     /* processes killed by SIGBUS (a page could not be read back) */
	unsigned long slab_pages;       /* snapshot: pages holding kmalloc's small objects */
	unsigned long swap_used;        /* snapshot: swap slots in use */
	unsigned long swapcache_pages;  /* snapshot: pages in the swap cache */
};
/*
 * Free pages move with swap: a page that goes to swap frees a frame and
 * takes a slot. What stays constant while processes only swap (and what
 * leak checks compare) is
 *     free_pages + slab_pages - swap_used + swapcache_pages
 * (a cached page is both a used frame and a used slot).
 */
#endif
