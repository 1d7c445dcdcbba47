/*
 * test_mmu_gather.c - the ordering rules of kernel/mm/mmu_gather.c on the
 * host (read the rules in kernel/mm/mmu_gather.h).
 *
 * mmu_gather.c is linked against stand-ins defined here for everything it
 * calls: tlb_flush_cpus (the CPU shootdown), mm_has_notifiers and
 * __mmu_notifier_invalidate_secondary_tlbs (the secondary-MMU flush, which
 * mmu_notifier.h's inline wraps), put_page (a user page's reference goes),
 * alloc_pages/free_pages (batch pages and page-table pages), trace_event
 * and the vmstat counters. Each stand-in appends an event to one log, and
 * the test appends one when it queues a page or a table, so a test can
 * read back the exact order of events and check the rules:
 *
 *   - no page is put (and no table freed) before a CPU flush whose range
 *     covers it and then a secondary flush of that range, both after it
 *     was queued;
 *   - one CPU flush and one secondary flush per batch, the range being
 *     [lowest start, highest end) of what changed since the last flush;
 *   - a full batch (tlb.limit pages) or a failed batch-page allocation
 *     flushes early, by the same sequence;
 *   - page-table pages are freed after the flush, which says so
 *     (freed_tables);
 *   - after tlb_gather_end nothing is queued and every batch page is back;
 *   - an empty gather flushes nothing.
 *
 * Pages are struct pages of a local array over an aligned arena; batch
 * pages are poisoned for AddressSanitizer when freed, so a read of a
 * batch after its page went back is reported.
 */
#include "tests/host/host_ktap.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmstat.h"
#include "kernel/trace.h"
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HOST_ASAN 1
#endif
#ifdef HOST_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

extern u32 gather_limit_override;       /* mmu_gather.c's test hook */

#define NUSER 4096                      /* user and table pages: [0, NUSER) */
#define NBATCH 8                        /* batch pages: [NUSER, NUSER + NBATCH) */
#define NPAGES (NUSER + NBATCH)
#define BASE_PFN 0x10000ull
#define MAX_EV 40000
#define VA0 0x100000000000ull           /* where the test's "mappings" start (the mmap area) */
#define BATCH_CAPACITY ((PAGE_SIZE - sizeof(struct gather_batch)) / sizeof(struct page *))

/* ------------------------------------------------------------------ the event log */

enum ev_kind {
	EV_QUEUE,       /* test: tlb_remove_page(a = phys, b = va) is called */
	EV_QTABLE,      /* test: tlb_remove_table(a = phys) is called */
	EV_CPU,         /* tlb_flush_cpus(a = start, b = end, flag = freed_tables) */
	EV_SEC,         /* __mmu_notifier_invalidate_secondary_tlbs(a = start, b = end) */
	EV_TRACE_FREE,  /* trace_event(TRACE_PAGE_FREE, a = phys) */
	EV_PUT,         /* put_page(a = phys) */
	EV_TABLE_FREE,  /* free_pages of a page-table page (a = phys) */
	EV_BATCH_ALLOC, /* alloc_pages for a batch page (a = phys) */
	EV_BATCH_FREE,  /* free_pages of a batch page (a = phys) */
};

static const char *const ev_names[] = {
	"queue", "queue_table", "cpu_flush", "secondary_flush", "trace_free", "put_page",
	"table_free", "batch_alloc", "batch_free",
};

struct ev {
	enum ev_kind k;
	u64 a, b;
	bool flag;
};

enum role { R_FREE, R_USER, R_TABLE, R_BATCH };

static struct {
	struct ev ev[MAX_EV];
	int nev;
	char *arena;
	struct page pages[NPAGES];
	enum role role[NPAGES];
	int queued[NPAGES];             /* queued and not yet put */
	int alloc_budget;               /* batch pages alloc_pages may still give; -1: any */
	int alloc_refusals;
	bool notifiers;                 /* what mm_has_notifiers answers */
	int has_notifier_calls;
	int wrong_mm;                   /* a stand-in got another mm than the gather's */
	int bad_free;                   /* free_pages/put_page of a page in the wrong role */
} env;

