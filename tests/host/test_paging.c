/*
 * test_paging.c - the 4-level page-table walks of arch/x86_64/paging.c on
 * the host.
 *
 * Under -DSECUNDUS_HOST paging.c reads a table at "physical" address pa
 * through PHYS_TO_VIRT(pa) == pa, so a table here is a page from
 * aligned_alloc(4096, 4096) and its physical address is simply the host
 * pointer. This file provides pt_alloc_table()/pt_free_table() (the
 * caller's allocator) and keeps a list of the live tables, so every test
 * can check which tables were made, which were handed back by
 * pt_prune_empty() (they are free()d at once: AddressSanitizer then
 * reports any later read of them), and that none is left at the end.
 *
 * Checked: walks that create nothing, mappings across PT (2 MiB), PD
 * (1 GiB) and PML4 (512 GiB) boundaries, flags and offsets kept, unmap
 * returning the old entry, allocation failure, pruning exactly the empty
 * tables (never the root, never a table that still holds an entry, not
 * even a PROT_NONE one), walks over the whole user half that skip missing
 * tables, and that the kernel half (PML4 entries 256..511) is never
 * visited, counted or freed.
 */
#include "tests/host/host_ktap.h"
#include "arch/x86_64/paging.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TABLES 4096
#define KB4 0x1000ull
#define MB2 (1ull << 21)
#define GB1 (1ull << 30)
#define GB512 (1ull << 39)
#define KERNEL_BASE 0xffff800000000000ull       /* PML4 index 256 */
#define USER_FLAGS (PTE_W | PTE_U | PTE_NX)

/* ------------------------------------------------------------------ the table allocator */

static struct {
	paddr_t live[MAX_TABLES];       /* tables allocated and not yet freed */
	int nlive;
	int allocs;                     /* pt_alloc_table calls that succeeded */
	int fail_at;                    /* >0: the fail_at-th allocation from now fails */
	paddr_t freed[MAX_TABLES];      /* tables handed to the prune callback, in order */
	int nfreed;
	paddr_t root;                   /* never to be freed */
} tb;

static int live_index(paddr_t t)
{
	for (int i = 0; i < tb.nlive; i++)
		if (tb.live[i] == t)
			return i;
	return -1;
}

static bool is_live(paddr_t t) { return live_index(t) >= 0; }

static void forget(paddr_t t)
{
	int i = live_index(t);
	if (i >= 0)
		tb.live[i] = tb.live[--tb.nlive];
}

static paddr_t new_table(void)
{
	void *p = aligned_alloc(4096, 4096);
	if (!p)
		abort();
	memset(p, 0, 4096);
	if (tb.nlive == MAX_TABLES)
		abort();
	tb.live[tb.nlive++] = (paddr_t)(uintptr_t)p;
	return (paddr_t)(uintptr_t)p;
}

paddr_t pt_alloc_table(void *ctx)
{
	(void)ctx;
	if (tb.fail_at > 0 && --tb.fail_at == 0)
		return 0;
	tb.allocs++;
	return new_table();
}

void pt_free_table(void *ctx, paddr_t table)
{
	(void)ctx;
	forget(table);
	free((void *)(uintptr_t)table);
}

/* The prune callback: record, check, and free at once (a later read is a use-after-free). */
static void freed_cb(void *ctx, paddr_t t)
{
	HEXPECT_EQ(ctx, (void *)&tb);
	HEXPECT_NE(t, tb.root);
	HEXPECT_TRUE(is_live(t));
	HEXPECT_EQ(t & 0xfff, 0);
	if (tb.nfreed < MAX_TABLES)
		tb.freed[tb.nfreed++] = t;
	pt_free_table(NULL, t);
}

static bool was_freed(paddr_t t)
{
	for (int i = 0; i < tb.nfreed; i++)
		if (tb.freed[i] == t)
			return true;
	return false;
}

static pte_t *tab(paddr_t t) { return (pte_t *)(uintptr_t)t; }

/* Left over by a test that ended early (HASSERT): free it quietly. */
static void reset(void)
{
	while (tb.nlive)
		pt_free_table(NULL, tb.live[tb.nlive - 1]);
	memset(&tb, 0, sizeof tb);
}

/* A fresh empty root (counted as live, but not as an allocation by paging.c). */
static paddr_t setup(void)
{
	reset();
	tb.root = new_table();
	return tb.root;
}

