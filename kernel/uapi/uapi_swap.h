/*
 * uapi_swap.h - the swap area as a process sees it (SYS_swapctl).
 *
 *   swapctl(SWAPCTL_INFO, struct secundus_swapinfo *info, sizeof *info)
 *           fill *info with a snapshot (bytes copied, or -errno)
 *   swapctl(SWAPCTL_FAIL, read_every, write_every)
 *           fault injection: from now on every read_every-th swap read and
 *           every write_every-th swap write fails with an I/O error without
 *           reaching the disk (0 = off). Returns 0. The kernel command line
 *           options swap_fail_read=N and swap_fail_write=N set them at boot.
 *
 * What a failure does: a page whose write failed stays in memory, mapped as
 * before; a process whose page cannot be read back gets SIGBUS (the mirror
 * device's read/write returns -EIO instead). Nothing leaks either way.
 * Later issues append fields; never reorder.
 */
#ifndef UAPI_SWAP_H
#define UAPI_SWAP_H

#define SWAPCTL_INFO 0
#define SWAPCTL_FAIL 1

struct secundus_swapinfo {
	unsigned long total_slots;      /* page-sized slots in the swap area (0: no swap disk) */
	unsigned long free_slots;
	unsigned long cache_pages;      /* pages in the swap cache */
	unsigned long lru_pages;        /* pages reclaim may evict (anonymous, private) */
	unsigned long free_pages;       /* free physical pages now */
	unsigned long total_pages;      /* physical pages the kernel manages */
	unsigned long wmark_min;        /* user allocations fail (and reclaim directly) below this */
	unsigned long wmark_low;        /* the reclaim thread wakes below this ... */
	unsigned long wmark_high;       /* ... and sleeps again above this */
	unsigned long read_fail_every;  /* fault injection in force (0: off) */
	unsigned long write_fail_every;
};
#endif
