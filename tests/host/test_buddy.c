/*
 * test_buddy.c - the buddy allocator (kernel/mm/buddy.c) on the host.
 *
 * buddy.c is pure logic over an array of struct page, so no frames are
 * needed: each test builds an allocator over a calloc'd page array and
 * checks allocation of every order, alignment, splitting, coalescing,
 * exhaustion, odd and holey ranges, a non-zero base frame, and a long
 * randomized run that checks live blocks never overlap. buddy_check() must
 * report a sound allocator after every step.
 */
#include "tests/host/host_ktap.h"
#include "kernel/mm/buddy.h"
#include <stdlib.h>
#include <string.h>

#define NPAGES 1024u            /* one order-10 block */

struct fixture {
	struct buddy b;
	struct page *pages;
	u64 nfree0[BUDDY_MAX_ORDER];    /* free counts right after set-up */
	u64 free0;
};

/* An allocator over frames [base, base+npages), nothing added yet. */
static void fx_init(struct fixture *f, u64 base, u64 npages)
{
	f->pages = calloc(npages, sizeof *f->pages);
	HASSERT_NOT_NULL(f->pages);
	buddy_init(&f->b, f->pages, base, npages);
}

/* Remember the current free counts as the baseline. */
static void fx_snapshot(struct fixture *f)
{
	memcpy(f->nfree0, f->b.nfree, sizeof f->nfree0);
	f->free0 = f->b.free_pages;
}

/* Frames [base, base+npages), all added. */
static void fx_full(struct fixture *f, u64 base, u64 npages)
{
	fx_init(f, base, npages);
	buddy_add_range(&f->b, base, npages);
	HEXPECT_EQ(buddy_check(&f->b), 0);
	fx_snapshot(f);
}

/* An allocated block and its order. */
struct live {
	struct page *p;
	unsigned order;
};

static void fx_free(struct fixture *f)
{
	free(f->pages);
	f->pages = NULL;
}

/* Free counts are back to the baseline. */
static void expect_baseline(const struct fixture *f)
{
	HEXPECT_EQ(buddy_check(&f->b), 0);
	HEXPECT_EQ(f->b.free_pages, f->free0);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		if (!HEXPECT_EQ(f->b.nfree[k], f->nfree0[k]))
			htest_diag("order %u", k);
}

static u64 pfn_of(const struct fixture *f, const struct page *p) { return buddy_pfn(&f->b, p); }

/* Allocate and check what every allocated block must satisfy. */
static struct page *alloc_checked(struct fixture *f, unsigned order)
{
	struct page *p = buddy_alloc(&f->b, order);
	HASSERT_EQ(buddy_check(&f->b), 0);
	if (!p)
		return NULL;
	u64 pfn = pfn_of(f, p);
	HEXPECT_EQ(pfn & ((1ull << order) - 1), 0);
	HEXPECT_GE(pfn, f->b.base_pfn);
	HEXPECT_LE(pfn + (1ull << order), f->b.base_pfn + f->b.npages);
	HEXPECT_EQ(p->flags, PG_allocated);
	HEXPECT_EQ(p->order, order);
	HEXPECT_EQ(p->refcount, 1);
	return p;
}

static void free_checked(struct fixture *f, struct page *p, unsigned order)
{
	buddy_free(&f->b, p, order);
	HASSERT_EQ(buddy_check(&f->b), 0);
}

HTEST(init_everything_reserved)
{
	struct fixture f;
	fx_init(&f, 0, NPAGES);
	HEXPECT_EQ(f.b.free_pages, 0);
	HEXPECT_EQ(buddy_check(&f.b), 0);
	for (u64 i = 0; i < NPAGES; i++)
		HASSERT_EQ(f.pages[i].flags, PG_reserved);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		HEXPECT_NULL(buddy_alloc(&f.b, k));
	fx_free(&f);
}

HTEST(add_aligned_range_is_one_block)
{
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	HEXPECT_EQ(f.b.free_pages, NPAGES);
	for (unsigned k = 0; k + 1 < BUDDY_MAX_ORDER; k++)
		HEXPECT_EQ(f.b.nfree[k], 0);
	HEXPECT_EQ(f.b.nfree[BUDDY_MAX_ORDER - 1], 1);
	HEXPECT_EQ(f.pages[0].flags, PG_buddy);
	fx_free(&f);
}

HTEST(alloc_free_every_order)
{
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		struct page *p = alloc_checked(&f, k);
		HASSERT_NOT_NULL(p);
		HEXPECT_EQ(f.b.free_pages, NPAGES - (1u << k));
		free_checked(&f, p, k);
		HEXPECT_EQ(p->flags & PG_allocated, 0);
		expect_baseline(&f);
	}
	HEXPECT_NULL(buddy_alloc(&f.b, BUDDY_MAX_ORDER));
	HEXPECT_NULL(buddy_alloc(&f.b, 200));
	expect_baseline(&f);
	fx_free(&f);
}

