/*
 * gather_test.c - mmu_gather in the running kernel (suite mmu_gather):
 * the order of events of real unmaps, read back from the trace ring.
 *
 * Every page a gather frees is announced by a TRACE_PAGE_FREE event (its
 * physical address), every CPU flush round by a TRACE_SHOOTDOWN event
 * (its range). For munmap, MADV_DONTNEED, exit and the COW break the
 * tests record which frame backs which address beforehand, then check
 * in the trace of the operation that each of those frames is freed once,
 * after a shootdown whose range covers its address and with no other
 * shootdown in between, i.e. by the batch that flushed it. With a small
 * batch limit (gather_limit_override, mmu_gather.c's test hook) every
 * batch must flush before it frees. The vmstat counters (gather_batches,
 * gather_early_flushes, pages_freed, pt_pages_freed) must agree.
 *
 * The test mms are never loaded on a CPU, so their shootdowns send no
 * IPI: the trace of one operation is short and deterministic.
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vmstat.h"
#include "kernel/trace.h"
#include "kernel/uapi/uapi_errno.h"

extern u32 gather_limit_override;       /* mmu_gather.c: 0 = GATHER_DEFAULT_LIMIT */

#define RW (PROT_READ | PROT_WRITE)
#define ANON_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS)
#define MAX_FRAMES 1200                 /* keep one operation's trace inside one CPU's ring */

struct frame_rec {
	paddr_t pa;
	vaddr_t va;
	int frees;
};

static struct frame_rec frames[MAX_FRAMES];
static int nframes;
static struct trace_entry ev[TRACE_RING];

/* What one operation's trace showed. */
struct order {
	int shootdowns;         /* TRACE_SHOOTDOWN events */
	int frees;              /* TRACE_PAGE_FREE of recorded frames */
	int violations;         /* frees not covered by the shootdown just before them */
	int max_batch;          /* most recorded frees after one shootdown */
	vaddr_t sd_start[16], sd_end[16];       /* the first shootdowns' ranges */
};

/* Remember the frames mapped at [base, base + n pages) of mm. */
static void record_frames(struct mm *mm, vaddr_t base, u64 n)
{
	for (u64 i = 0; i < n && nframes < MAX_FRAMES; i++) {
		vaddr_t va = base + i * PAGE_SIZE;
		paddr_t pa = pt_translate(mm->pml4, va, NULL);
		if (pa)
			frames[nframes++] = (struct frame_rec){ ALIGN_DOWN(pa, PAGE_SIZE), va, 0 };
	}
}

static struct frame_rec *find_frame(paddr_t pa)
{
	for (int i = 0; i < nframes; i++)
		if (frames[i].pa == pa)
			return &frames[i];
	return NULL;
}

/*
 * Read the trace since `since` and check each recorded frame's free against
 * the shootdown before it; each recorded frame must be freed `each` times.
 */
static struct order check_order(struct ktest_ctx *ktest, u64 since, int each)
{
	struct order o = { 0 };
	int n = trace_collect(since, ev, TRACE_RING);
	bool flushed = false;
	vaddr_t cur_start = 0, cur_end = 0;
	int batch = 0;
	for (int i = 0; i < n; i++) {
		if (ev[i].type == TRACE_SHOOTDOWN) {
			if (o.shootdowns < 16) {
				o.sd_start[o.shootdowns] = ev[i].a;
				o.sd_end[o.shootdowns] = ev[i].b;
			}
			o.shootdowns++;
			flushed = true;
			cur_start = ev[i].a;
			cur_end = ev[i].b;
			batch = 0;
		} else if (ev[i].type == TRACE_PAGE_FREE) {
			struct frame_rec *f = find_frame(ev[i].a);
			if (!f)
				continue;
			f->frees++;
			o.frees++;
			if (++batch > o.max_batch)
				o.max_batch = batch;
			if (!flushed || f->va < cur_start || f->va + PAGE_SIZE > cur_end) {
				if (o.violations++ == 0)
					ktest_diag("frame %#lx of %#lx freed before a shootdown covering it "
						   "(last shootdown [%#lx, %#lx))", f->pa, f->va, cur_start, cur_end);
			}
		}
	}
	KEXPECT_LT(n, TRACE_RING);      /* the whole window was read */
	for (int i = 0; i < nframes; i++)
		if (!KEXPECT_EQ(frames[i].frees, each))
			break;
	return o;
}

