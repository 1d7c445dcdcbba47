/*
 * reclaim.h - freeing memory under pressure: the LRU of anonymous pages,
 * aging (CPU accessed bits and secondary MMUs' clear_young), swap-out,
 * the reclaim thread, direct reclaim and the OOM killer.
 *
 * Read the ordering rules atop swap.h and the locking in rmap.h.
 */
#ifndef MM_RECLAIM_H
#define MM_RECLAIM_H
#include "kernel/types.h"
#include "kernel/mm/page.h"
#include "kernel/uapi/uapi_swap.h"

/* Compute the watermarks and start the reclaim thread (after swap_init, with the scheduler up). */
void reclaim_init(void);

/*
 * A page for user data (anonymous, shared or swap-in), refcount 1,
 * contents undefined; NULL when free memory is at the min watermark (the
 * rest is kept for the kernel). Wakes the reclaim thread below the low
 * watermark. Never sleeps: callable under pt_lock.
 */
struct page *alloc_user_page(void);

/*
 * A thread's allocation of a user page failed (-ENOMEM): reclaim directly,
 * and when nothing can be reclaimed kill the process using most memory.
 * Returns true when the caller should retry, false when it should give up
 * (its own process is the one to die, or it was killed meanwhile). The
 * caller holds no lock (not mm->lock: reclaim needs the mm locks of the
 * pages it unmaps). `attempt` counts the caller's tries, from 0.
 */
bool reclaim_after_enomem(int attempt);

/* Reclaim up to `want` pages, scanning at most `max_scan`; returns the pages freed. No lock held. */
unsigned long reclaim_pages(unsigned long want, unsigned long max_scan);

/*
 * Reclaim exactly page p (for tests and the curious: the same path as the
 * LRU scan, aging included). 1: its frame was freed; 0: kept (young, busy,
 * still mapped somewhere, or the write failed); -ENOENT: p is not on the
 * LRU; -ENOSPC: no free slot. No lock held; may sleep.
 */
int reclaim_one_page(struct page *p);

/* LRU membership (anon_lock held): rmap.c and swap.c keep it right. */
void lru_add_locked(struct page *p);
void lru_del_locked(struct page *p);

/* Fill the LRU size and the watermarks of *info. */
void reclaim_get_info(struct secundus_swapinfo *info);
#endif