static char fake_mm[64];
#define MM ((struct mm *)fake_mm)

struct secundus_vmstat vmstat;

static void log_ev(enum ev_kind k, u64 a, u64 b, bool flag)
{
	if (env.nev == MAX_EV) {
		htest_diag("event log full");
		abort();
	}
	env.ev[env.nev++] = (struct ev){ k, a, b, flag };
}

static size_t idx_of(const struct page *p) { return (size_t)(p - env.pages); }

/* ------------------------------------------------------------------ the stand-ins */

paddr_t page_to_phys(const struct page *p) { return (BASE_PFN + idx_of(p)) << PAGE_SHIFT; }

struct page *phys_to_page(paddr_t pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	if (pfn < BASE_PFN || pfn - BASE_PFN >= NPAGES)
		return NULL;
	return &env.pages[pfn - BASE_PFN];
}

void *page_address(const struct page *p) { return env.arena + idx_of(p) * PAGE_SIZE; }

struct page *virt_to_page(const void *va)
{
	size_t off = (size_t)((const char *)va - env.arena);
	return &env.pages[off / PAGE_SIZE];
}

struct page *alloc_pages(unsigned order)
{
	HEXPECT_EQ(order, 0u);
	if (env.alloc_budget == 0) {
		env.alloc_refusals++;
		return NULL;
	}
	for (size_t i = NUSER; i < NPAGES; i++) {
		if (env.role[i] != R_FREE)
			continue;
		if (env.alloc_budget > 0)
			env.alloc_budget--;
		env.role[i] = R_BATCH;
		UNPOISON(env.arena + i * PAGE_SIZE, PAGE_SIZE);
		memset(env.arena + i * PAGE_SIZE, 0xa5, PAGE_SIZE);    /* garbage, as a fresh page has */
		log_ev(EV_BATCH_ALLOC, page_to_phys(&env.pages[i]), 0, false);
		return &env.pages[i];
	}
	env.alloc_refusals++;
	return NULL;
}

void free_pages(struct page *p, unsigned order)
{
	HEXPECT_EQ(order, 0u);
	size_t i = idx_of(p);
	if (i < NPAGES && env.role[i] == R_BATCH) {
		log_ev(EV_BATCH_FREE, page_to_phys(p), 0, false);
		POISON(env.arena + i * PAGE_SIZE, PAGE_SIZE);
	} else if (i < NPAGES && env.role[i] == R_TABLE) {
		log_ev(EV_TABLE_FREE, page_to_phys(p), 0, false);
	} else {
		env.bad_free++;         /* a user page must go through put_page */
		return;
	}
	env.role[i] = R_FREE;
}

void put_page(struct page *p)
{
	size_t i = idx_of(p);
	if (i >= NPAGES || env.role[i] != R_USER || env.queued[i] <= 0) {
		env.bad_free++;
		return;
	}
	log_ev(EV_PUT, page_to_phys(p), 0, false);
	env.queued[i]--;
}

void tlb_flush_cpus(struct mm *mm, vaddr_t start, vaddr_t end, bool freed_tables)
{
	if (mm != MM)
		env.wrong_mm++;
	log_ev(EV_CPU, start, end, freed_tables);
}

bool mm_has_notifiers(struct mm *mm)
{
	if (mm != MM)
		env.wrong_mm++;
	env.has_notifier_calls++;
	return env.notifiers;
}

void __mmu_notifier_invalidate_secondary_tlbs(struct mm *mm, vaddr_t start, vaddr_t end)
{
	if (mm != MM)
		env.wrong_mm++;
	log_ev(EV_SEC, start, end, false);
}