/* Free every table reachable from t (all 512 entries: kernel half too), then t. */
static void free_tree(paddr_t t, int level)
{
	for (int i = 0; i < PT_ENTRIES && level > 1; i++) {
		pte_t e = tab(t)[i];
		if (pte_present(e) && !(e & PTE_PS))
			free_tree(pte_addr(e), level - 1);
	}
	pt_free_table(NULL, t);
}

/* End of a test: every table allocated must still be reachable from the root (else it leaked). */
static void teardown(paddr_t root)
{
	free_tree(root, PT_LEVELS);
	HEXPECT_EQ(tb.nlive, 0);        /* tables allocated but no longer linked anywhere */
	reset();
}

/* The entry of `va` in the table at `level` below root, or NULL if a table on the way is missing. */
static pte_t *entry_at(paddr_t root, vaddr_t va, int level)
{
	paddr_t t = root;
	for (int l = PT_LEVELS; l > level; l--) {
		pte_t e = tab(t)[pt_index(va, l)];
		if (!pte_present(e))
			return NULL;
		t = pte_addr(e);
	}
	return &tab(t)[pt_index(va, level)];
}

/* The table that holds va's entries at `level` (1 = its PT). 0 if missing. */
static paddr_t table_at(paddr_t root, vaddr_t va, int level)
{
	if (level == PT_LEVELS)
		return root;
	pte_t *e = entry_at(root, va, level + 1);
	return e && pte_present(*e) ? pte_addr(*e) : 0;
}

/* A fake frame address for page i (never dereferenced: leaves are not followed). */
static paddr_t frame(u64 i) { return 0x40000000ull + i * KB4; }

/* ------------------------------------------------------------------ walks and mappings */

HTEST(walk_without_create_allocates_nothing)
{
	paddr_t root = setup();
	HEXPECT_NULL(pt_walk(root, 0x400000, false, NULL));
	HEXPECT_NULL(pt_walk(root, USER_TOP - KB4, false, NULL));
	HEXPECT_EQ(pt_translate(root, 0x400000, NULL), 0);
	HEXPECT_EQ(pt_unmap(root, 0x400000), 0);
	HEXPECT_EQ(tb.allocs, 0);
	HEXPECT_EQ(pt_count_tables(root), 0);
	teardown(root);
}

HTEST(walk_with_create_makes_three_tables_once)
{
	paddr_t root = setup();
	pte_t *e = pt_walk(root, 0x400000, true, NULL);
	HASSERT_NOT_NULL(e);
	HEXPECT_EQ(*e, 0);              /* a fresh leaf: nothing mapped yet */
	HEXPECT_EQ(tb.allocs, 3);       /* PDPT, PD, PT */
	HEXPECT_EQ(pt_count_tables(root), 3);
	/* The leaf really lives in the PT reached through the three levels. */
	HEXPECT_EQ(e, entry_at(root, 0x400000, 1));
	/* Intermediate entries are present, writable and user: the leaf decides the rights. */
	for (int level = PT_LEVELS; level > 1; level--) {
		pte_t *up = entry_at(root, 0x400000, level);
		HASSERT_NOT_NULL(up);
		HEXPECT_EQ(*up & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);
		HEXPECT_FALSE(*up & PTE_NX);
		HEXPECT_TRUE(is_live(pte_addr(*up)));
	}
	/* Walking again (or a neighbour in the same PT) creates nothing more. */
	HEXPECT_EQ(pt_walk(root, 0x400000, true, NULL), e);
	HEXPECT_EQ(pt_walk(root, 0x401000, true, NULL), e + 1);
	HEXPECT_EQ(tb.allocs, 3);
	teardown(root);
}

