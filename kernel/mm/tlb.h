/*
 * tlb.h - CPU TLB flushing policy.
 *
 * flush_tlb_range(mm, start, end): no CPU may use a translation of
 * [start, end) in mm after it returns. Locally: one invlpg per page up to
 * TLB_FLUSH_CEILING pages, else a full flush (reload CR3). With SMP,
 * every other CPU in mm->cpu_mask gets one IPI per call (shootdown.c).
 */
#ifndef MM_TLB_H
#define MM_TLB_H
#include "kernel/types.h"

struct mm;
#define TLB_FLUSH_CEILING 32    /* pages; see docs/mmu_gather.md for why */

void flush_tlb_range(struct mm *mm, vaddr_t start, vaddr_t end);
/* Leaving lazy mode for mm: flush if mm changed while this CPU was lazy (sched.c). */
void tlb_lazy_return(struct mm *mm);
/* Flush [start, end) on this CPU only, by the ceiling rule. */
void flush_tlb_local(vaddr_t start, vaddr_t end);
void flush_tlb_local_all(void);
#endif