void trace_event(enum trace_type type, u64 a, u64 b)
{
	UNUSED(b);
	if (type == TRACE_PAGE_FREE)
		log_ev(EV_TRACE_FREE, a, 0, false);
}

/* ------------------------------------------------------------------ helpers */

static void setup(void)
{
	if (!env.arena) {
		env.arena = aligned_alloc(PAGE_SIZE, (size_t)NPAGES * PAGE_SIZE);
		if (!env.arena)
			abort();
	}
	char *arena = env.arena;
	UNPOISON(arena, (size_t)NPAGES * PAGE_SIZE);
	memset(&env, 0, sizeof env);
	env.arena = arena;
	env.alloc_budget = -1;
	env.notifiers = true;
	for (size_t i = NUSER; i < NPAGES; i++)
		POISON(arena + i * PAGE_SIZE, PAGE_SIZE);       /* batch pages: free until allocated */
	memset(&vmstat, 0, sizeof vmstat);
	gather_limit_override = 0;
}

static vaddr_t va_of(int i) { return VA0 + (u64)i * PAGE_SIZE; }
static paddr_t phys_of(int i) { return page_to_phys(&env.pages[i]); }

/* The PTE of user page i at va was just cleared: hand the page to the gather. */
static void remove_page(struct mmu_gather *tlb, int i, vaddr_t va)
{
	env.role[i] = R_USER;
	env.queued[i]++;
	log_ev(EV_QUEUE, phys_of(i), va, false);
	tlb_remove_page(tlb, &env.pages[i], va);
}

/* Page i is a page-table page that pruning just unlinked. */
static void remove_table(struct mmu_gather *tlb, int i)
{
	env.role[i] = R_TABLE;
	log_ev(EV_QTABLE, phys_of(i), 0, false);
	tlb_remove_table(tlb, phys_of(i));
}

static int count(enum ev_kind k)
{
	int n = 0;
	for (int i = 0; i < env.nev; i++)
		n += env.ev[i].k == k;
	return n;
}

/* Index of the n-th (from 0) event of kind k, or -1. */
static int nth(enum ev_kind k, int n)
{
	for (int i = 0; i < env.nev; i++)
		if (env.ev[i].k == k && n-- == 0)
			return i;
	return -1;
}

static void dump_events(int from, int to)
{
	for (int i = from < 0 ? 0 : from; i < env.nev && i < to; i++)
		htest_diag("  event %d: %s %#llx %#llx%s", i, ev_names[env.ev[i].k],
			   (unsigned long long)env.ev[i].a, (unsigned long long)env.ev[i].b,
			   env.ev[i].flag ? " freed_tables" : "");
}

/*
 * THE RULE, checked over the whole log: every put_page (table free) comes
 * after a CPU flush that covers the page's address (that says
 * freed_tables), which itself comes after the page (table) was queued;
 * with notifiers, a secondary flush of a covering range comes between
 * that CPU flush and the free. Each put is announced by its trace event.
 * Returns the number of violations (each one printed).
 */