struct counters {
	u64 batches, early, pages, tables, rounds;
};

static struct counters counters_now(void)
{
	return (struct counters){ vmstat.gather_batches, vmstat.gather_early_flushes, vmstat.pages_freed,
				  vmstat.pt_pages_freed, vmstat.shootdown_rounds };
}

/* An mm with npages written private pages at *base (first mmap: USER_MMAP_BASE). */
static struct mm *populated(u64 npages, vaddr_t *base)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	long a = do_mmap(mm, 0, npages * PAGE_SIZE, RW, ANON_PRIVATE);
	*base = (vaddr_t)a;
	for (u64 i = 0; a > 0 && i < npages; i++)
		if (handle_mm_fault(mm, *base + i * PAGE_SIZE, FAULT_WRITE | FAULT_USER))
			break;
	if (a < 0 || pt_count_present(mm->pml4, *base, *base + npages * PAGE_SIZE) != npages) {
		mm_put_user(mm);
		return NULL;
	}
	return mm;
}

/* munmap with a batch limit of `limit` pages (0: the default); the hook is reset before returning. */
static int munmap_with_limit(struct mm *mm, vaddr_t addr, u64 len, u32 limit)
{
	gather_limit_override = limit;
	int r = do_munmap(mm, addr, len);
	gather_limit_override = 0;
	return r;
}

/* ------------------------------------------------------------------ munmap */

KTEST(mmu_gather, munmap_frees_each_page_after_the_shootdown_covering_it)
{
	u64 free_before = pmm_free_pages();
	vaddr_t base = 0;
	struct mm *mm = populated(64, &base);
	KASSERT_NOT_NULL(mm);
	nframes = 0;
	record_frames(mm, base, 64);
	KASSERT_EQ(nframes, 64);
	struct counters c = counters_now();
	u64 since = trace_now();
	KASSERT_EQ(do_munmap(mm, base, 64 * PAGE_SIZE), 0);
	struct order o = check_order(ktest, since, 1);
	KEXPECT_EQ(o.violations, 0);
	KEXPECT_EQ(o.frees, 64);
	KEXPECT_EQ(o.shootdowns, 1);                    /* one batch: one flush for 64 pages and the tables */
	KEXPECT_EQ(o.sd_start[0], base);
	KEXPECT_EQ(o.sd_end[0], base + 64 * PAGE_SIZE);
	struct counters d = counters_now();
	KEXPECT_EQ(d.batches - c.batches, 1);
	KEXPECT_EQ(d.early - c.early, 0);
	KEXPECT_EQ(d.pages - c.pages, 64);
	KEXPECT_EQ(d.tables - c.tables, 3);             /* PT, PD, PDPT */
	KEXPECT_EQ(d.rounds - c.rounds, 1);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 0);
	mm_put_user(mm);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

