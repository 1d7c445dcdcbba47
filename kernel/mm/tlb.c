/* tlb.c - flushing this CPU's TLB (shootdown.c sends the IPIs for the others). */
#include "kernel/mm/tlb.h"
#include "kernel/mm/vmstat.h"
#include "kernel/arch.h"

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