static int rule_violations(void)
{
	int bad = 0;
	for (int i = 0; i < env.nev; i++) {
		struct ev *e = &env.ev[i];
		if (e->k != EV_PUT && e->k != EV_TABLE_FREE)
			continue;
		bool table = e->k == EV_TABLE_FREE;
		int q = -1;
		for (int j = i - 1; j >= 0 && q < 0; j--)
			if (env.ev[j].k == (table ? EV_QTABLE : EV_QUEUE) && env.ev[j].a == e->a)
				q = j;
		vaddr_t va = q >= 0 ? env.ev[q].b : 0;
		bool ok = false;
		for (int c = q + 1; q >= 0 && c < i && !ok; c++) {
			struct ev *f = &env.ev[c];
			if (f->k != EV_CPU)
				continue;
			if (table ? !f->flag : !(f->a <= va && va + PAGE_SIZE <= f->b))
				continue;
			if (!env.notifiers) {
				ok = true;
				break;
			}
			for (int s = c + 1; s < i && !ok; s++)
				ok = env.ev[s].k == EV_SEC && env.ev[s].a <= f->a && f->b <= env.ev[s].b;
		}
		if (!table && (i == 0 || env.ev[i - 1].k != EV_TRACE_FREE || env.ev[i - 1].a != e->a)) {
			htest_diag("event %d: put_page of %#llx without its trace event just before", i,
				   (unsigned long long)e->a);
			bad++;
		}
		if (!ok) {
			htest_diag("event %d: %s of %#llx (queued at event %d, va %#llx) without a covering "
				   "CPU flush then secondary flush in between", i, ev_names[e->k],
				   (unsigned long long)e->a, q, (unsigned long long)va);
			dump_events(i - 6 > q ? i - 6 : q, i + 1);
			bad++;
		}
		if (bad >= 3)
			break;          /* the first few tell the story */
	}
	return bad;
}

/* With notifiers, each CPU flush is followed at once by a secondary flush of the same range. */
static void expect_flush_pairs(void)
{
	for (int i = 0; i < env.nev; i++) {
		if (env.ev[i].k == EV_SEC)
			HEXPECT_TRUE(i > 0 && env.ev[i - 1].k == EV_CPU);
		if (env.ev[i].k != EV_CPU)
			continue;
		if (!env.notifiers)
			continue;
		if (!HEXPECT_TRUE(i + 1 < env.nev && env.ev[i + 1].k == EV_SEC))
			continue;
		HEXPECT_EQ(env.ev[i + 1].a, env.ev[i].a);
		HEXPECT_EQ(env.ev[i + 1].b, env.ev[i].b);
	}
}

/* After tlb_gather_end: nothing queued, nothing allocated, every page put once. */
static void expect_all_done(struct mmu_gather *tlb)
{
	HEXPECT_EQ(tlb->nr_pages, 0u);
	HEXPECT_EQ(tlb->nr_inline, 0u);
	HEXPECT_NULL(tlb->extra);
	HEXPECT_EQ(tlb->nr_tables, 0u);
	HEXPECT_TRUE(tlb->start >= tlb->end);           /* no range pending */
	int left = 0, batches = 0, tables = 0;
	for (int i = 0; i < NPAGES; i++) {
		left += env.queued[i];
		batches += env.role[i] == R_BATCH;
		tables += env.role[i] == R_TABLE;
	}
	HEXPECT_EQ(left, 0);            /* every queued page was put, exactly once */
	HEXPECT_EQ(batches, 0);         /* every batch page went back */
	HEXPECT_EQ(tables, 0);          /* every queued table was freed */
	HEXPECT_EQ(count(EV_BATCH_ALLOC), count(EV_BATCH_FREE));
	HEXPECT_EQ(env.bad_free, 0);
	HEXPECT_EQ(env.wrong_mm, 0);
	HEXPECT_EQ(rule_violations(), 0);
	expect_flush_pairs();
	HEXPECT_EQ(vmstat.gather_batches, tlb->rounds);
}

/* ------------------------------------------------------------------ tests */

HTEST(empty_gather_flushes_nothing)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	HEXPECT_EQ(tlb.limit, GATHER_DEFAULT_LIMIT);
	tlb_flush_mmu(&tlb);
	tlb_gather_end(&tlb);
	HEXPECT_EQ(env.nev, 0);
	HEXPECT_EQ(tlb.rounds, 0u);
	HEXPECT_EQ(vmstat.gather_batches, 0);
	HEXPECT_EQ(vmstat.pages_freed, 0);
	expect_all_done(&tlb);
}

