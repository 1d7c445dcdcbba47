/* paging.c - walks over x86_64 page tables (see paging.h). */
#include "arch/x86_64/paging.h"
#ifdef SECUNDUS_HOST
#define PHYS_TO_VIRT(pa) ((void *)(uintptr_t)(pa))
#else
#include "kernel/arch.h"
#endif

#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)     /* leaf entries decide the real rights */

static pte_t *table(paddr_t pa) { return (pte_t *)PHYS_TO_VIRT(pa); }

pte_t *pt_walk(paddr_t root, vaddr_t va, bool create, void *ctx)
{
	paddr_t t = root;
	for (int level = PT_LEVELS; level > 1; level--) {
		pte_t *e = &table(t)[pt_index(va, level)];
		if (!pte_present(*e)) {
			if (!create)
				return NULL;
			paddr_t nt = pt_alloc_table(ctx);
			if (!nt)
				return NULL;
			*e = nt | TABLE_FLAGS;
		}
		if (*e & PTE_PS)
			return NULL;    /* a large page: not a user mapping we manage */
		t = pte_addr(*e);
	}
	return &table(t)[pt_index(va, 1)];
}

int pt_map(paddr_t root, vaddr_t va, paddr_t pa, u64 flags, void *ctx)
{
	pte_t *e = pt_walk(root, va, true, ctx);
	if (!e)
		return -1;
	*e = (pa & PTE_ADDR_MASK) | flags | PTE_P;
	return 0;
}

pte_t pt_unmap(paddr_t root, vaddr_t va)
{
	pte_t *e = pt_walk(root, va, false, NULL);
	if (!e)
		return 0;
	pte_t old = *e;
	*e = 0;
	return old;
}

paddr_t pt_translate(paddr_t root, vaddr_t va, u64 *flags)
{
	pte_t *e = pt_walk(root, va, false, NULL);
	if (!e || !pte_present(*e))
		return 0;
	if (flags)
		*flags = *e & ~PTE_ADDR_MASK;
	return pte_addr(*e) | (va & 0xfff);
}

static bool table_empty(paddr_t t)
{
	pte_t *e = table(t);
	for (int i = 0; i < PT_ENTRIES; i++)
		if (e[i])
			return false;
	return true;
}

/*
 * Recursive helper: prune the empty tables below table `t` (at `level`)
 * whose span meets [start, end). `base` is the address the table starts at.
 */
static int prune_level(paddr_t t, int level, vaddr_t base, vaddr_t start, vaddr_t end,
		       void (*freed)(void *, paddr_t), void *ctx)
{
	int n = 0;
	u64 span = pt_entry_span(level);
	unsigned last = level == PT_LEVELS ? KERNEL_HALF_FIRST_INDEX : PT_ENTRIES;
	for (unsigned i = 0; i < last; i++) {
		vaddr_t lo = base + i * span, hi = lo + span;
		pte_t *e = &table(t)[i];
		if (hi <= start || lo >= end || !pte_present(*e) || (*e & PTE_PS))
			continue;
		paddr_t child = pte_addr(*e);
		if (level > 2)
			n += prune_level(child, level - 1, lo, start, end, freed, ctx);
		/* An empty table maps nothing, so no neighbour can need it. */
		if (table_empty(child)) {
			*e = 0;
			freed(ctx, child);
			n++;
		}
	}
	return n;
}

int pt_prune_empty(paddr_t root, vaddr_t start, vaddr_t end, void (*freed)(void *, paddr_t), void *ctx)
{
	return prune_level(root, PT_LEVELS, 0, start, end, freed, ctx);
}

static u64 count_level(paddr_t t, int level, vaddr_t base, vaddr_t start, vaddr_t end)
{
	u64 n = 0, span = pt_entry_span(level);
	unsigned last = level == PT_LEVELS ? KERNEL_HALF_FIRST_INDEX : PT_ENTRIES;
	for (unsigned i = 0; i < last; i++) {
		vaddr_t lo = base + i * span;
		pte_t e = table(t)[i];
		if (lo + span <= start || lo >= end || !pte_present(e) || (level > 1 && (e & PTE_PS)))
			continue;       /* a large page is no table to descend into (as in the other walks) */
		n += level == 1 ? 1 : count_level(pte_addr(e), level - 1, lo, start, end);
	}
	return n;
}

u64 pt_count_present(paddr_t root, vaddr_t start, vaddr_t end)
{
	return count_level(root, PT_LEVELS, 0, start, end);
}

static u64 count_tables(paddr_t t, int level)
{
	u64 n = 0;
	unsigned last = level == PT_LEVELS ? KERNEL_HALF_FIRST_INDEX : PT_ENTRIES;
	for (unsigned i = 0; i < last && level > 1; i++) {
		pte_t e = table(t)[i];
		if (pte_present(e) && !(e & PTE_PS))
			n += 1 + count_tables(pte_addr(e), level - 1);
	}
	return n;
}

u64 pt_count_tables(paddr_t root)
{
	return count_tables(root, PT_LEVELS);
}

static void leaf_level(paddr_t t, int level, vaddr_t base, vaddr_t start, vaddr_t end, pte_visit_fn fn,
		       void *arg)
{
	u64 span = pt_entry_span(level);
	unsigned last = level == PT_LEVELS ? KERNEL_HALF_FIRST_INDEX : PT_ENTRIES;
	unsigned first = base >= start ? 0 : (unsigned)((start - base) / span);
	for (unsigned i = first; i < last; i++) {
		vaddr_t lo = base + i * span;
		if (lo >= end)
			break;
		pte_t *e = &table(t)[i];
		if (level == 1) {
			if (*e)
				fn(e, lo, arg);
		} else if (pte_present(*e) && !(*e & PTE_PS)) {
			leaf_level(pte_addr(*e), level - 1, lo, start, end, fn, arg);
		}
	}
}

void pt_for_each_leaf(paddr_t root, vaddr_t start, vaddr_t end, pte_visit_fn fn, void *arg)
{
	leaf_level(root, PT_LEVELS, 0, start, end, fn, arg);
}
