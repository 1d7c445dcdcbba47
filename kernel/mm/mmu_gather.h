/*
 * mmu_gather.h - batching the freeing of unmapped pages behind one TLB flush.
 *
 * THE ORDERING RULES this file keeps (the same as Linux's
 * include/asm-generic/tlb.h, and DESIGN.md §1):
 *
 *  1. A page whose PTE is cleared is not freed at once: tlb_remove_page()
 *     queues it. Another CPU (or a device) may still hold the old
 *     translation in its TLB and read or write the page through it.
 *  2. tlb_flush_mmu() first flushes the CPU TLBs for the whole range of
 *     PTEs changed since the last flush — one shootdown round per batch,
 *     whatever its size — then tells the secondary MMUs
 *     (mmu_notifier_invalidate_secondary_tlbs), and only then frees the
 *     queued pages and page-table pages.
 *  3. A batch is bounded (tlb->limit pages): when it fills, it is flushed
 *     early by the same sequence — never a free before its flush.
 *  4. A PTE change that frees nothing (write-protect, mprotect) still
 *     widens the range with tlb_change_range() so the flush covers it.
 *  5. Page-table pages freed by pruning follow the same rule as pages
 *     (tlb_remove_table): a CPU's page walker may still be reading them.
 *
 * Usage (mm->pt_lock held around the PTE changes):
 *     struct mmu_gather tlb;
 *     tlb_gather_begin(&tlb, mm);
 *     ... clear PTEs; tlb_remove_page(&tlb, page, addr) ...
 *     tlb_gather_end(&tlb);          // flush + free what is left
 */
#ifndef MM_MMU_GATHER_H
#define MM_MMU_GATHER_H
#include "kernel/types.h"
#include "kernel/mm/page.h"

struct mm;

#define GATHER_INLINE 32                /* pages held without allocating */
#define GATHER_DEFAULT_LIMIT 1024       /* pages per batch before an early flush */
#define GATHER_MAX_TABLES 64

/* An extra batch lives in one allocated page. */
struct gather_batch {
	struct gather_batch *next;
	u32 nr, max;
	struct page *pages[];
};

struct mmu_gather {
	struct mm *mm;
	vaddr_t start, end;             /* PTEs changed since the last flush; start >= end: none */
	u32 nr_pages;                   /* pages queued in this batch */
	u32 limit;                      /* flush early when nr_pages reaches it */
	u32 nr_inline;
	struct page *inline_pages[GATHER_INLINE];
	struct gather_batch *extra;     /* chained batch pages (each from alloc_page) */
	u32 nr_tables;
	paddr_t tables[GATHER_MAX_TABLES];
	u64 rounds;                     /* flushes done by this gather (tests read it) */
};

void tlb_gather_begin(struct mmu_gather *tlb, struct mm *mm);
/* Note that the PTE for addr changed: the next flush covers it. */
void tlb_change_range(struct mmu_gather *tlb, vaddr_t start, vaddr_t end);
/* Queue a page whose mapping at addr was just cleared; flushes early when the batch is full. */
void tlb_remove_page(struct mmu_gather *tlb, struct page *page, vaddr_t addr);
/* Queue a page-table page (physical address) for freeing after the flush. */
void tlb_remove_table(struct mmu_gather *tlb, paddr_t table);
/* Flush the TLBs for the range, tell the secondary MMUs, then free the batch. */
void tlb_flush_mmu(struct mmu_gather *tlb);
/* Final flush; the gather may not be used afterwards. */
void tlb_gather_end(struct mmu_gather *tlb);

/* Provided by the rest of the kernel (tests/host provides stand-ins). */
/* Flush every CPU's TLB for the range; freed_tables: page-table pages were freed too. */
void tlb_flush_cpus(struct mm *mm, vaddr_t start, vaddr_t end, bool freed_tables);   /* shootdown.c */
#endif
