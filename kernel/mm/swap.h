/*
 * swap.h - the swap area on the virtio-blk disk, swap entries and the swap
 * cache.
 *
 * THE ORDERING RULES this file and reclaim.c keep (docs/swap.md tells the
 * whole story):
 *
 *  1. Swap-out: a page is written to its slot only after every PTE that
 *     mapped it has been replaced by a swap entry and every TLB, primary
 *     and secondary, has been flushed (through an mmu_gather, inside a
 *     SWAP notifier range). A write through a stale translation after the
 *     disk write would be lost.
 *  2. The frame is freed only after the write succeeded. A failed write
 *     puts the PTEs back as they were (reclaim still holds every mm->lock
 *     involved, so nothing else changed them) and frees the slot: the data
 *     stays in memory, nothing is lost.
 *  3. A slot is freed when its last user goes: each swap entry counts one,
 *     and so does reclaim while it writes. Zapping a swap entry (munmap,
 *     exit, MADV_DONTNEED) drops its count.
 *  4. Swap-in: the page goes into the swap cache (locked, PG_locked)
 *     BEFORE the read starts, so a fault on the same slot from another
 *     address space (fork shared it) finds the page in flight, waits, and
 *     maps the same page: one read, one copy in memory.
 *  5. A page stays in the swap cache while its slot still has users. Such
 *     a page is mapped read-only everywhere (a write breaks COW, because
 *     the cache holds a reference), so its data always equals the slot's:
 *     reclaiming it again needs no write. The fault that takes the last
 *     user of the slot removes the page from the cache and may map it
 *     writable.
 *  6. A read that fails marks the page PG_ioerror and removes it from the
 *     cache; every fault waiting for it gets -EIO (the process gets
 *     SIGBUS). The slot keeps its data and its users: a later fault, or
 *     another process, may try again.
 *
 * Swap entries are PTEs with P clear and PTE_SW_SWAP set; the slot number
 * sits where the frame number would. Neither pte_present() nor pte_mapped()
 * is true for them, so code that looks only at mapped pages (mprotect,
 * move_page) leaves them alone; the protection comes from the VMA at
 * swap-in.
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H
#include "kernel/types.h"
#include "kernel/mm/page.h"
#include "arch/x86_64/paging.h"
#include "kernel/sched/waitq.h"
#include "kernel/uapi/uapi_swap.h"

static inline bool pte_is_swap(pte_t e) { return !(e & PTE_P) && (e & PTE_SW_SWAP); }
static inline pte_t swap_pte(u32 slot) { return ((pte_t)slot << 12) | PTE_SW_SWAP; }
static inline u32 swap_pte_slot(pte_t e) { return (u32)((e & PTE_ADDR_MASK) >> 12); }

/* Set up the swap area on the disk (after virtio_blk_init). No disk: no swap. */
void swap_init(void);
/* Is there a swap area with room? */
bool swap_present(void);

/* Slot operations (anon_lock held; swap_slots.h has the semantics). */
u32 swap_slot_alloc_locked(void);
int swap_slot_dup_locked(u32 slot);
/*
 * One user of slot fewer. When it was the last one the slot is free and,
 * if a page was cached for it, that page leaves the cache: it is returned
 * and the caller must put_page() it after dropping anon_lock (the cache's
 * reference). NULL otherwise.
 */
struct page *swap_slot_put_locked(u32 slot);
int swap_slot_count_locked(u32 slot);

/* A swap entry is zapped (munmap, exit): drop its slot's count. pt_lock may be held. */
void swap_entry_free(u32 slot);

/* The swap cache (anon_lock held). */
struct page *swap_cache_lookup_locked(u32 slot);
/* Remove p from the cache; the caller now owns the cache's reference. */
void swap_cache_del_locked(struct page *p);

/*
 * The page holding slot's data, with a reference for the caller: from the
 * swap cache, or read from the disk into a new page (rule 4). Sleeps.
 * Returns 0, -ENOMEM (no page for it), or -EIO (the read failed, rule 6).
 * mm->lock of the faulting mm may be held; no spinlock.
 */
int swapin_page(u32 slot, struct page **out);

/* Write p to slot (sleeps, no spinlock held): 0 or -EIO. Counts pswpout. */
int swap_write_page(u32 slot, struct page *p);

/* Fault injection: every read_every-th read and write_every-th write fails (0: off). */
void swap_set_fail(u32 read_every, u32 write_every);

/* A snapshot for SYS_swapctl and the `swap` command. */
void swap_get_info(struct secundus_swapinfo *info);
#endif