HTEST(range_change_alone_flushes_once_and_frees_nothing)
{
	/* mprotect / fork write-protect: PTEs change, no page goes. */
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	tlb_change_range(&tlb, 0x5000, 0x6000);
	tlb_change_range(&tlb, 0x3000, 0x4000);
	tlb_change_range(&tlb, 0x8000, 0x9000);
	HEXPECT_EQ(env.nev, 0);                         /* nothing before the end */
	tlb_gather_end(&tlb);
	HASSERT_EQ(env.nev, 2);
	HEXPECT_EQ(env.ev[0].k, EV_CPU);
	HEXPECT_EQ(env.ev[0].a, 0x3000);
	HEXPECT_EQ(env.ev[0].b, 0x9000);
	HEXPECT_FALSE(env.ev[0].flag);
	HEXPECT_EQ(env.ev[1].k, EV_SEC);
	HEXPECT_EQ(tlb.rounds, 1u);
	expect_all_done(&tlb);
}

HTEST(pages_are_put_only_after_cpu_then_secondary_flush)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	for (int i = 0; i < 10; i++)
		remove_page(&tlb, i, va_of(i));
	HEXPECT_EQ(count(EV_PUT), 0);                   /* rule 1: queued, not freed */
	HEXPECT_EQ(count(EV_CPU), 0);
	HEXPECT_EQ(tlb.nr_pages, 10u);
	tlb_gather_end(&tlb);
	/* Exactly: queue x10, CPU flush, secondary flush, (trace, put) x10. */
	HASSERT_EQ(env.nev, 10 + 2 + 20);
	HEXPECT_EQ(env.ev[10].k, EV_CPU);
	HEXPECT_EQ(env.ev[10].a, va_of(0));
	HEXPECT_EQ(env.ev[10].b, va_of(10));
	HEXPECT_EQ(env.ev[11].k, EV_SEC);
	for (int i = 0; i < 10; i++) {
		HEXPECT_EQ(env.ev[12 + 2 * i].k, EV_TRACE_FREE);
		HEXPECT_EQ(env.ev[13 + 2 * i].k, EV_PUT);
	}
	HEXPECT_EQ(vmstat.pages_freed, 10);
	HEXPECT_EQ(vmstat.gather_batches, 1);
	HEXPECT_EQ(vmstat.gather_early_flushes, 0);
	expect_all_done(&tlb);
}

HTEST(range_is_lowest_start_to_highest_end)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	HEXPECT_TRUE(tlb.start >= tlb.end);
	remove_page(&tlb, 0, 0x9000);
	remove_page(&tlb, 1, 0x2000);
	remove_page(&tlb, 2, 0x5000);
	HEXPECT_EQ(tlb.start, 0x2000);
	HEXPECT_EQ(tlb.end, 0xa000);
	tlb_change_range(&tlb, 0x20000, 0x21000);       /* a write-protected PTE, farther up */
	tlb_change_range(&tlb, 0x4000, 0x5000);         /* inside: changes nothing */
	HEXPECT_EQ(tlb.end, 0x21000);
	tlb_gather_end(&tlb);
	int c = nth(EV_CPU, 0);
	HASSERT_GE(c, 0);
	HEXPECT_EQ(env.ev[c].a, 0x2000);
	HEXPECT_EQ(env.ev[c].b, 0x21000);
	HEXPECT_EQ(count(EV_CPU), 1);
	expect_all_done(&tlb);
}

HTEST(one_flush_per_batch_even_past_the_inline_array)
{
	/* 300 pages: 32 inline, the rest in one allocated batch page; still one flush. */
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	for (int i = 0; i < 300; i++)
		remove_page(&tlb, i, va_of(i));
	HEXPECT_EQ(count(EV_BATCH_ALLOC), 1);
	HEXPECT_EQ(count(EV_CPU), 0);
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_CPU), 1);
	HEXPECT_EQ(count(EV_SEC), 1);
	HEXPECT_EQ(count(EV_PUT), 300);
	/* The batch page goes back after the pages it listed. */
	HEXPECT_GT(nth(EV_BATCH_FREE, 0), nth(EV_PUT, 299));
	HEXPECT_EQ(tlb.rounds, 1u);
	HEXPECT_EQ(vmstat.pages_freed, 300);
	HEXPECT_EQ(vmstat.gather_early_flushes, 0);
	expect_all_done(&tlb);
}

