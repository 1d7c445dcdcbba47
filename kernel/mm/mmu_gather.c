/* mmu_gather.c - batched freeing behind one flush (read the rules in mmu_gather.h). */
#include "kernel/mm/mmu_gather.h"
#include "arch/x86_64/paging.h"     /* USER_TOP */
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmstat.h"
#include "kernel/trace.h"

#define BATCH_CAPACITY ((PAGE_SIZE - sizeof(struct gather_batch)) / sizeof(struct page *))

/*
 * Test hook: when non-zero, every gather begun from now on uses this batch
 * limit instead of GATHER_DEFAULT_LIMIT, so a test can force early flushes
 * with a handful of pages (kernel/test/gather_test.c sets it around one
 * munmap and puts it back to 0). Nothing else writes it.
 */
u32 gather_limit_override;

void tlb_gather_begin(struct mmu_gather *tlb, struct mm *mm)
{
	tlb->mm = mm;
	tlb->start = ~0ull;
	tlb->end = 0;
	tlb->nr_pages = 0;
	tlb->limit = READ_ONCE(gather_limit_override) ? READ_ONCE(gather_limit_override) : GATHER_DEFAULT_LIMIT;
	tlb->nr_inline = 0;
	tlb->extra = NULL;
	tlb->nr_tables = 0;
	tlb->rounds = 0;
}

void tlb_change_range(struct mmu_gather *tlb, vaddr_t start, vaddr_t end)
{
	if (start < tlb->start)
		tlb->start = start;
	if (end > tlb->end)
		tlb->end = end;
}

/* Room for one more page pointer: the inline array, then chained batch pages. */
static bool queue_page(struct mmu_gather *tlb, struct page *page)
{
	if (tlb->nr_inline < GATHER_INLINE) {
		tlb->inline_pages[tlb->nr_inline++] = page;
		return true;
	}
	struct gather_batch *b = tlb->extra;
	if (!b || b->nr == b->max) {
		struct page *bp = alloc_page();
		if (!bp)
			return false;   /* no memory for bookkeeping: the caller flushes early */
		b = page_address(bp);
		b->next = tlb->extra;
		b->nr = 0;
		b->max = (u32)BATCH_CAPACITY;
		tlb->extra = b;
	}
	b->pages[b->nr++] = page;
	return true;
}

void tlb_remove_page(struct mmu_gather *tlb, struct page *page, vaddr_t addr)
{
	tlb_change_range(tlb, addr, addr + PAGE_SIZE);
	if (!queue_page(tlb, page)) {
		VMSTAT_INC(gather_early_flushes);
		tlb_flush_mmu(tlb);     /* empties the inline array: the page fits now */
		queue_page(tlb, page);
	}
	tlb->nr_pages++;
	if (tlb->nr_pages >= tlb->limit) {
		VMSTAT_INC(gather_early_flushes);
		tlb_flush_mmu(tlb);     /* rule 3: a full batch is flushed before anything is freed */
	}
}

void tlb_remove_table(struct mmu_gather *tlb, paddr_t table)
{
	if (tlb->nr_tables == GATHER_MAX_TABLES)
		tlb_flush_mmu(tlb);
	tlb->tables[tlb->nr_tables++] = table;
}

static void free_batch(struct mmu_gather *tlb)
{
	for (u32 i = 0; i < tlb->nr_inline; i++) {
		trace_event(TRACE_PAGE_FREE, page_to_phys(tlb->inline_pages[i]), 0);
		put_page(tlb->inline_pages[i]);
	}
	tlb->nr_inline = 0;
	while (tlb->extra) {
		struct gather_batch *b = tlb->extra;
		for (u32 i = 0; i < b->nr; i++) {
			trace_event(TRACE_PAGE_FREE, page_to_phys(b->pages[i]), 0);
			put_page(b->pages[i]);
		}
		tlb->extra = b->next;
		free_page(virt_to_page(b));
	}
	VMSTAT_ADD(pages_freed, tlb->nr_pages);
	tlb->nr_pages = 0;
	for (u32 i = 0; i < tlb->nr_tables; i++)
		free_page(phys_to_page(tlb->tables[i]));
	VMSTAT_ADD(pt_pages_freed, tlb->nr_tables);
	tlb->nr_tables = 0;
}

void tlb_flush_mmu(struct mmu_gather *tlb)
{
	bool pending = tlb->start < tlb->end;
	if (!pending && tlb->nr_pages == 0 && tlb->nr_tables == 0)
		return;
	if (!pending && tlb->nr_tables > 0) {
		/*
		 * Rule 5 with no PTE range pending (the tables' PTEs went out
		 * with an earlier batch, or the tables filled up before any
		 * range was noted): a CPU's paging-structure cache, or a
		 * device, may still hold the upper-level entries that pointed
		 * at these tables. Which addresses they covered is not known
		 * here, so the whole user half is flushed.
		 */
		tlb->start = 0;
		tlb->end = USER_TOP;
		pending = true;
	}
	if (pending) {
		/* Rule 2, step 1: no CPU may keep a translation of the range. */
		tlb_flush_cpus(tlb->mm, tlb->start, tlb->end, tlb->nr_tables > 0);
		/*
		 * Rule 2, step 2: secondary MMUs that walk the CPU page tables
		 * (IOMMUv2-style) or cache them must drop their copies now,
		 * before the pages below are freed: invalidate_range_end would
		 * come too late.
		 */
		mmu_notifier_invalidate_secondary_tlbs(tlb->mm, tlb->start, tlb->end);
	}
	/* Rule 2, step 3: only now may the frames be reused. */
	free_batch(tlb);
	VMSTAT_INC(gather_batches);
	tlb->rounds++;
	tlb->start = ~0ull;
	tlb->end = 0;
}

void tlb_gather_end(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
}