HTEST(map_translate_keeps_flags_and_offset)
{
	paddr_t root = setup();
	HASSERT_EQ(pt_map(root, 0x400000, frame(7), USER_FLAGS, NULL), 0);
	HASSERT_EQ(pt_map(root, 0x401000, frame(8), PTE_U, NULL), 0);   /* read-only, executable */
	u64 flags = 0;
	HEXPECT_EQ(pt_translate(root, 0x400123, &flags), frame(7) + 0x123);
	HEXPECT_EQ(flags, PTE_P | USER_FLAGS);
	HEXPECT_EQ(pt_translate(root, 0x401fff, &flags), frame(8) + 0xfff);
	HEXPECT_EQ(flags, PTE_P | PTE_U);
	HEXPECT_EQ(pt_translate(root, 0x402000, &flags), 0);
	/* The entry itself: frame | flags | P; the frame's low bits never leak into the flags. */
	HEXPECT_EQ(*pt_walk(root, 0x400000, false, NULL), frame(7) | USER_FLAGS | PTE_P);
	HASSERT_EQ(pt_map(root, 0x402000, frame(9) | 0xabc, PTE_U, NULL), 0);
	HEXPECT_EQ(*pt_walk(root, 0x402000, false, NULL), frame(9) | PTE_U | PTE_P);
	/* Remapping replaces the entry. */
	HASSERT_EQ(pt_map(root, 0x400000, frame(10), PTE_U, NULL), 0);
	HEXPECT_EQ(pt_translate(root, 0x400000, &flags), frame(10));
	HEXPECT_EQ(flags, PTE_P | PTE_U);
	HEXPECT_EQ(pt_count_present(root, 0, USER_TOP), 3);
	teardown(root);
}

HTEST(translate_without_flags_pointer)
{
	paddr_t root = setup();
	HASSERT_EQ(pt_map(root, 0x7000, frame(1), PTE_U, NULL), 0);
	HEXPECT_EQ(pt_translate(root, 0x7042, NULL), frame(1) + 0x42);
	teardown(root);
}

/* Two neighbouring pages on either side of a boundary: how many tables each side needs. */
static void check_boundary(vaddr_t boundary, int tables)
{
	paddr_t root = setup();
	HASSERT_EQ(pt_map(root, boundary - KB4, frame(1), USER_FLAGS, NULL), 0);
	HASSERT_EQ(pt_map(root, boundary, frame(2), USER_FLAGS, NULL), 0);
	HEXPECT_EQ(tb.allocs, tables);
	HEXPECT_EQ(pt_count_tables(root), tables);
	HEXPECT_EQ(pt_translate(root, boundary - KB4, NULL), frame(1));
	HEXPECT_EQ(pt_translate(root, boundary, NULL), frame(2));
	HEXPECT_NE(table_at(root, boundary - KB4, 1), table_at(root, boundary, 1));
	/* The two leaves sit at the last and the first slot of their PTs. */
	HEXPECT_EQ(pt_index(boundary - KB4, 1), 511);
	HEXPECT_EQ(pt_index(boundary, 1), 0);
	HEXPECT_EQ(pt_count_present(root, 0, USER_TOP), 2);
	HEXPECT_EQ(pt_count_present(root, boundary, boundary + KB4), 1);
	HEXPECT_EQ(pt_count_present(root, boundary - KB4, boundary), 1);
	teardown(root);
}

HTEST(map_across_pt_boundary)
{
	check_boundary(16 * MB2, 4);            /* one PDPT, one PD, two PTs */
}

HTEST(map_across_pd_boundary)
{
	check_boundary(3 * GB1, 5);             /* one PDPT, two PDs, two PTs */
}

HTEST(map_across_pml4_boundary)
{
	check_boundary(GB512, 6);               /* two of each */
	paddr_t root = setup();
	HASSERT_EQ(pt_map(root, GB512 - KB4, frame(1), PTE_U, NULL), 0);
	HASSERT_EQ(pt_map(root, GB512, frame(2), PTE_U, NULL), 0);
	HEXPECT_TRUE(pte_present(tab(root)[0]));
	HEXPECT_TRUE(pte_present(tab(root)[1]));
	HEXPECT_FALSE(pte_present(tab(root)[2]));
	teardown(root);
}

HTEST(unmap_returns_old_entry)
{
	paddr_t root = setup();
	HASSERT_EQ(pt_map(root, 0x600000, frame(3), USER_FLAGS | PTE_A | PTE_D, NULL), 0);
	HEXPECT_EQ(pt_unmap(root, 0x600000), frame(3) | USER_FLAGS | PTE_A | PTE_D | PTE_P);
	HEXPECT_EQ(pt_unmap(root, 0x600000), 0);        /* already gone */
	HEXPECT_EQ(pt_translate(root, 0x600000, NULL), 0);
	pte_t *e = pt_walk(root, 0x600000, false, NULL);
	HASSERT_NOT_NULL(e);            /* the tables stay... */
	HEXPECT_EQ(*e, 0);              /* ...the entry is cleared */
	/* A neighbour without a mapping (same PT) and a far address (no tables) return 0. */
	HEXPECT_EQ(pt_unmap(root, 0x601000), 0);
	HEXPECT_EQ(pt_unmap(root, 5 * GB512), 0);
	/* Unmapping never frees tables: that is pruning's job. */
	HEXPECT_EQ(pt_count_tables(root), 3);
	HEXPECT_EQ(tb.nfreed, 0);
	teardown(root);
}