HTEST(full_batch_flushes_early_before_it_frees)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	tlb.limit = 8;
	for (int i = 0; i < 7; i++)
		remove_page(&tlb, i, va_of(i));
	HEXPECT_EQ(count(EV_CPU), 0);
	remove_page(&tlb, 7, va_of(7));                 /* the 8th fills the batch */
	HEXPECT_EQ(count(EV_CPU), 1);
	HEXPECT_EQ(count(EV_PUT), 8);
	HEXPECT_EQ(tlb.nr_pages, 0u);
	for (int i = 8; i < 20; i++)
		remove_page(&tlb, i, va_of(i));
	tlb_gather_end(&tlb);
	/* Three rounds, each flushing exactly its own pages' range. */
	HASSERT_EQ(count(EV_CPU), 3);
	static const int first[] = { 0, 8, 16 }, last[] = { 8, 16, 20 };
	for (int r = 0; r < 3; r++) {
		int c = nth(EV_CPU, r);
		HEXPECT_EQ(env.ev[c].a, va_of(first[r]));
		HEXPECT_EQ(env.ev[c].b, va_of(last[r]));
	}
	/* Each batch is put before the next one's pages are queued. */
	HEXPECT_LT(nth(EV_PUT, 7), nth(EV_QUEUE, 8));
	HEXPECT_LT(nth(EV_PUT, 15), nth(EV_QUEUE, 16));
	HEXPECT_EQ(vmstat.gather_early_flushes, 2);
	HEXPECT_EQ(vmstat.gather_batches, 3);
	HEXPECT_EQ(vmstat.pages_freed, 20);
	expect_all_done(&tlb);
}

HTEST(limit_override_hook_sets_the_batch_limit)
{
	setup();
	struct mmu_gather tlb;
	gather_limit_override = 5;
	tlb_gather_begin(&tlb, MM);
	HEXPECT_EQ(tlb.limit, 5u);
	for (int i = 0; i < 10; i++)
		remove_page(&tlb, i, va_of(i));
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_CPU), 2);
	HEXPECT_EQ(vmstat.gather_early_flushes, 2);     /* both batches filled up */
	expect_all_done(&tlb);
	gather_limit_override = 0;
	tlb_gather_begin(&tlb, MM);
	HEXPECT_EQ(tlb.limit, GATHER_DEFAULT_LIMIT);
	tlb_gather_end(&tlb);
}

HTEST(default_limit_flushes_early_at_1024_pages)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	for (int i = 0; i < GATHER_DEFAULT_LIMIT + 10; i++)
		remove_page(&tlb, i, va_of(i));
	HEXPECT_EQ(count(EV_CPU), 1);
	HEXPECT_EQ(count(EV_PUT), GATHER_DEFAULT_LIMIT);
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_CPU), 2);
	HEXPECT_EQ(vmstat.gather_early_flushes, 1);
	HEXPECT_EQ(vmstat.pages_freed, GATHER_DEFAULT_LIMIT + 10);
	expect_all_done(&tlb);
}