KTEST(mmu_gather, small_batch_limit_flushes_each_batch_before_freeing_it)
{
	u64 free_before = pmm_free_pages();
	vaddr_t base = 0;
	struct mm *mm = populated(40, &base);
	KASSERT_NOT_NULL(mm);
	nframes = 0;
	record_frames(mm, base, 40);
	struct counters c = counters_now();
	u64 since = trace_now();
	KASSERT_EQ(munmap_with_limit(mm, base, 40 * PAGE_SIZE, 8), 0);
	struct order o = check_order(ktest, since, 1);
	KEXPECT_EQ(o.violations, 0);
	KEXPECT_EQ(o.frees, 40);
	KEXPECT_EQ(o.max_batch, 8);                     /* never more than the limit per flush */
	/* Five full batches, each flushing exactly its own 8 pages, then one for the tables. */
	KEXPECT_EQ(o.shootdowns, 6);
	for (int k = 0; k < 5; k++) {
		KEXPECT_EQ(o.sd_start[k], base + (u64)k * 8 * PAGE_SIZE);
		KEXPECT_EQ(o.sd_end[k], base + (u64)(k + 1) * 8 * PAGE_SIZE);
	}
	struct counters d = counters_now();
	KEXPECT_EQ(d.early - c.early, 5);
	KEXPECT_EQ(d.batches - c.batches, 6);
	KEXPECT_EQ(d.pages - c.pages, 40);
	KEXPECT_EQ(d.tables - c.tables, 3);
	KEXPECT_EQ(gather_limit_override, 0);
	mm_put_user(mm);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

KTEST(mmu_gather, default_limit_flushes_early_past_1024_pages)
{
	u64 free_before = pmm_free_pages();
	vaddr_t base = 0;
	u64 n = GATHER_DEFAULT_LIMIT + 76;
	struct mm *mm = populated(n, &base);
	KASSERT_NOT_NULL(mm);
	nframes = 0;
	record_frames(mm, base, n);
	struct counters c = counters_now();
	u64 since = trace_now();
	KASSERT_EQ(do_munmap(mm, base, n * PAGE_SIZE), 0);
	struct order o = check_order(ktest, since, 1);
	KEXPECT_EQ(o.violations, 0);
	KEXPECT_EQ(o.frees, (int)n);
	KEXPECT_EQ(o.shootdowns, 2);
	KEXPECT_EQ(o.max_batch, GATHER_DEFAULT_LIMIT);
	struct counters d = counters_now();
	KEXPECT_EQ(d.early - c.early, 1);
	KEXPECT_EQ(d.batches - c.batches, 2);
	mm_put_user(mm);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

/* ------------------------------------------------------------------ the other unmapping paths */

KTEST(mmu_gather, madvise_dontneed_frees_after_the_flush)
{
	u64 free_before = pmm_free_pages();
	vaddr_t base = 0;
	struct mm *mm = populated(32, &base);
	KASSERT_NOT_NULL(mm);
	nframes = 0;
	record_frames(mm, base + 8 * PAGE_SIZE, 16);
	struct counters c = counters_now();
	u64 since = trace_now();
	KASSERT_EQ(do_madvise(mm, base + 8 * PAGE_SIZE, 16 * PAGE_SIZE, MADV_DONTNEED), 0);
	struct order o = check_order(ktest, since, 1);
	KEXPECT_EQ(o.violations, 0);
	KEXPECT_EQ(o.frees, 16);
	KEXPECT_EQ(o.shootdowns, 1);
	KEXPECT_EQ(o.sd_start[0], base + 8 * PAGE_SIZE);
	KEXPECT_EQ(o.sd_end[0], base + 24 * PAGE_SIZE);
	struct counters d = counters_now();
	KEXPECT_EQ(d.pages - c.pages, 16);
	KEXPECT_EQ(d.tables - c.tables, 0);             /* the VMA stays: its tables too */
	mm_put_user(mm);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

KTEST(mmu_gather, exit_frees_every_page_after_the_flush)
{
	u64 free_before = pmm_free_pages();
	struct mm *mm = mm_create();
	KASSERT_NOT_NULL(mm);
	/* Program pages at 0x400000, the stack near the top: one range spanning user space. */
	vaddr_t stack = USER_STACK_TOP - 8 * PAGE_SIZE;
	KASSERT_EQ(do_mmap(mm, 0x400000, 8 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED), 0x400000);
	KASSERT_EQ(do_mmap(mm, stack, 8 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED), (long)stack);
	for (u64 i = 0; i < 8; i++) {
		KASSERT_EQ(handle_mm_fault(mm, 0x400000 + i * PAGE_SIZE, FAULT_WRITE), 0);
		KASSERT_EQ(handle_mm_fault(mm, stack + i * PAGE_SIZE, FAULT_WRITE), 0);
	}
	nframes = 0;
	record_frames(mm, 0x400000, 8);
	record_frames(mm, stack, 8);
	KASSERT_EQ(nframes, 16);
	struct counters c = counters_now();
	u64 since = trace_now();
	mm_put_user(mm);
	struct order o = check_order(ktest, since, 1);
	KEXPECT_EQ(o.violations, 0);
	KEXPECT_EQ(o.frees, 16);
	KEXPECT_EQ(o.shootdowns, 1);
	KEXPECT_EQ(o.sd_start[0], 0);                   /* unmap_vmas(0, USER_TOP) notes its start for the tables */
	KEXPECT_EQ(o.sd_end[0], USER_STACK_TOP);
	struct counters d = counters_now();
	KEXPECT_EQ(d.tables - c.tables, 6);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

KTEST(mmu_gather, cow_break_puts_the_old_page_after_the_flush)
{
	u64 free_before = pmm_free_pages();
	vaddr_t base = 0;
	struct mm *parent = populated(4, &base);
	KASSERT_NOT_NULL(parent);
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	vaddr_t va = base + 2 * PAGE_SIZE;
	nframes = 0;
	record_frames(child, va, 1);
	u64 breaks = vmstat.cow_breaks;
	u64 since = trace_now();
	KASSERT_EQ(handle_mm_fault(child, va, FAULT_WRITE | FAULT_USER), 0);
	struct order o = check_order(ktest, since, 1);
	KEXPECT_EQ(vmstat.cow_breaks - breaks, 1);
	KEXPECT_EQ(o.violations, 0);
	KEXPECT_EQ(o.frees, 1);                         /* the child's reference to the old frame */
	KEXPECT_EQ(o.shootdowns, 1);
	KEXPECT_EQ(o.sd_start[0], va);
	KEXPECT_EQ(o.sd_end[0], va + PAGE_SIZE);
	/* The frame itself lives on: the parent still maps it. */
	KEXPECT_EQ(ALIGN_DOWN(pt_translate(parent->pml4, va, NULL), PAGE_SIZE), frames[0].pa);
	KEXPECT_EQ(phys_to_page(frames[0].pa)->refcount, 1);
	KEXPECT_NE(ALIGN_DOWN(pt_translate(child->pml4, va, NULL), PAGE_SIZE), frames[0].pa);
	mm_put_user(child);
	mm_put_user(parent);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

KTEST(mmu_gather, fork_and_mprotect_flush_once_and_free_nothing)
{
	u64 free_before = pmm_free_pages();
	vaddr_t base = 0;
	struct mm *mm = populated(16, &base);
	KASSERT_NOT_NULL(mm);
	nframes = 0;
	record_frames(mm, base, 16);
	/* fork write-protects the parent's 16 PTEs: one flush of their range. */
	struct counters c = counters_now();
	u64 since = trace_now();
	struct mm *child = mm_fork(mm);
	KASSERT_NOT_NULL(child);
	struct order o = check_order(ktest, since, 0);
	KEXPECT_EQ(o.shootdowns, 1);
	KEXPECT_EQ(o.sd_start[0], base);
	KEXPECT_EQ(o.sd_end[0], base + 16 * PAGE_SIZE);
	KEXPECT_EQ(o.frees, 0);
	KEXPECT_EQ(counters_now().pages - c.pages, 0);
	mm_put_user(child);
	/* mprotect to read-only of 4 pages: one flush of exactly those, nothing freed. */
	KASSERT_EQ(do_mprotect(mm, base + 4 * PAGE_SIZE, 4 * PAGE_SIZE, PROT_READ), 0);   /* already RO after fork: no change */
	KASSERT_EQ(do_mprotect(mm, base, 16 * PAGE_SIZE, RW), 0);                        /* writable again */
	since = trace_now();
	c = counters_now();
	KASSERT_EQ(do_mprotect(mm, base + 4 * PAGE_SIZE, 4 * PAGE_SIZE, PROT_READ), 0);
	o = check_order(ktest, since, 0);
	KEXPECT_EQ(o.shootdowns, 1);
	KEXPECT_EQ(o.sd_start[0], base + 4 * PAGE_SIZE);
	KEXPECT_EQ(o.sd_end[0], base + 8 * PAGE_SIZE);
	KEXPECT_EQ(o.frees, 0);
	KEXPECT_EQ(counters_now().pages - c.pages, 0);
	mm_put_user(mm);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

/* ------------------------------------------------------------------ page-table pages */

KTEST(mmu_gather, tables_alone_are_flushed_before_they_are_freed)
{
	/*
	 * One page in each of 70 page tables, dropped by MADV_DONTNEED (which
	 * keeps the tables), then munmap: no page to free, 72 tables (70 PTs,
	 * a PD, a PDPT) in two batches (GATHER_MAX_TABLES is 64). Each batch
	 * must have its own shootdown before it frees its tables.
	 */
	u64 free_before = pmm_free_pages();
	struct mm *mm = mm_create();
	KASSERT_NOT_NULL(mm);
	u64 span = 70 * (2ull << 20);
	long a = do_mmap(mm, 0, span, RW, ANON_PRIVATE);
	KASSERT_EQ(a, (long)USER_MMAP_BASE);
	for (u64 i = 0; i < 70; i++)
		KASSERT_EQ(handle_mm_fault(mm, (vaddr_t)a + i * (2ull << 20) + 5 * PAGE_SIZE, FAULT_WRITE), 0);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 72);
	KASSERT_EQ(do_madvise(mm, (vaddr_t)a, span, MADV_DONTNEED), 0);
	KEXPECT_EQ(pt_count_present(mm->pml4, 0, USER_TOP), 0);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 72);
	struct counters c = counters_now();
	u64 since = trace_now();
	KASSERT_EQ(do_munmap(mm, (vaddr_t)a, span), 0);
	nframes = 0;
	struct order o = check_order(ktest, since, 1);
	struct counters d = counters_now();
	KEXPECT_EQ(d.tables - c.tables, 72);
	KEXPECT_EQ(d.batches - c.batches, 2);
	KEXPECT_EQ(o.shootdowns, 2);                    /* one per batch of tables */
	KEXPECT_EQ(d.rounds - c.rounds, d.batches - c.batches);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 0);
	mm_put_user(mm);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}

/* ------------------------------------------------------------------ the API itself */

KTEST(mmu_gather, gather_holds_pages_until_its_flush)
{
	u64 free_before = pmm_free_pages();
	struct mm *mm = mm_create();
	KASSERT_NOT_NULL(mm);
	struct page *p[5];
	for (int i = 0; i < 5; i++) {
		p[i] = alloc_page();
		KASSERT_NOT_NULL(p[i]);
	}
	get_page(p[4]);                 /* a second reference: put, not freed */
	u64 base_free = pmm_free_pages();
	struct mmu_gather tlb;
	gather_limit_override = 2;
	tlb_gather_begin(&tlb, mm);
	gather_limit_override = 0;
	KEXPECT_EQ(tlb.limit, 2);
	tlb_remove_page(&tlb, p[0], 0x10000);
	KEXPECT_EQ(pmm_free_pages(), base_free);        /* queued, not freed */
	KEXPECT_EQ(p[0]->refcount, 1);
	tlb_remove_page(&tlb, p[1], 0x11000);           /* the batch is full: flush, then free */
	KEXPECT_EQ(pmm_free_pages(), base_free + 2);
	KEXPECT_EQ(tlb.rounds, 1);
	tlb_remove_page(&tlb, p[2], 0x20000);
	tlb_remove_page(&tlb, p[4], 0x30000);
	KEXPECT_EQ(pmm_free_pages(), base_free + 3);    /* p[4] was only put */
	tlb_remove_page(&tlb, p[3], 0x40000);
	KEXPECT_EQ(pmm_free_pages(), base_free + 3);
	tlb_gather_end(&tlb);
	KEXPECT_EQ(pmm_free_pages(), base_free + 4);
	KEXPECT_EQ(tlb.rounds, 3);
	KEXPECT_EQ(p[4]->refcount, 1);
	put_page(p[4]);
	mm_put_user(mm);
	KEXPECT_EQ(pmm_free_pages(), free_before);
}
