/* vmstat.c - the counters and the shell's `vmstat`. */
#include "kernel/mm/vmstat.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/swap.h"
#include "kernel/shell.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"

struct secundus_vmstat vmstat;

void vmstat_snapshot(struct secundus_vmstat *out)
{
	memcpy(out, &vmstat, sizeof *out);
	out->free_pages = pmm_free_pages();
	out->total_pages = pmm_total_pages();
	out->slab_pages = kmalloc_slab_pages();
	struct secundus_swapinfo si;
	swap_get_info(&si);
	out->swap_used = si.total_slots - si.free_slots;
	out->swapcache_pages = si.cache_pages;
}

#define ROW(f) console_printf("  %-24s %lu\n", #f, s.f)
SHELL_COMMAND(vmstat, "virtual-memory event counters")
{
	UNUSED(argc), UNUSED(argv);
	struct secundus_vmstat s;
	vmstat_snapshot(&s);
	ROW(page_faults); ROW(zero_fills); ROW(cow_breaks); ROW(cow_reuses);
	ROW(tlb_flush_local_pages); ROW(tlb_flush_full); ROW(pages_freed);
	ROW(gather_batches); ROW(gather_early_flushes); ROW(pt_pages_freed);
	ROW(free_pages); ROW(total_pages); ROW(ipis_sent); ROW(ipis_received);
	ROW(shootdown_rounds); ROW(shootdown_pages); ROW(lazy_skipped); ROW(processes_killed);
	ROW(resched_ipis); ROW(lazy_flushes);
	ROW(pswpout); ROW(pswpin); ROW(swapcache_hits); ROW(reclaim_scanned); ROW(reclaim_reclaimed);
	ROW(reclaim_young); ROW(reclaim_direct); ROW(kswapd_wakeups); ROW(oom_kills);
	ROW(swap_read_errors); ROW(swap_write_errors); ROW(sigbus_kills);
	ROW(slab_pages); ROW(swap_used); ROW(swapcache_pages);
	return 0;
}
