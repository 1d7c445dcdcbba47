/*
 * shootdown.c - keeping every CPU's TLB coherent when a mapping changes.
 *
 * THE RULES this file keeps:
 *
 *  1. flush_tlb_range(mm, start, end) returns only when no CPU can use a
 *     translation of [start, end) in mm any more.
 *  2. Only CPUs in mm->cpu_mask can hold such translations: a CPU sets its
 *     bit before loading the mm (mm_activate) and clears it when it loads
 *     another (mm_deactivate). CPUs outside the mask get no IPI.
 *  3. One IPI per target CPU per call, whatever the size of the range:
 *     an mmu_gather batch costs one round.
 *  4. Lazy TLB: a CPU running a kernel thread keeps the last user mm
 *     loaded (its `lazy` flag is set) and never touches user addresses,
 *     so it is not interrupted. The call first bumps mm->tlb_gen, then
 *     reads each CPU's lazy flag; a CPU leaving lazy mode first clears
 *     its flag, then compares mm->tlb_gen with the generation its TLB
 *     reflects and flushes everything if they differ (tlb_lazy_return).
 *     Both sides use sequentially consistent operations, so either the
 *     flusher sees the CPU non-lazy and interrupts it, or the CPU sees
 *     the new generation and flushes itself.
 *  5. When page-table pages were freed, lazy CPUs are interrupted too:
 *     their page walker could otherwise cache entries read from a freed,
 *     reused table page.
 *  6. Locally: one invlpg per page up to TLB_FLUSH_CEILING pages, above
 *     that one full flush (tlb.c).
 */
#include "kernel/mm/tlb.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/vmstat.h"
#include "kernel/smp.h"
#include "kernel/trace.h"

struct flush_req {
	struct mm *mm;
	vaddr_t start, end;
	u64 gen;
};

static void note_gen(struct cpu *c, u64 gen)
{
	if (gen > c->tlb_gen_seen)
		c->tlb_gen_seen = gen;
}

/*
 * Apply flush request gen (range [start, end)) to this CPU's TLB, which
 * holds mm (interrupts off). tlb_gen_seen means "every change up to this
 * generation is reflected here", so a range flush may only advance it
 * when it is the very next generation. A CPU that missed one (it was lazy
 * and skipped, and is interrupted now for a later change, e.g. one that
 * freed page tables) must flush everything, or the range it skipped stays
 * cached and tlb_lazy_return() later believes it is up to date.
 */
static void flush_gen_local(struct cpu *c, struct mm *mm, vaddr_t start, vaddr_t end, u64 gen)
{
	if (c->tlb_gen_seen + 1 >= gen) {
		flush_tlb_local(start, end);
		note_gen(c, gen);
	} else {
		u64 now = __atomic_load_n(&mm->tlb_gen, __ATOMIC_SEQ_CST);
		flush_tlb_local_all();
		note_gen(c, now);
	}
}

/* Runs on each target CPU, in the cross-call IPI. */
static void flush_ipi(void *arg)
{
	struct flush_req *r = arg;
	struct cpu *c = this_cpu();
	if (c->active_mm == r->mm)
		flush_gen_local(c, r->mm, r->start, r->end, r->gen);
}

static u64 flush_targets(struct mm *mm, bool freed_tables)
{
	int self = this_cpu()->id;
	u64 mask = READ_ONCE(mm->cpu_mask) & READ_ONCE(cpus_online_mask) & ~(1ull << self);
	for (int c = 0; c < MAX_CPUS && !freed_tables; c++) {
		if ((mask & (1ull << c)) && __atomic_load_n(&cpus[c].lazy, __ATOMIC_SEQ_CST)) {
			mask &= ~(1ull << c);   /* rule 4: it will catch up on its way back */
			VMSTAT_INC(lazy_skipped);
		}
	}
	return mask;
}

static void flush_range(struct mm *mm, vaddr_t start, vaddr_t end, bool freed_tables)
{
	trace_event(TRACE_SHOOTDOWN, start, end);
	VMSTAT_INC(shootdown_rounds);
	u64 pages = (end - start) / PAGE_SIZE;
	VMSTAT_ADD(shootdown_pages, pages <= PT_ENTRIES * PT_ENTRIES ? pages : 0);  /* exit's whole-space range: not pages */
	struct flush_req r = { mm, start, end, 0 };
	r.gen = __atomic_add_fetch(&mm->tlb_gen, 1, __ATOMIC_SEQ_CST);
	u64 flags = irq_save();
	struct cpu *c = this_cpu();
	if (c->active_mm == mm)
		flush_gen_local(c, mm, start, end, r.gen);
	irq_restore(flags);
	smp_call_mask(flush_targets(mm, freed_tables), flush_ipi, &r);
}

void flush_tlb_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	flush_range(mm, start, end, false);
}

void tlb_flush_cpus(struct mm *mm, vaddr_t start, vaddr_t end, bool freed_tables)
{
	flush_range(mm, start, end, freed_tables);
}

/* Interrupts off (called from schedule()). */
void tlb_lazy_return(struct mm *mm)
{
	struct cpu *c = this_cpu();
	__atomic_store_n(&c->lazy, false, __ATOMIC_SEQ_CST);
	u64 gen = __atomic_load_n(&mm->tlb_gen, __ATOMIC_SEQ_CST);
	if (gen != c->tlb_gen_seen) {
		flush_tlb_local_all();
		VMSTAT_INC(lazy_flushes);
		note_gen(c, gen);
	}
}
