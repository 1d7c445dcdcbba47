/* tlb.c - CPU TLB flushes (local part; the SMP issue adds the shootdown IPIs). */
#include "kernel/mm/tlb.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/vmstat.h"
#include "kernel/arch.h"
#include "kernel/trace.h"

void flush_tlb_local_all(void)
{
	write_cr3(read_cr3());  /* drops every non-global translation */
	VMSTAT_INC(tlb_flush_full);
}

void flush_tlb_local(vaddr_t start, vaddr_t end)
{
	u64 pages = (end - start + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > TLB_FLUSH_CEILING) {
		flush_tlb_local_all();
		return;
	}
	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
	VMSTAT_ADD(tlb_flush_local_pages, pages);
}

/* Weak so the SMP shootdown (shootdown.c) can replace it. */
__attribute__((weak)) void flush_tlb_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	trace_event(TRACE_SHOOTDOWN, start, end);
	VMSTAT_INC(shootdown_rounds);
	VMSTAT_ADD(shootdown_pages, (end - start) / PAGE_SIZE);
	if (this_cpu()->active_mm == mm)
		flush_tlb_local(start, end);
	__atomic_fetch_add(&mm->tlb_gen, 1, __ATOMIC_SEQ_CST);
}

void tlb_flush_cpus(struct mm *mm, vaddr_t start, vaddr_t end)
{
	flush_tlb_range(mm, start, end);
}