HTEST(unmap_returns_non_present_entry_too)
{
	/* A PROT_NONE page: P clear, software bit and frame kept. The caller must get it back. */
	paddr_t root = setup();
	pte_t *e = pt_walk(root, 0x800000, true, NULL);
	HASSERT_NOT_NULL(e);
	*e = frame(4) | PTE_U | PTE_SW_PROTNONE;
	HEXPECT_EQ(pt_translate(root, 0x800000, NULL), 0);      /* not present: no translation */
	HEXPECT_EQ(pt_count_present(root, 0, USER_TOP), 0);
	HEXPECT_EQ(pt_unmap(root, 0x800000), frame(4) | PTE_U | PTE_SW_PROTNONE);
	HEXPECT_EQ(*e, 0);
	teardown(root);
}

HTEST(map_fails_cleanly_when_a_table_cannot_be_allocated)
{
	paddr_t root = setup();
	tb.fail_at = 2;                 /* the PDPT is made, the PD is refused */
	HEXPECT_EQ(pt_map(root, 0x400000, frame(1), PTE_U, NULL), -1);
	HEXPECT_EQ(tb.allocs, 1);
	HEXPECT_EQ(pt_count_tables(root), 1);
	HEXPECT_EQ(pt_translate(root, 0x400000, NULL), 0);
	tb.fail_at = 1;
	HEXPECT_NULL(pt_walk(root, 0x400000, true, NULL));
	/* The half-built path is still linked (nothing leaked) and pruning removes it. */
	HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 1);
	HEXPECT_EQ(pt_count_tables(root), 0);
	HEXPECT_EQ(tab(root)[0], 0);
	/* And with memory back, the same map works. */
	HEXPECT_EQ(pt_map(root, 0x400000, frame(1), PTE_U, NULL), 0);
	HEXPECT_EQ(pt_translate(root, 0x400000, NULL), frame(1));
	teardown(root);
}

HTEST(walk_stops_at_a_large_page)
{
	/* A 2 MiB page in a PD entry is not a user mapping the walks manage: none goes below it. */
	paddr_t root = setup();
	HASSERT_NOT_NULL(pt_walk(root, 0x400000, true, NULL));
	pte_t *pd = entry_at(root, 0x400000, 2);
	HASSERT_NOT_NULL(pd);
	paddr_t pt = pte_addr(*pd);
	pt_free_table(NULL, pt);
	*pd = 0x40000000ull | PTE_P | PTE_W | PTE_U | PTE_PS;
	HEXPECT_NULL(pt_walk(root, 0x400000, false, NULL));
	HEXPECT_NULL(pt_walk(root, 0x400000, true, NULL));
	HEXPECT_EQ(pt_map(root, 0x401000, frame(1), PTE_U, NULL), -1);
	HEXPECT_EQ(pt_count_tables(root), 2);                   /* PDPT and PD; the large page is no table */
	HEXPECT_EQ(pt_count_present(root, 0, USER_TOP), 0);
	HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 0);   /* the PD is not empty */
	*pd = 0;                        /* free_tree must not follow it */
	teardown(root);
}

/* ------------------------------------------------------------------ pt_for_each_leaf */

struct visits {
	int n;
	vaddr_t va[64];
	pte_t val[64];
	bool clear;                     /* clear each entry visited */
};

static void visit(pte_t *e, vaddr_t va, void *arg)
{
	struct visits *v = arg;
	if (v->n < 64) {
		v->va[v->n] = va;
		v->val[v->n] = *e;
	}
	v->n++;
	if (v->clear)
		*e = 0;
}