HTEST(failed_batch_page_allocation_flushes_early)
{
	setup();
	env.alloc_budget = 0;                           /* no memory for bookkeeping at all */
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	for (int i = 0; i < GATHER_INLINE; i++)
		remove_page(&tlb, i, va_of(i));
	HEXPECT_EQ(count(EV_CPU), 0);
	remove_page(&tlb, GATHER_INLINE, va_of(GATHER_INLINE));       /* no room: flush first */
	HEXPECT_EQ(env.alloc_refusals, 1);
	HEXPECT_EQ(count(EV_CPU), 1);
	HEXPECT_EQ(count(EV_PUT), GATHER_INLINE);       /* the inline array was emptied... */
	HEXPECT_EQ(tlb.nr_pages, 1u);                   /* ...and the new page queued */
	for (int i = GATHER_INLINE + 1; i < 40; i++)
		remove_page(&tlb, i, va_of(i));
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_PUT), 40);
	HEXPECT_EQ(count(EV_BATCH_ALLOC), 0);
	HEXPECT_EQ(vmstat.gather_early_flushes, 1);
	HEXPECT_EQ(vmstat.pages_freed, 40);
	expect_all_done(&tlb);
}

HTEST(failed_second_batch_page_flushes_early_each_time)
{
	setup();
	env.alloc_budget = 1;                           /* one batch page, then none */
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	int n = GATHER_INLINE + (int)BATCH_CAPACITY + 100;
	for (int i = 0; i < n; i++)
		remove_page(&tlb, i, va_of(i));
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_BATCH_ALLOC), 1);
	HEXPECT_GE(env.alloc_refusals, 1);
	HEXPECT_EQ(vmstat.gather_early_flushes, env.alloc_refusals);   /* one early flush per refusal */
	HEXPECT_EQ(count(EV_CPU), env.alloc_refusals + 1);
	/* The first early flush came when the inline array and the batch page were full. */
	HEXPECT_EQ(count(EV_PUT) , n);
	int c = nth(EV_CPU, 0);
	HEXPECT_EQ(env.ev[c].b, va_of(GATHER_INLINE + (int)BATCH_CAPACITY + 1));
	HEXPECT_EQ(vmstat.pages_freed, n);
	expect_all_done(&tlb);
}

HTEST(tables_are_freed_after_the_flush_that_says_so)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	for (int i = 0; i < 3; i++)
		remove_page(&tlb, i, va_of(i));
	remove_table(&tlb, 100);
	remove_table(&tlb, 101);
	HEXPECT_EQ(count(EV_TABLE_FREE), 0);
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_TABLE_FREE), 2);
	HASSERT_EQ(count(EV_CPU), 1);
	HEXPECT_TRUE(env.ev[nth(EV_CPU, 0)].flag);      /* freed_tables: lazy CPUs must flush too */
	HEXPECT_GT(nth(EV_TABLE_FREE, 0), nth(EV_SEC, 0));
	HEXPECT_EQ(vmstat.pt_pages_freed, 2);
	expect_all_done(&tlb);
}

HTEST(flush_without_tables_does_not_say_freed_tables)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	remove_page(&tlb, 0, va_of(0));
	tlb_gather_end(&tlb);
	HASSERT_EQ(count(EV_CPU), 1);
	HEXPECT_FALSE(env.ev[nth(EV_CPU, 0)].flag);
	HEXPECT_EQ(vmstat.pt_pages_freed, 0);
	expect_all_done(&tlb);
}

HTEST(many_tables_flush_early_before_they_are_freed)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	remove_page(&tlb, 0, va_of(0));
	for (int i = 0; i < GATHER_MAX_TABLES + 6; i++)
		remove_table(&tlb, 1000 + i);
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_TABLE_FREE), GATHER_MAX_TABLES + 6);
	HEXPECT_EQ(vmstat.pt_pages_freed, GATHER_MAX_TABLES + 6);
	expect_all_done(&tlb);          /* the rule: each table freed after a freed_tables flush */
}

HTEST(tables_alone_are_still_flushed_before_they_are_freed)
{
	/*
	 * Only tables, no PTE range pending (e.g. munmap of a range whose pages
	 * were already dropped by MADV_DONTNEED): a CPU may still cache the
	 * upper-level entries that pointed at them, so a flush must come first.
	 */
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	remove_table(&tlb, 200);
	remove_table(&tlb, 201);
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_TABLE_FREE), 2);
	HEXPECT_GE(count(EV_CPU), 1);
	expect_all_done(&tlb);
}