/* Allocate every block of one order: 2^(10-k) of them, all aligned and distinct. */
HTEST(fill_with_each_order)
{
	static struct page *got[NPAGES];
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		u64 n = 0;
		struct page *p;
		while ((p = alloc_checked(&f, k)) != NULL)
			got[n++] = p;
		HEXPECT_EQ(n, NPAGES >> k);
		HEXPECT_EQ(f.b.free_pages, 0);
		for (u64 i = 0; i < n; i++)
			free_checked(&f, got[i], k);
		expect_baseline(&f);
	}
	fx_free(&f);
}

HTEST(split_keeps_lower_half)
{
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	struct page *p = alloc_checked(&f, 0);
	HASSERT_NOT_NULL(p);
	HEXPECT_EQ(pfn_of(&f, p), 0);
	/* one free block of each order 0..9 remains: 1 + 2 + ... + 512 = 1023 */
	for (unsigned k = 0; k + 1 < BUDDY_MAX_ORDER; k++) {
		HEXPECT_EQ(f.b.nfree[k], 1);
		HEXPECT_EQ(f.pages[1u << k].flags, PG_buddy);
		HEXPECT_EQ(f.pages[1u << k].order, k);
	}
	HEXPECT_EQ(f.b.nfree[BUDDY_MAX_ORDER - 1], 0);
	struct page *q = alloc_checked(&f, 0);
	HASSERT_NOT_NULL(q);
	HEXPECT_EQ(pfn_of(&f, q), 1);   /* the order-0 buddy, no new split */
	HEXPECT_EQ(f.b.nfree[0], 0);
	free_checked(&f, p, 0);
	free_checked(&f, q, 0);
	expect_baseline(&f);
	fx_free(&f);
}

HTEST(buddies_merge_only_when_both_free)
{
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	struct page *a = alloc_checked(&f, 0), *b = alloc_checked(&f, 0);
	struct page *c = alloc_checked(&f, 0);
	HASSERT_TRUE(a && b && c);
	HEXPECT_EQ(pfn_of(&f, a) ^ 1, pfn_of(&f, b));   /* a and b are buddies */
	free_checked(&f, a, 0);
	HEXPECT_EQ(a->flags, PG_buddy);                 /* b is in use: no merge */
	HEXPECT_EQ(a->order, 0);
	free_checked(&f, b, 0);                         /* merges a+b into order 1 */
	HEXPECT_EQ(f.pages[0].flags, PG_buddy);
	HEXPECT_EQ(f.pages[0].order, 1);
	HEXPECT_EQ(f.pages[1].flags, 0);                /* a tail page is no head */
	free_checked(&f, c, 0);
	expect_baseline(&f);
	fx_free(&f);
}

