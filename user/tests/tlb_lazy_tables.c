/*
 * tlb_lazy_tables - tlb_lazy with one more munmap while the CPU is lazy:
 * a page alone in its page table, so page-table pages are freed and the
 * lazy CPU IS interrupted (shootdown.c rule 5). That IPI flushes only the
 * lone page; the CPU must still flush P, whose flush it skipped earlier,
 * before T returns to user mode. See tlb_lazy.c.
 */
#define LAZY_FREE_TABLES 1
#include "tlb_lazy.c"