HTEST(tables_after_a_full_batch_are_still_flushed_before_they_are_freed)
{
	/* The last page fills the batch (flush, range reset), then pruning queues many tables. */
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	tlb.limit = 4;
	for (int i = 0; i < 4; i++)
		remove_page(&tlb, i, va_of(i));
	HEXPECT_EQ(count(EV_CPU), 1);
	for (int i = 0; i < GATHER_MAX_TABLES + 1; i++)
		remove_table(&tlb, 1000 + i);
	tlb_change_range(&tlb, va_of(0), va_of(1));     /* as unmap_vmas does after pruning */
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_TABLE_FREE), GATHER_MAX_TABLES + 1);
	expect_all_done(&tlb);
}

HTEST(explicit_flush_starts_a_new_range)
{
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	remove_page(&tlb, 0, 0x100000);
	remove_page(&tlb, 1, 0x101000);
	tlb_flush_mmu(&tlb);
	HEXPECT_EQ(count(EV_PUT), 2);
	HEXPECT_TRUE(tlb.start >= tlb.end);
	remove_page(&tlb, 2, 0x300000);
	tlb_gather_end(&tlb);
	HASSERT_EQ(count(EV_CPU), 2);
	int c = nth(EV_CPU, 1);
	HEXPECT_EQ(env.ev[c].a, 0x300000);              /* not widened by the first batch */
	HEXPECT_EQ(env.ev[c].b, 0x301000);
	HEXPECT_EQ(tlb.rounds, 2u);
	HEXPECT_EQ(vmstat.gather_early_flushes, 0);     /* asked for, not forced */
	expect_all_done(&tlb);
}

HTEST(without_notifiers_only_the_cpus_are_flushed)
{
	setup();
	env.notifiers = false;
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	for (int i = 0; i < 5; i++)
		remove_page(&tlb, i, va_of(i));
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_CPU), 1);
	HEXPECT_EQ(count(EV_SEC), 0);
	HEXPECT_EQ(env.has_notifier_calls, 1);          /* the whole cost: one test per flush */
	HEXPECT_EQ(count(EV_PUT), 5);
	expect_all_done(&tlb);
}

HTEST(the_same_page_queued_twice_is_put_twice)
{
	/* A page mapped at two addresses (fork, then both unmapped): two references go. */
	setup();
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	remove_page(&tlb, 7, 0x400000);
	remove_page(&tlb, 7, 0x800000);
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_PUT), 2);
	HEXPECT_EQ(env.ev[nth(EV_CPU, 0)].a, 0x400000);
	HEXPECT_EQ(env.ev[nth(EV_CPU, 0)].b, 0x801000);
	expect_all_done(&tlb);
}

HTEST(mixed_workload_leaves_nothing_behind)
{
	/* Pages, tables, range changes, a small limit and a flaky allocator, all at once. */
	setup();
	env.alloc_budget = 2;
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, MM);
	tlb.limit = 700;
	int t = 3000;
	for (int i = 0; i < 2500; i++) {
		remove_page(&tlb, i, va_of((i * 7919) % 2500));        /* scattered addresses */
		if (i % 97 == 0)
			remove_table(&tlb, t++);
		if (i % 31 == 0)
			tlb_change_range(&tlb, va_of(i) + 0x10000000, va_of(i) + 0x10001000);
	}
	tlb_gather_end(&tlb);
	HEXPECT_EQ(count(EV_PUT), 2500);
	HEXPECT_EQ(count(EV_TABLE_FREE), t - 3000);
	HEXPECT_EQ(vmstat.pages_freed, 2500);
	HEXPECT_EQ(vmstat.pt_pages_freed, t - 3000);
	HEXPECT_GE(vmstat.gather_early_flushes, 3);
	expect_all_done(&tlb);
}

HTEST_MAIN(mmu_gather)