/* xorshift64 from a fixed seed: every run makes the same choices. */
static u64 rng_state = 0x9e3779b97f4a7c15ull;
static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Fisher-Yates shuffle of v[0..n). */
static void shuffle(struct page **v, u64 n)
{
	for (u64 i = n; i > 1; i--) {
		u64 j = rng() % i;
		struct page *t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

HTEST(coalesce_in_any_order)
{
	static struct page *got[NPAGES];
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	for (int round = 0; round < 4; round++) {
		for (u64 i = 0; i < NPAGES; i++)
			HASSERT_NOT_NULL(got[i] = alloc_checked(&f, 0));
		shuffle(got, NPAGES);
		for (u64 i = 0; i < NPAGES; i++)
			free_checked(&f, got[i], 0);
		expect_baseline(&f);
		HEXPECT_EQ(f.b.nfree[BUDDY_MAX_ORDER - 1], 1);
	}
	fx_free(&f);
}

HTEST(exhaustion_returns_null_and_recovers)
{
	static struct page *got[NPAGES];
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	u64 n = 0;
	struct page *p;
	while ((p = alloc_checked(&f, 0)) != NULL) {
		HASSERT_LT(n, NPAGES);
		got[n++] = p;
	}
	HEXPECT_EQ(n, NPAGES);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		HEXPECT_NULL(buddy_alloc(&f.b, k));
	free_checked(&f, got[6], 0);                    /* one frame back: order 0 only */
	HEXPECT_NULL(buddy_alloc(&f.b, 1));
	HASSERT_NOT_NULL(p = alloc_checked(&f, 0));
	HEXPECT_EQ(p, got[6]);
	for (u64 i = 0; i < n; i++)
		free_checked(&f, got[i], 0);
	expect_baseline(&f);
	HASSERT_NOT_NULL(p = alloc_checked(&f, BUDDY_MAX_ORDER - 1));
	free_checked(&f, p, BUDDY_MAX_ORDER - 1);
	fx_free(&f);
}

/* Every free block lies inside frames [lo, hi). */
static void expect_free_within(const struct fixture *f, u64 lo, u64 hi)
{
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		struct list_head *pos;
		list_for_each(pos, &f->b.free[k]) {
			const struct page *p = list_entry(pos, struct page, list);
			u64 pfn = pfn_of(f, p);
			HEXPECT_GE(pfn, lo);
			HEXPECT_LE(pfn + (1ull << k), hi);
		}
	}
}

/* Allocate every frame one by one: each comes from [lo, hi), once. Frees them; returns the count. */
static u64 drain_order0(struct fixture *f, u64 lo, u64 hi)
{
	u64 n = 0;
	struct page *p;
	char *seen = calloc(f->b.npages, 1);
	HASSERT_NOT_NULL(seen);
	while ((p = alloc_checked(f, 0)) != NULL) {
		u64 i = (u64)(p - f->pages);
		HEXPECT_GE(f->b.base_pfn + i, lo);
		HEXPECT_LT(f->b.base_pfn + i, hi);
		HEXPECT_EQ(seen[i], 0);
		seen[i] = 1;
		n++;
	}
	for (u64 i = 0; i < f->b.npages; i++)
		if (seen[i])
			free_checked(f, &f->pages[i], 0);
	free(seen);
	return n;
}

HTEST(add_misaligned_odd_range)
{
	struct fixture f;
	fx_init(&f, 0, NPAGES);
	buddy_add_range(&f.b, 3, 1000);         /* [3, 1003): ragged at both ends */
	HEXPECT_EQ(buddy_check(&f.b), 0);
	fx_snapshot(&f);
	HEXPECT_EQ(f.b.free_pages, 1000);
	HEXPECT_EQ(f.b.nfree[BUDDY_MAX_ORDER - 1], 0);
	expect_free_within(&f, 3, 1003);
	for (u64 pfn = 0; pfn < 3; pfn++)
		HEXPECT_EQ(f.pages[pfn].flags, PG_reserved);
	for (u64 pfn = 1003; pfn < NPAGES; pfn++)
		HEXPECT_EQ(f.pages[pfn].flags, PG_reserved);
	HEXPECT_EQ(drain_order0(&f, 3, 1003), 1000);
	expect_baseline(&f);
	fx_free(&f);
}

/* Take blocks largest first until none is left: none may touch the hole [100, 200). */
HTEST(ranges_with_a_hole_never_merge_across)
{
	static struct live got[NPAGES];
	struct fixture f;
	fx_init(&f, 0, NPAGES);
	buddy_add_range(&f.b, 0, 100);
	buddy_add_range(&f.b, 200, NPAGES - 200);
	HEXPECT_EQ(buddy_check(&f.b), 0);
	fx_snapshot(&f);
	HEXPECT_EQ(f.b.free_pages, NPAGES - 100);
	HEXPECT_EQ(f.b.nfree[BUDDY_MAX_ORDER - 1], 0);
	u64 n = 0, frames = 0;
	for (int k = BUDDY_MAX_ORDER - 1; k >= 0; k--) {
		struct page *p;
		while ((p = alloc_checked(&f, (unsigned)k)) != NULL) {
			u64 pfn = pfn_of(&f, p), end = pfn + (1ull << k);
			HEXPECT_TRUE(end <= 100 || pfn >= 200);
			got[n++] = (struct live){ p, (unsigned)k };
			frames += 1ull << k;
		}
	}
	HEXPECT_EQ(frames, NPAGES - 100);
	for (u64 pfn = 100; pfn < 200; pfn++)
		HEXPECT_EQ(f.pages[pfn].flags, PG_reserved);
	for (u64 i = 0; i < n; i++)
		free_checked(&f, got[i].p, got[i].order);
	expect_baseline(&f);
	fx_free(&f);
}

HTEST(adjacent_ranges_merge)
{
	struct fixture f;
	fx_init(&f, 0, NPAGES);
	buddy_add_range(&f.b, 512, 512);
	buddy_add_range(&f.b, 0, 1);
	buddy_add_range(&f.b, 1, 511);
	HEXPECT_EQ(buddy_check(&f.b), 0);
	HEXPECT_EQ(f.b.free_pages, NPAGES);
	HEXPECT_EQ(f.b.nfree[BUDDY_MAX_ORDER - 1], 1);
	fx_free(&f);
}

HTEST(nonzero_base_pfn_alignment_is_absolute)
{
	static struct page *got[NPAGES];
	const u64 base = 0x12345;               /* odd: aligned blocks start inside */
	struct fixture f;
	fx_full(&f, base, NPAGES);
	HEXPECT_EQ(f.b.free_pages, NPAGES);
	HEXPECT_EQ(f.b.nfree[BUDDY_MAX_ORDER - 1], 0);   /* not 1024-aligned */
	expect_free_within(&f, base, base + NPAGES);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER - 1; k++) {
		u64 n = 0;
		struct page *p;
		while ((p = alloc_checked(&f, k)) != NULL)
			got[n++] = p;
		HEXPECT_GT(n, 0);
		HEXPECT_LE(n << k, NPAGES);
		for (u64 i = 0; i < n; i++)
			free_checked(&f, got[i], k);
		expect_baseline(&f);
	}
	HEXPECT_NULL(buddy_alloc(&f.b, BUDDY_MAX_ORDER - 1));
	fx_free(&f);
}

