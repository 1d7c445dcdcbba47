/* tlb.c - flushing this CPU's TLB (shootdown.c sends the IPIs for the others). */
#include "kernel/mm/tlb.h"
#include "kernel/mm/vmstat.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/lib/string.h"

u64 tlb_flush_ceiling = TLB_FLUSH_CEILING;
static volatile bool ceiling_read;

/*
 * The ceiling, after looking once for `tlb_ceiling=N` on the command line.
 * Two CPUs may both look the first time; they find the same value, and a
 * flush that used the default meanwhile was just as correct (the ceiling
 * only chooses between two complete ways to flush).
 */
static u64 ceiling(void)
{
	if (!ceiling_read) {
		char v[16];
		if (cmdline_get("tlb_ceiling", v, sizeof v))
			tlb_flush_ceiling = strtou64(v, NULL);
		ceiling_read = true;
	}
	return tlb_flush_ceiling;
}

void flush_tlb_local_all(void)
{
	write_cr3(read_cr3());  /* drops every non-global translation */
	VMSTAT_INC(tlb_flush_full);
}

void flush_tlb_local(vaddr_t start, vaddr_t end)
{
	u64 pages = (end - start + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > ceiling()) {
		flush_tlb_local_all();
		return;
	}
	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
	VMSTAT_ADD(tlb_flush_local_pages, pages);
}
