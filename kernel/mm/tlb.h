/*
 * tlb.h - CPU TLB flushing policy.
 *
 * flush_tlb_range(mm, start, end): no CPU may use a translation of
 * [start, end) in mm after it returns. Locally: one invlpg per page up to
 * tlb_flush_ceiling pages, else a full flush (reload CR3). With SMP,
 * every other CPU in mm->cpu_mask gets one IPI per call (shootdown.c).
 */
#ifndef MM_TLB_H
#define MM_TLB_H
#include "kernel/types.h"

struct mm;
/*
 * The default ceiling, in pages (docs/smp.md §10 has the measurement
 * behind it). The ceiling in force is
 * tlb_flush_ceiling: `tlb_ceiling=N` on the kernel command line sets it
 * (read at the first flush), so the bench can compare ceilings without
 * rebuilding.
 */
#define TLB_FLUSH_CEILING 32
extern u64 tlb_flush_ceiling;

void flush_tlb_range(struct mm *mm, vaddr_t start, vaddr_t end);
/* Leaving lazy mode for mm: flush if mm changed while this CPU was lazy (sched.c). */
void tlb_lazy_return(struct mm *mm);
/* Flush [start, end) on this CPU only, by the ceiling rule. */
void flush_tlb_local(vaddr_t start, vaddr_t end);
void flush_tlb_local_all(void);
#endif