/* The process address map: text, heap, mmap area, stack top. */
static const vaddr_t layout[] = {
	0x400000, 0x401000, 0x600000, 0x100000000000ull, 0x100000001000ull, 0x7ffffff00000ull - KB4,
};

static paddr_t map_layout(void)
{
	paddr_t root = setup();
	for (unsigned i = 0; i < sizeof layout / sizeof layout[0]; i++)
		if (pt_map(root, layout[i], frame(i), USER_FLAGS, NULL))
			return 0;
	return root;
}

HTEST(for_each_leaf_visits_in_order_with_addresses)
{
	paddr_t root = map_layout();
	HASSERT_NE(root, 0);
	struct visits v = { 0 };
	pt_for_each_leaf(root, 0, USER_TOP, visit, &v);
	HASSERT_EQ(v.n, 6);
	for (int i = 0; i < 6; i++) {
		HEXPECT_EQ(v.va[i], layout[i]);
		HEXPECT_EQ(v.val[i], frame(i) | USER_FLAGS | PTE_P);
	}
	/* 3 top-level slots (0, 32 and 255) each need a PDPT, a PD and a PT; 0x600000 shares text's PD. */
	HEXPECT_EQ(pt_count_tables(root), 10);
	HEXPECT_EQ(pt_count_present(root, 0, USER_TOP), 6);
	teardown(root);
}

HTEST(for_each_leaf_respects_the_range)
{
	paddr_t root = map_layout();
	HASSERT_NE(root, 0);
	struct visits v = { 0 };
	pt_for_each_leaf(root, 0x401000, 0x100000001000ull, visit, &v);   /* end is exclusive */
	HASSERT_EQ(v.n, 3);
	HEXPECT_EQ(v.va[0], 0x401000);
	HEXPECT_EQ(v.va[1], 0x600000);
	HEXPECT_EQ(v.va[2], 0x100000000000ull);
	v.n = 0;
	pt_for_each_leaf(root, 0x402000, 0x600000, visit, &v);             /* a hole */
	HEXPECT_EQ(v.n, 0);
	v.n = 0;
	pt_for_each_leaf(root, 0x600000, 0x601000, visit, &v);             /* one page */
	HEXPECT_EQ(v.n, 1);
	v.n = 0;
	pt_for_each_leaf(root, 0x401000, 0x401000, visit, &v);             /* empty range */
	HEXPECT_EQ(v.n, 0);
	HEXPECT_EQ(pt_count_present(root, 0x401000, 0x100000001000ull), 3);
	HEXPECT_EQ(pt_count_present(root, 0x402000, 0x600000), 0);
	teardown(root);
}

HTEST(for_each_leaf_sees_non_present_entries_and_may_clear)
{
	paddr_t root = setup();
	HASSERT_EQ(pt_map(root, 0x400000, frame(1), PTE_U, NULL), 0);
	pte_t *e = pt_walk(root, 0x402000, true, NULL);
	HASSERT_NOT_NULL(e);
	*e = frame(2) | PTE_U | PTE_SW_PROTNONE;        /* PROT_NONE: must be zapped like the rest */
	struct visits v = { .clear = true };
	pt_for_each_leaf(root, 0, USER_TOP, visit, &v);
	HEXPECT_EQ(v.n, 2);
	HEXPECT_EQ(v.val[1], frame(2) | PTE_U | PTE_SW_PROTNONE);
	v.n = 0;
	v.clear = false;
	pt_for_each_leaf(root, 0, USER_TOP, visit, &v);
	HEXPECT_EQ(v.n, 0);                             /* cleared by the callback */
	teardown(root);
}