HTEST(check_detects_corruption)
{
	struct fixture f;
	fx_full(&f, 0, NPAGES);
	struct page *p = alloc_checked(&f, 3);
	HASSERT_NOT_NULL(p);
	f.b.nfree[3]++;
	HEXPECT_EQ(buddy_check(&f.b), 3);       /* count disagrees with the list */
	f.b.nfree[3]--;
	f.b.free_pages++;
	HEXPECT_EQ(buddy_check(&f.b), 4);       /* total disagrees */
	f.b.free_pages--;
	f.pages[8].order = 2;
	HEXPECT_EQ(buddy_check(&f.b), 1);       /* flags/order disagree with the list */
	f.pages[8].order = 3;
	HEXPECT_EQ(buddy_check(&f.b), 0);
	free_checked(&f, p, 3);
	expect_baseline(&f);
	fx_free(&f);
}

/* ---- randomized stress ---- */

struct stress {
	struct fixture f;
	struct live live[NPAGES];
	u64 nlive;
	u64 live_pages;
	u64 allocs, failed;     /* to check the run exercised both */
	int *owner;             /* per frame: 1 while a live block holds it */
};

static unsigned random_order(void)
{
	u64 r = rng() % 100;
	return r < 50 ? 0 : r < 70 ? 1 : r < 82 ? 2 : r < 90 ? 3 : (unsigned)(rng() % BUDDY_MAX_ORDER);
}

static void mark(struct stress *s, struct page *p, unsigned order, int v)
{
	u64 i0 = (u64)(p - s->f.pages);
	for (u64 i = i0; i < i0 + (1ull << order); i++) {
		if (v)
			HEXPECT_EQ(s->owner[i], 0);     /* overlap with a live block */
		s->owner[i] = v;
	}
}

static void stress_alloc(struct stress *s)
{
	unsigned order = random_order();
	struct page *p = alloc_checked(&s->f, order);
	if (!p) {
		s->failed++;
		return;
	}
	s->allocs++;
	mark(s, p, order, 1);
	s->live[s->nlive++] = (struct live){ p, order };
	s->live_pages += 1ull << order;
}

static void stress_free(struct stress *s)
{
	u64 i = rng() % s->nlive;
	struct live l = s->live[i];
	s->live[i] = s->live[--s->nlive];
	mark(s, l.p, l.order, 0);
	free_checked(&s->f, l.p, l.order);
	s->live_pages -= 1ull << l.order;
}

static void stress_run(u64 base, u64 lo, u64 n, int ops)
{
	static struct stress s;
	memset(&s, 0, sizeof s);
	fx_init(&s.f, base, NPAGES);
	buddy_add_range(&s.f.b, lo, n);
	fx_snapshot(&s.f);
	s.owner = calloc(NPAGES, sizeof *s.owner);
	HASSERT_NOT_NULL(s.owner);
	for (int op = 0; op < ops; op++) {
		if (s.nlive && (s.nlive == NPAGES || rng() % 100 < 45))
			stress_free(&s);
		else
			stress_alloc(&s);
		HASSERT_EQ(s.f.b.free_pages + s.live_pages, n);
		if (htest_failures())
			htest_abort_test();
	}
	HEXPECT_GT(s.allocs, (u64)ops / 3);
	HEXPECT_GT(s.failed, 0);        /* it ran into exhaustion too */
	htest_diag("%llu allocations, %llu refused", (unsigned long long)s.allocs,
		   (unsigned long long)s.failed);
	while (s.nlive)
		stress_free(&s);
	expect_baseline(&s.f);
	free(s.owner);
	fx_free(&s.f);
}

HTEST(random_stress_aligned)
{
	stress_run(0, 0, NPAGES, 20000);
}

HTEST(random_stress_odd_base_and_range)
{
	stress_run(0x777, 0x777 + 5, NPAGES - 9, 20000);
}

HTEST_MAIN(buddy)