HTEST(walks_over_the_whole_user_half_skip_missing_tables)
{
	/*
	 * 2^35 leaf slots in the user half: a walk that did not skip missing
	 * tables would take minutes. Each of these takes microseconds.
	 */
	paddr_t root = map_layout();
	HASSERT_NE(root, 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 100; i++) {
		struct visits v = { 0 };
		pt_for_each_leaf(root, 0, USER_TOP, visit, &v);
		HEXPECT_EQ(v.n, 6);
		HEXPECT_EQ(pt_count_present(root, 0, USER_TOP), 6);
		HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	HEXPECT_TRUE(secs < 5.0);
	/* A range with nothing mapped at all, not aligned to anything. */
	struct visits v = { 0 };
	pt_for_each_leaf(root, 0x123000, 0x7ffffff00000ull - 2 * KB4, visit, &v);
	HEXPECT_EQ(v.n, 5);             /* all but the stack page */
	HEXPECT_EQ(tb.allocs, 10);      /* walks never allocate */
	teardown(root);
}

/* ------------------------------------------------------------------ pt_prune_empty */

HTEST(prune_after_last_unmap_frees_whole_path_but_not_root)
{
	paddr_t root = setup();
	HASSERT_EQ(pt_map(root, 0x400000, frame(1), PTE_U, NULL), 0);
	paddr_t pdpt = table_at(root, 0x400000, 3), pd = table_at(root, 0x400000, 2),
		pt = table_at(root, 0x400000, 1);
	HEXPECT_NE(pt_unmap(root, 0x400000), 0);
	HEXPECT_EQ(pt_prune_empty(root, 0x400000, 0x401000, freed_cb, &tb), 3);
	HEXPECT_EQ(tb.nfreed, 3);
	/* Children are released before their parents. */
	HEXPECT_EQ(tb.freed[0], pt);
	HEXPECT_EQ(tb.freed[1], pd);
	HEXPECT_EQ(tb.freed[2], pdpt);
	HEXPECT_EQ(tab(root)[0], 0);            /* the root's entry is cleared */
	HEXPECT_FALSE(was_freed(root));
	HEXPECT_TRUE(is_live(root));
	HEXPECT_EQ(pt_count_tables(root), 0);
	/* Pruning again finds nothing. */
	HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 0);
	teardown(root);
}

HTEST(prune_keeps_tables_that_still_hold_entries)
{
	paddr_t root = setup();
	/* Two PTs under one PD: [2 MiB, 4 MiB) and [4 MiB, 6 MiB), two pages in the first. */
	HASSERT_EQ(pt_map(root, 2 * MB2, frame(1), PTE_U, NULL), 0);
	HASSERT_EQ(pt_map(root, 2 * MB2 + KB4, frame(2), PTE_U, NULL), 0);
	HASSERT_EQ(pt_map(root, 2 * MB2 + MB2, frame(3), PTE_U, NULL), 0);
	paddr_t pt1 = table_at(root, 2 * MB2, 1), pt2 = table_at(root, 3 * MB2, 1);
	HEXPECT_EQ(pt_count_tables(root), 4);
	/* One page of the first PT goes: it still holds the other, nothing is freed. */
	pt_unmap(root, 2 * MB2);
	HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 0);
	HEXPECT_EQ(pt_translate(root, 2 * MB2 + KB4, NULL), frame(2));
	/* The second PT empties: only it goes; the PD and PDPT still hold the first. */
	pt_unmap(root, 3 * MB2);
	HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 1);
	HEXPECT_EQ(tb.freed[0], pt2);
	HEXPECT_TRUE(is_live(pt1));
	HEXPECT_EQ(pt_count_tables(root), 3);
	HEXPECT_EQ(pt_translate(root, 2 * MB2 + KB4, NULL), frame(2));
	HEXPECT_EQ(*entry_at(root, 3 * MB2, 2), 0);     /* the PD's entry for it is cleared */
	teardown(root);
}

HTEST(prune_keeps_a_table_holding_only_a_protnone_entry)
{
	paddr_t root = setup();
	pte_t *e = pt_walk(root, 0x400000, true, NULL);
	HASSERT_NOT_NULL(e);
	*e = frame(1) | PTE_U | PTE_SW_PROTNONE;
	HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 0);
	HEXPECT_EQ(pt_count_tables(root), 3);
	*e = 0;
	HEXPECT_EQ(pt_prune_empty(root, 0, USER_TOP, freed_cb, &tb), 3);
	teardown(root);
}

HTEST(prune_only_looks_inside_its_range)
{
	paddr_t root = setup();
	/* Three empty paths: in PML4 slots 0, 1 and 2. */
	for (u64 i = 0; i < 3; i++)
		HASSERT_NOT_NULL(pt_walk(root, i * GB512 + 0x400000, true, NULL));
	HEXPECT_EQ(pt_count_tables(root), 9);
	/* A range inside slot 1 only: its three tables go, the others stay. */
	HEXPECT_EQ(pt_prune_empty(root, GB512 + 0x400000, GB512 + 0x401000, freed_cb, &tb), 3);
	HEXPECT_EQ(pt_count_tables(root), 6);
	HEXPECT_TRUE(pte_present(tab(root)[0]));
	HEXPECT_EQ(tab(root)[1], 0);
	HEXPECT_TRUE(pte_present(tab(root)[2]));
	/* A range that ends exactly where slot 2 starts does not touch slot 2. */
	HEXPECT_EQ(pt_prune_empty(root, GB512, 2 * GB512, freed_cb, &tb), 0);
	HEXPECT_EQ(pt_prune_empty(root, 0, GB512, freed_cb, &tb), 3);
	HEXPECT_TRUE(pte_present(tab(root)[2]));
	HEXPECT_EQ(pt_count_tables(root), 3);
	teardown(root);
}

HTEST(prune_frees_exactly_the_empty_tables_of_a_big_range)
{
	/* 40 PTs under 2 PDs (a PD boundary at 1 GiB), every other one emptied. */
	paddr_t root = setup();
	vaddr_t base = GB1 - 20 * MB2;
	paddr_t pts[40];
	for (int i = 0; i < 40; i++) {
		HASSERT_EQ(pt_map(root, base + (u64)i * MB2 + 5 * KB4, frame(i), PTE_U, NULL), 0);
		pts[i] = table_at(root, base + (u64)i * MB2, 1);
	}
	HEXPECT_EQ(pt_count_tables(root), 1 + 2 + 40);
	for (int i = 0; i < 40; i += 2)
		pt_unmap(root, base + (u64)i * MB2 + 5 * KB4);
	HEXPECT_EQ(pt_prune_empty(root, base, base + 40 * MB2, freed_cb, &tb), 20);
	for (int i = 0; i < 40; i++)
		HEXPECT_EQ(was_freed(pts[i]), i % 2 == 0);
	HEXPECT_EQ(pt_count_present(root, 0, USER_TOP), 20);
	/* Now the rest: every PT, both PDs and the PDPT. */
	for (int i = 1; i < 40; i += 2)
		pt_unmap(root, base + (u64)i * MB2 + 5 * KB4);
	HEXPECT_EQ(pt_prune_empty(root, base, base + 40 * MB2, freed_cb, &tb), 20 + 2 + 1);
	HEXPECT_EQ(pt_count_tables(root), 0);
	HEXPECT_EQ(tb.nfreed, 43);
	teardown(root);
}

/* ------------------------------------------------------------------ the kernel half */

HTEST(kernel_half_is_never_visited_counted_or_freed)
{
	paddr_t root = setup();
	/* A kernel mapping in PML4 slot 256 and an empty kernel path in slot 300. */
	HASSERT_EQ(pt_map(root, KERNEL_BASE + 0x5000, frame(1), PTE_W, NULL), 0);
	HASSERT_NOT_NULL(pt_walk(root, KERNEL_BASE + 44 * GB512, true, NULL));
	HEXPECT_EQ(pt_index(KERNEL_BASE, 4), 256);
	/* And one user page. */
	HASSERT_EQ(pt_map(root, 0x400000, frame(2), PTE_U, NULL), 0);
	HEXPECT_EQ(pt_count_tables(root), 3);           /* only the user path */
	HEXPECT_EQ(pt_count_present(root, 0, ~0ull), 1);
	struct visits v = { 0 };
	pt_for_each_leaf(root, 0, ~0ull, visit, &v);
	HEXPECT_EQ(v.n, 1);
	HEXPECT_EQ(v.va[0], 0x400000);
	/* Even asked for everything, pruning leaves the kernel half alone (the empty path too). */
	pt_unmap(root, 0x400000);
	HEXPECT_EQ(pt_prune_empty(root, 0, ~0ull, freed_cb, &tb), 3);
	HEXPECT_TRUE(pte_present(tab(root)[256]));
	HEXPECT_TRUE(pte_present(tab(root)[300]));
	HEXPECT_EQ(pt_translate(root, KERNEL_BASE + 0x5000, NULL), frame(1));
	for (int i = 0; i < tb.nfreed; i++) {
		HEXPECT_NE(tb.freed[i], pte_addr(tab(root)[256]));
		HEXPECT_NE(tb.freed[i], pte_addr(tab(root)[300]));
	}
	teardown(root);                 /* frees the kernel-half tables too */
}

HTEST_MAIN(paging)
