/*
 * swap_test.c - reclaim, swap-out and swap-in from the kernel (suite
 * reclaim). The ordering rules checked are those atop kernel/mm/swap.h
 * and kernel/mm/reclaim.c.
 *
 * Like vm_test.c, each test builds its own mm (mm_create, do_mmap,
 * handle_mm_fault) and reads or writes user pages through the direct map.
 * Instead of creating memory pressure it evicts chosen pages with
 * reclaim_one_page() (the LRU scan's path, aging included), so every
 * check is deterministic:
 *
 *   a private page goes out (swap entry, rss, frame freed, one slot, one
 *   write) and comes back on a fault (same data, writable, slot freed);
 *   a fork-shared page is unmapped from both mms with one write; each
 *   side's fault maps the one swap-cache page read-only (one read, a
 *   cache hit), the slot and the cache entry go with the last user, and
 *   writes then break COW without leaking into the other mm;
 *   a swap-cache page is reclaimed again without a write; a cached page
 *   mapped nowhere is dropped and read again later;
 *   munmap, MADV_DONTNEED and the last mm_put_user release slots, cached
 *   pages and frames;
 *   the SWAP notifier range: start -> PTE -> shootdown -> secondary
 *   flush -> (reference) free -> end, and the disk write only after end;
 *   aging: a CPU accessed bit or a notifier's clear_young keeps a page;
 *   a failed write (swap or device injection) puts every PTE back; a
 *   failed read gives -EIO and leaves the swap entry for a later retry;
 *   mprotect leaves swap entries alone and swap-in uses the VMA's rights;
 *   pages off the LRU (-ENOENT) and a full swap area (-ENOSPC) are kept.
 *
 * Every test skips when there is no swap area (boot with -drive
 * if=virtio), turns swap fault injection off while it runs, and ends with
 * free pages, kmalloc objects, free slots and the swap cache back at the
 * value it started with.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vmstat.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/trace.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"
#include "drivers/block/virtio_blk.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS)
#define ANON_SHARED (MAP_SHARED | MAP_ANONYMOUS)

#define NEED_SWAP()                                                                     \
	do {                                                                            \
		if (!swap_present())                                                    \
			KTEST_SKIP("no swap area (boot with -drive if=virtio)");        \
		injection_off();                                                        \
	} while (0)

/* ------------------------------------------------------------------ helpers */

/* Swap fault injection set at boot (swap_fail_read=/swap_fail_write=): off while a test runs. */
static bool boot_injection_saved;
static u32 boot_fail_read, boot_fail_write;

static void injection_off(void)
{
	if (!boot_injection_saved) {
		struct secundus_swapinfo i;
		swap_get_info(&i);
		boot_fail_read = (u32)i.read_fail_every;
		boot_fail_write = (u32)i.write_fail_every;
		boot_injection_saved = true;
	}
	swap_set_fail(0, 0);
}

static void injection_restore(void)
{
	swap_set_fail(boot_fail_read, boot_fail_write);
}

struct snap {
	u64 free_pages, objects, free_slots, cache_pages;
};

static struct snap snap_now(void)
{
	struct secundus_swapinfo i;
	swap_get_info(&i);
	return (struct snap){ pmm_free_pages(), kmalloc_live_objects(), i.free_slots, i.cache_pages };
}

/* The end of every test: all memory, objects, slots and cached pages given back. */
#define KEXPECT_SNAP(s)                                                 \
	do {                                                            \
		struct snap n__ = snap_now();                           \
		KEXPECT_EQ(n__.free_pages, (s).free_pages);             \
		KEXPECT_EQ(n__.objects, (s).objects);                   \
		KEXPECT_EQ(n__.free_slots, (s).free_slots);             \
		KEXPECT_EQ(n__.cache_pages, (s).cache_pages);           \
		injection_restore();                                    \
	} while (0)

static u64 free_slots(void)
{
	struct secundus_swapinfo i;
	swap_get_info(&i);
	return i.free_slots;
}

static u64 cache_pages(void)
{
	struct secundus_swapinfo i;
	swap_get_info(&i);
	return i.cache_pages;
}

/* Free frames, counting kmalloc's slab pages as free (rmap items come and go with pages). */
static u64 mem_free(void)
{
	return pmm_free_pages() + kmalloc_slab_pages();
}

/* What stays constant while pages only move to swap and back (uapi_vmstat.h). */
static u64 swap_invariant(void)
{
	struct secundus_vmstat v;
	vmstat_snapshot(&v);
	return v.free_pages + v.slab_pages - v.swap_used + v.swapcache_pages;
}

static int slot_count(u32 slot)
{
	spin_lock(&anon_lock);
	int n = swap_slot_count_locked(slot);
	spin_unlock(&anon_lock);
	return n;
}

static int rmap_count(struct page *p)
{
	spin_lock(&anon_lock);
	int n = rmap_count_locked(p);
	spin_unlock(&anon_lock);
	return n;
}

/* The leaf entry for va (0 when there is none). */
static pte_t pte_of(struct mm *mm, vaddr_t va)
{
	spin_lock(&mm->pt_lock);
	pte_t *e = pt_walk(mm->pml4, va, false, NULL);
	pte_t v = e ? *e : 0;
	spin_unlock(&mm->pt_lock);
	return v;
}

static void pte_set_bits(struct mm *mm, vaddr_t va, pte_t bits)
{
	spin_lock(&mm->pt_lock);
	pte_t *e = pt_walk(mm->pml4, va, false, NULL);
	if (e)
		*e |= bits;
	spin_unlock(&mm->pt_lock);
}

/* The frame mapped (present) at va, or 0, and the leaf's flags. */
static paddr_t frame_of(struct mm *mm, vaddr_t va, u64 *flags)
{
	u64 f = 0;
	paddr_t pa = pt_translate(mm->pml4, va, &f);
	if (flags)
		*flags = f;
	return pa ? ALIGN_DOWN(pa, PAGE_SIZE) : 0;
}

static struct page *page_at(struct mm *mm, vaddr_t va)
{
	paddr_t pa = frame_of(mm, va, NULL);
	return pa ? phys_to_page(pa) : NULL;
}

static u8 *kview(struct mm *mm, vaddr_t va)
{
	paddr_t pa = frame_of(mm, va, NULL);
	return pa ? (u8 *)PHYS_TO_VIRT(pa) + (va & (PAGE_SIZE - 1)) : NULL;
}

static bool pte_writable(struct mm *mm, vaddr_t va)
{
	u64 f;
	return frame_of(mm, va, &f) && (f & PTE_W);
}

/* A user store of val at va: the write fault if needed, then the store. 0 or the fault's error. */
static int user_write(struct mm *mm, vaddr_t va, u8 val)
{
	if (!pte_writable(mm, va)) {
		int r = handle_mm_fault(mm, va, FAULT_WRITE | FAULT_USER);
		if (r)
			return r;
	}
	u8 *p = kview(mm, va);
	if (!p)
		return -EFAULT;
	*p = val;
	return 0;
}

static u8 pattern_byte(u32 seed, u64 i) { return (u8)(seed * 131 + i * 7 + (i >> 8) + 1); }

/* A user write of a whole page of pattern `seed` at page-aligned va. */
static int user_fill(struct mm *mm, vaddr_t va, u32 seed)
{
	int r = user_write(mm, va, pattern_byte(seed, 0));
	if (r)
		return r;
	u8 *p = kview(mm, va);
	for (u64 i = 0; i < PAGE_SIZE; i++)
		p[i] = pattern_byte(seed, i);
	return 0;
}

/* Does the page mapped at va hold pattern seed? (Not mapped: false; no fault is taken.) */
static bool holds(struct mm *mm, vaddr_t va, u32 seed)
{
	u8 *p = kview(mm, va);
	if (!p)
		return false;
	for (u64 i = 0; i < PAGE_SIZE; i++)
		if (p[i] != pattern_byte(seed, i))
			return false;
	return true;
}

/* An mm with npages of private memory at *base, each page filled with pattern seed0 + i. */
static struct mm *filled_mm(u64 npages, u32 seed0, vaddr_t *base)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	long a = do_mmap(mm, 0, npages * PAGE_SIZE, RW, ANON_PRIVATE);
	if (a < 0) {
		mm_put_user(mm);
		return NULL;
	}
	*base = (vaddr_t)a;
	for (u64 i = 0; i < npages; i++) {
		if (user_fill(mm, *base + i * PAGE_SIZE, seed0 + (u32)i)) {
			mm_put_user(mm);
			return NULL;
		}
	}
	return mm;
}

/* reclaim_one_page until it stops answering 0 (a young page gets a second chance), bounded. */
static int reclaim_page(struct page *p)
{
	int r = 0;
	for (int i = 0; i < 4 && r == 0; i++)
		r = reclaim_one_page(p);
	return r;
}

/* Swap out the page mapped at va; its slot (0 on failure). */
static u32 swap_out(struct mm *mm, vaddr_t va)
{
	struct page *p = page_at(mm, va);
	if (!p || reclaim_page(p) != 1)
		return 0;
	pte_t e = pte_of(mm, va);
	return pte_is_swap(e) ? swap_pte_slot(e) : 0;
}

/* ------------------------------------------------------------------ out and back */

KTEST(reclaim, private_page_out_and_back)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *mm = filled_mm(2, 10, &base);
	KASSERT_NOT_NULL(mm);
	struct page *p = page_at(mm, base);
	KASSERT_NOT_NULL(p);
	KEXPECT_TRUE(p->flags & PG_lru);                /* a private page is on the LRU */
	KEXPECT_TRUE(p->flags & PG_anon);
	u64 mem = mem_free(), slots = free_slots(), rss = mm->rss;
	u64 out = vmstat.pswpout, in = vmstat.pswpin, hits = vmstat.swapcache_hits;

	KASSERT_EQ(reclaim_page(p), 1);
	pte_t e = pte_of(mm, base);
	KEXPECT_TRUE(pte_is_swap(e));
	KEXPECT_FALSE(pte_present(e));
	u32 slot = swap_pte_slot(e);
	KASSERT_NE(slot, 0);
	KEXPECT_EQ(slot_count(slot), 1);                /* one swap entry names it */
	KEXPECT_EQ(free_slots(), slots - 1);
	KEXPECT_EQ(mm->rss, rss - 1);
	KEXPECT_EQ(mm->swap_ents, 1);
	KEXPECT_EQ(mem_free(), mem + 1);                /* the frame went back */
	KEXPECT_EQ(vmstat.pswpout - out, 1);
	KEXPECT_EQ(cache_pages(), s0.cache_pages);      /* nothing cached: the frame is gone */
	KEXPECT_TRUE(holds(mm, base + PAGE_SIZE, 11));  /* the neighbour is untouched */

	/* A read fault brings it back: a new frame with the same data, writable (last user). */
	KASSERT_EQ(handle_mm_fault(mm, base + 100, FAULT_USER), 0);
	e = pte_of(mm, base);
	KEXPECT_TRUE(pte_present(e));
	KEXPECT_TRUE(e & PTE_W);
	KEXPECT_TRUE(e & PTE_NX);
	KEXPECT_TRUE(holds(mm, base, 10));
	KEXPECT_EQ(vmstat.pswpin - in, 1);
	KEXPECT_EQ(vmstat.swapcache_hits, hits);
	KEXPECT_EQ(slot_count(slot), 0);                /* the slot is free again */
	KEXPECT_EQ(free_slots(), slots);
	KEXPECT_EQ(cache_pages(), s0.cache_pages);
	KEXPECT_EQ(mm->rss, rss);
	KEXPECT_EQ(mm->swap_ents, 0);
	KEXPECT_EQ(mem_free(), mem);
	struct page *q = page_at(mm, base);
	KASSERT_NOT_NULL(q);
	KEXPECT_EQ(q->mapcount, 1);
	KEXPECT_EQ(q->refcount, 1);                     /* the cache's reference went */
	KEXPECT_FALSE(q->flags & PG_swapcache);
	KEXPECT_TRUE(q->flags & PG_lru);                /* reclaimable again */
	KEXPECT_EQ(rmap_count(q), 1);
	/* A write needs no copy. */
	u64 breaks = vmstat.cow_breaks;
	KEXPECT_EQ(user_write(mm, base, 0x77), 0);
	KEXPECT_EQ(vmstat.cow_breaks, breaks);
	KEXPECT_EQ(page_at(mm, base), q);

	/* Twice more, through a write fault this time: the data survives each trip. */
	for (int round = 0; round < 2; round++) {
		KASSERT_EQ(user_fill(mm, base, 20 + round), 0);
		KASSERT_NE(swap_out(mm, base), 0);
		KASSERT_EQ(handle_mm_fault(mm, base, FAULT_WRITE | FAULT_USER), 0);
		KEXPECT_TRUE(pte_writable(mm, base));
		KEXPECT_TRUE(holds(mm, base, 20 + round));
	}
	KEXPECT_EQ(free_slots(), slots);
	mm_put_user(mm);
	KEXPECT_SNAP(s0);
}

/* ------------------------------------------------------------------ fork */

KTEST(reclaim, fork_shared_page_swaps_once_and_stays_cow)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *parent = filled_mm(2, 30, &base);
	KASSERT_NOT_NULL(parent);
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	vaddr_t va[2] = { base, base + PAGE_SIZE };
	u32 slot[2];
	for (int i = 0; i < 2; i++) {
		struct page *p = page_at(parent, va[i]);
		KASSERT_NOT_NULL(p);
		KEXPECT_EQ(page_at(child, va[i]), p);
		KEXPECT_EQ(p->mapcount, 2);
		KEXPECT_EQ(rmap_count(p), 2);
		u64 mem = mem_free(), slots = free_slots(), out = vmstat.pswpout;
		KASSERT_EQ(reclaim_page(p), 1);
		pte_t pe = pte_of(parent, va[i]), ce = pte_of(child, va[i]);
		KEXPECT_TRUE(pte_is_swap(pe));          /* both mappings went... */
		KEXPECT_EQ(ce, pe);                     /* ...to the same slot */
		slot[i] = swap_pte_slot(pe);
		KEXPECT_EQ(slot_count(slot[i]), 2);
		KEXPECT_EQ(free_slots(), slots - 1);
		KEXPECT_EQ(vmstat.pswpout - out, 1);    /* one write for both */
		KEXPECT_EQ(mem_free(), mem + 1);
	}
	KEXPECT_EQ(parent->rss, 0);
	KEXPECT_EQ(child->rss, 0);
	KEXPECT_EQ(parent->swap_ents, 2);
	KEXPECT_EQ(child->swap_ents, 2);

	/* Page 0: the parent reads first; page 1: the child does. */
	struct mm *first[2] = { parent, child }, *second[2] = { child, parent };
	for (int i = 0; i < 2; i++) {
		u64 in = vmstat.pswpin, hits = vmstat.swapcache_hits, slots = free_slots();
		KASSERT_EQ(handle_mm_fault(first[i], va[i], FAULT_USER), 0);
		struct page *q = page_at(first[i], va[i]);
		KASSERT_NOT_NULL(q);
		KEXPECT_TRUE(holds(first[i], va[i], 30 + i));
		KEXPECT_FALSE(pte_writable(first[i], va[i]));  /* the slot has another user */
		KEXPECT_TRUE(q->flags & PG_swapcache);
		KEXPECT_EQ(q->swap_slot, slot[i]);
		KEXPECT_EQ(q->refcount, 2);                     /* the PTE's and the cache's */
		KEXPECT_EQ(slot_count(slot[i]), 1);
		KEXPECT_EQ(cache_pages(), s0.cache_pages + 1);
		KEXPECT_EQ(vmstat.pswpin - in, 1);
		KEXPECT_TRUE(pte_is_swap(pte_of(second[i], va[i])));

		/* The other side finds the same page in the cache: no second read. */
		KASSERT_EQ(handle_mm_fault(second[i], va[i], FAULT_USER), 0);
		KEXPECT_EQ(page_at(second[i], va[i]), q);
		KEXPECT_EQ(vmstat.swapcache_hits - hits, 1);
		KEXPECT_EQ(vmstat.pswpin - in, 1);
		KEXPECT_EQ(slot_count(slot[i]), 0);             /* the last user went: slot free... */
		KEXPECT_EQ(free_slots(), slots + 1);
		KEXPECT_FALSE(q->flags & PG_swapcache);         /* ...and the page left the cache */
		KEXPECT_EQ(cache_pages(), s0.cache_pages);
		KEXPECT_EQ(q->mapcount, 2);
		KEXPECT_EQ(q->refcount, 2);
		KEXPECT_EQ(rmap_count(q), 2);
		/* Shared by two mms: read-only in both, whatever the order of the faults. */
		KEXPECT_FALSE(pte_writable(first[i], va[i]));
		KEXPECT_FALSE(pte_writable(second[i], va[i]));
	}
	KEXPECT_EQ(parent->rss, 2);
	KEXPECT_EQ(child->rss, 2);
	KEXPECT_EQ(parent->swap_ents, 0);
	KEXPECT_EQ(child->swap_ents, 0);

	/* Writes break COW: the writer gets a copy, the other side keeps the data. */
	for (int i = 0; i < 2; i++) {
		u64 breaks = vmstat.cow_breaks, reuses = vmstat.cow_reuses;
		struct page *q = page_at(second[i], va[i]);
		KASSERT_EQ(user_write(second[i], va[i], 0xee), 0);
		KEXPECT_EQ(vmstat.cow_breaks - breaks, 1);
		KEXPECT_NE(page_at(second[i], va[i]), q);
		KEXPECT_EQ(kview(second[i], va[i])[0], 0xee);
		KEXPECT_EQ(kview(second[i], va[i])[1], pattern_byte(30 + i, 1));
		KEXPECT_TRUE(holds(first[i], va[i], 30 + i));   /* not seen by the other mm */
		KEXPECT_EQ(page_at(first[i], va[i]), q);
		/* The other side is the only user now: its write reuses the frame. */
		KASSERT_EQ(user_write(first[i], va[i], 0xdd), 0);
		KEXPECT_EQ(vmstat.cow_reuses - reuses, 1);
		KEXPECT_EQ(page_at(first[i], va[i]), q);
		KEXPECT_EQ(kview(second[i], va[i])[0], 0xee);
	}
	mm_put_user(child);
	mm_put_user(parent);
	KEXPECT_SNAP(s0);
}

KTEST(reclaim, swapcache_page_is_reclaimed_again_without_a_write)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *parent = filled_mm(1, 40, &base);
	KASSERT_NOT_NULL(parent);
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	u32 slot = swap_out(parent, base);
	KASSERT_NE(slot, 0);
	KASSERT_EQ(handle_mm_fault(parent, base, FAULT_USER), 0);
	struct page *q = page_at(parent, base);
	KASSERT_NOT_NULL(q);
	KEXPECT_TRUE(q->flags & PG_swapcache);
	/* Its data equals the slot's (rule 5): evicting it again writes nothing, and
	 * one call frees it (unmapped and dropped from the cache at once). */
	u64 out = vmstat.pswpout, mem = mem_free(), slots = free_slots();
	KASSERT_EQ(reclaim_one_page(q), 1);
	KEXPECT_EQ(vmstat.pswpout, out);
	KEXPECT_EQ(pte_of(parent, base), swap_pte(slot));       /* the same slot again */
	KEXPECT_EQ(slot_count(slot), 2);
	KEXPECT_EQ(free_slots(), slots);
	KEXPECT_EQ(cache_pages(), s0.cache_pages);      /* the cached copy went too */
	KEXPECT_EQ(mem_free(), mem + 1);
	/* Both come back with the data (one read). */
	u64 in = vmstat.pswpin;
	KASSERT_EQ(handle_mm_fault(child, base, FAULT_USER), 0);
	KASSERT_EQ(handle_mm_fault(parent, base, FAULT_USER), 0);
	KEXPECT_EQ(vmstat.pswpin - in, 1);
	KEXPECT_TRUE(holds(parent, base, 40));
	KEXPECT_TRUE(holds(child, base, 40));
	KEXPECT_EQ(slot_count(slot), 0);
	mm_put_user(parent);
	mm_put_user(child);
	KEXPECT_SNAP(s0);
}

KTEST(reclaim, cached_page_mapped_nowhere_is_dropped)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *parent = filled_mm(1, 50, &base);
	KASSERT_NOT_NULL(parent);
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	u32 slot = swap_out(parent, base);
	KASSERT_NE(slot, 0);
	KASSERT_EQ(handle_mm_fault(parent, base, FAULT_USER), 0);
	struct page *q = page_at(parent, base);
	KASSERT_NOT_NULL(q);
	/* The parent unmaps it: the page stays in the cache (the child's entry needs the slot)... */
	KASSERT_EQ(do_munmap(parent, base, PAGE_SIZE), 0);
	KEXPECT_EQ(q->mapcount, 0);
	KEXPECT_TRUE(q->flags & PG_swapcache);
	KEXPECT_TRUE(q->flags & PG_lru);                /* ...and reclaim can find it */
	KEXPECT_EQ(slot_count(slot), 1);
	KEXPECT_EQ(cache_pages(), s0.cache_pages + 1);
	u64 mem = mem_free(), out = vmstat.pswpout;
	KASSERT_EQ(reclaim_page(q), 1);                 /* dropped: its data is on disk */
	KEXPECT_EQ(vmstat.pswpout, out);
	KEXPECT_EQ(mem_free(), mem + 1);
	KEXPECT_EQ(cache_pages(), s0.cache_pages);
	KEXPECT_EQ(slot_count(slot), 1);
	/* The child reads it from the disk again. */
	u64 in = vmstat.pswpin, hits = vmstat.swapcache_hits;
	KASSERT_EQ(handle_mm_fault(child, base, FAULT_USER), 0);
	KEXPECT_EQ(vmstat.pswpin - in, 1);
	KEXPECT_EQ(vmstat.swapcache_hits, hits);
	KEXPECT_TRUE(holds(child, base, 50));
	KEXPECT_TRUE(pte_writable(child, base));        /* its only user now */
	KEXPECT_EQ(slot_count(slot), 0);
	mm_put_user(parent);
	mm_put_user(child);
	KEXPECT_SNAP(s0);
}

/* ------------------------------------------------------------------ teardown */

KTEST(reclaim, munmap_madvise_and_exit_release_slots)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *mm = filled_mm(12, 60, &base);
	KASSERT_NOT_NULL(mm);
	u64 slots = free_slots(), inv = swap_invariant();
	u32 slot[12];
	for (int i = 0; i < 12; i++) {
		slot[i] = swap_out(mm, base + i * PAGE_SIZE);
		KASSERT_NE(slot[i], 0);
	}
	KEXPECT_EQ(free_slots(), slots - 12);
	KEXPECT_EQ(swap_invariant(), inv);              /* frames became slots, one for one */
	KEXPECT_EQ(mm->swap_ents, 12);
	KEXPECT_EQ(mm->rss, 0);
	KEXPECT_EQ(pt_count_present(mm->pml4, base, base + 12 * PAGE_SIZE), 0);
	/* munmap of swapped-out pages [0, 4): their slots go, nothing is read. */
	u64 in = vmstat.pswpin, mem = mem_free();
	KASSERT_EQ(do_munmap(mm, base, 4 * PAGE_SIZE), 0);
	KEXPECT_EQ(free_slots(), slots - 8);
	for (int i = 0; i < 4; i++)
		KEXPECT_EQ(slot_count(slot[i]), 0);
	KEXPECT_EQ(mm->swap_ents, 8);
	KEXPECT_EQ(vmstat.pswpin, in);
	KEXPECT_EQ(mem_free(), mem);                    /* no frame was involved */
	/* MADV_DONTNEED on [4, 6): slots go, the memory reads as zeros. */
	KASSERT_EQ(do_madvise(mm, base + 4 * PAGE_SIZE, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	KEXPECT_EQ(free_slots(), slots - 6);
	KEXPECT_EQ(slot_count(slot[4]), 0);
	KEXPECT_EQ(mm->swap_ents, 6);
	KASSERT_EQ(handle_mm_fault(mm, base + 4 * PAGE_SIZE, FAULT_USER), 0);
	KEXPECT_EQ(vmstat.pswpin, in);                  /* a zero fill, not a swap-in */
	u8 *z = kview(mm, base + 4 * PAGE_SIZE);
	KASSERT_NOT_NULL(z);
	bool zero = true;
	for (u64 i = 0; i < PAGE_SIZE; i++)
		zero &= z[i] == 0;
	KEXPECT_TRUE(zero);
	/* A fork doubles the users of the rest; a swap-cache page for one of them. */
	struct mm *child = mm_fork(mm);
	KASSERT_NOT_NULL(child);
	KEXPECT_EQ(child->swap_ents, 6);
	KEXPECT_EQ(slot_count(slot[6]), 2);
	KEXPECT_EQ(free_slots(), slots - 6);            /* fork copies entries, not slots */
	KASSERT_EQ(handle_mm_fault(child, base + 6 * PAGE_SIZE, FAULT_USER), 0);
	KEXPECT_EQ(cache_pages(), s0.cache_pages + 1);
	struct page *q = page_at(child, base + 6 * PAGE_SIZE);
	KASSERT_NOT_NULL(q);
	/* The parent exits: its entries go; the cached page loses its slot and leaves the cache. */
	mm_put_user(mm);
	KEXPECT_EQ(slot_count(slot[6]), 0);
	KEXPECT_EQ(slot_count(slot[7]), 1);
	KEXPECT_EQ(free_slots(), slots - 5);
	KEXPECT_EQ(cache_pages(), s0.cache_pages);
	KEXPECT_FALSE(q->flags & PG_swapcache);
	KEXPECT_EQ(q->refcount, 1);
	KEXPECT_TRUE(holds(child, base + 6 * PAGE_SIZE, 66));
	mm_put_user(child);                             /* the child's swap entries go too */
	KEXPECT_SNAP(s0);
}

/* ------------------------------------------------------------------ notifiers */

struct watcher {
	struct mmu_notifier mn;
	struct mm *mm;
	vaddr_t va;
	struct page *page;
	int starts, ends, flushes, young_calls, young_answers;
	int event;
	vaddr_t start, end;
	pte_t pte_at_start, pte_at_flush;
	int refcount_at_end;
	u64 pswpout_at_end;
};

static struct watcher *watcher_of(struct mmu_notifier *mn) { return container_of(mn, struct watcher, mn); }

/* The leaf for va without pt_lock (a flush may run with it held; nothing else touches this mm). */
static pte_t pte_peek(struct mm *mm, vaddr_t va)
{
	pte_t *e = pt_walk(mm->pml4, va, false, NULL);
	return e ? READ_ONCE(*e) : 0;
}

static int w_start(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	struct watcher *w = watcher_of(mn);
	w->starts++;
	w->event = r->event;
	w->start = r->start;
	w->end = r->end;
	w->pte_at_start = pte_peek(w->mm, w->va);
	return 0;
}

static void w_end(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	struct watcher *w = watcher_of(mn);
	UNUSED(r);
	w->ends++;
	w->refcount_at_end = w->page ? w->page->refcount : -1;
	w->pswpout_at_end = vmstat.pswpout;
}

static void w_flush(struct mmu_notifier *mn, struct mm *mm, vaddr_t s, vaddr_t e)
{
	struct watcher *w = watcher_of(mn);
	UNUSED(s), UNUSED(e);
	w->flushes++;
	w->pte_at_flush = pte_peek(mm, w->va);
}

static int w_clear_young(struct mmu_notifier *mn, struct mm *mm, vaddr_t s, vaddr_t e)
{
	struct watcher *w = watcher_of(mn);
	UNUSED(mm);
	if (s != w->va || e != w->va + PAGE_SIZE)
		return 0;
	w->young_calls++;
	if (w->young_answers > 0) {
		w->young_answers--;
		return 1;
	}
	return 0;
}

static const struct mmu_notifier_ops watcher_ops = {
	.invalidate_range_start = w_start,
	.invalidate_range_end = w_end,
	.invalidate_secondary_tlbs = w_flush,
	.clear_young = w_clear_young,
};

KTEST(reclaim, swap_notifier_range_order)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *mm = filled_mm(1, 70, &base);
	KASSERT_NOT_NULL(mm);
	struct page *p = page_at(mm, base);
	KASSERT_NOT_NULL(p);
	pte_t before = pte_of(mm, base);
	paddr_t pa = page_to_phys(p);
	struct watcher w = { .mn.ops = &watcher_ops, .mm = mm, .va = base, .page = p, .event = -1 };
	mmu_notifier_register(&w.mn, mm);
	u64 out = vmstat.pswpout;
	u64 since = trace_now();
	KASSERT_EQ(reclaim_one_page(p), 1);
	static struct trace_entry ev[1024];
	int n = trace_collect(since, ev, 1024);
	/* Where each event of this page's swap-out is in the merged trace (-1: missing). */
	enum { START, SWAPOUT, SHOOT, SECONDARY, FREE, END, NSTEPS };
	static const char *const names[NSTEPS] = { "range start", "swap out", "shootdown",
						    "secondary flush", "page free", "range end" };
	int at[NSTEPS], count[NSTEPS] = { 0 };
	for (int k = 0; k < NSTEPS; k++)
		at[k] = -1;
	for (int i = 0; i < n; i++) {
		int k = -1;
		switch (ev[i].type) {
		case TRACE_RANGE_START: k = ev[i].a == base ? START : -1; break;
		case TRACE_SWAP_OUT: k = ev[i].a == base && ev[i].b == pa ? SWAPOUT : -1; break;
		case TRACE_SHOOTDOWN: k = ev[i].a <= base && base < ev[i].b ? SHOOT : -1; break;
		case TRACE_SECONDARY_FLUSH: k = ev[i].a <= base && base < ev[i].b ? SECONDARY : -1; break;
		case TRACE_PAGE_FREE: k = ev[i].a == pa ? FREE : -1; break;
		case TRACE_RANGE_END: k = ev[i].a == base ? END : -1; break;
		default: break;
		}
		if (k >= 0 && count[k]++ == 0)
			at[k] = i;
	}
	for (int k = 0; k < NSTEPS; k++) {
		if (!KEXPECT_EQ(count[k], 1))
			ktest_diag("%s seen %d times", names[k], count[k]);
		if (k > 0 && !KEXPECT_LT(at[k - 1], at[k]))
			ktest_diag("%s (event %d) is not before %s (event %d)", names[k - 1], at[k - 1], names[k],
				   at[k]);
	}
	/* The callbacks: a SWAP range over exactly the page. */
	KEXPECT_EQ(w.starts, 1);
	KEXPECT_EQ(w.ends, 1);
	KEXPECT_EQ(w.flushes, 1);
	KEXPECT_EQ(w.event, MMU_NOTIFY_SWAP);
	KEXPECT_EQ(w.start, base);
	KEXPECT_EQ(w.end, base + PAGE_SIZE);
	KEXPECT_EQ(w.young_calls, 1);                   /* aging asked the secondary MMU first */
	KEXPECT_EQ(w.pte_at_start, before);             /* start: nothing changed yet */
	KEXPECT_TRUE(pte_is_swap(w.pte_at_flush));      /* flush: the PTE is already gone */
	/* End: the frame is still held (for the write), and the write has not started (rule 1). */
	KEXPECT_GE(w.refcount_at_end, 1);
	KEXPECT_EQ(w.pswpout_at_end, out);
	KEXPECT_EQ(vmstat.pswpout - out, 1);
	/* Swap-in is a fault, not an invalidation: no new range. */
	w.page = NULL;
	KASSERT_EQ(handle_mm_fault(mm, base, FAULT_USER), 0);
	KEXPECT_EQ(w.starts, 1);
	KEXPECT_TRUE(holds(mm, base, 70));
	mmu_notifier_unregister(&w.mn, mm);
	mm_put_user(mm);
	KEXPECT_SNAP(s0);
}

KTEST(reclaim, young_page_gets_a_second_chance)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *mm = filled_mm(1, 80, &base);
	KASSERT_NOT_NULL(mm);
	struct page *p = page_at(mm, base);
	KASSERT_NOT_NULL(p);
	struct watcher w = { .mn.ops = &watcher_ops, .mm = mm, .va = base, .young_answers = 2 };
	mmu_notifier_register(&w.mn, mm);
	u64 young = vmstat.reclaim_young, out = vmstat.pswpout, slots = free_slots();
	pte_t e = pte_of(mm, base);
	/* The device used the page: kept, twice. */
	for (int i = 0; i < 2; i++) {
		KEXPECT_EQ(reclaim_one_page(p), 0);
		KEXPECT_EQ(w.young_calls, i + 1);
		KEXPECT_EQ(vmstat.reclaim_young - young, i + 1);
		KEXPECT_EQ(pte_of(mm, base), e);
		KEXPECT_TRUE(p->flags & PG_lru);        /* back on the LRU */
		KEXPECT_FALSE(p->flags & PG_isolated);
	}
	KEXPECT_EQ(w.starts, 0);                        /* nothing was invalidated */
	/* The CPU used it (accessed bit): kept, and the bit is cleared. */
	pte_set_bits(mm, base, PTE_A);
	KEXPECT_EQ(reclaim_one_page(p), 0);
	KEXPECT_EQ(vmstat.reclaim_young - young, 3);
	KEXPECT_EQ(pte_of(mm, base), e & ~PTE_A);
	KEXPECT_EQ(w.starts, 0);
	KEXPECT_EQ(vmstat.pswpout, out);
	KEXPECT_EQ(free_slots(), slots);
	KEXPECT_TRUE(holds(mm, base, 80));
	/* Nobody used it since: out it goes. */
	KEXPECT_EQ(reclaim_one_page(p), 1);
	KEXPECT_EQ(vmstat.reclaim_young - young, 3);
	KEXPECT_EQ(w.starts, 1);
	KEXPECT_EQ(w.event, MMU_NOTIFY_SWAP);
	KEXPECT_TRUE(pte_is_swap(pte_of(mm, base)));
	KASSERT_EQ(handle_mm_fault(mm, base, FAULT_USER), 0);
	KEXPECT_TRUE(holds(mm, base, 80));
	mmu_notifier_unregister(&w.mn, mm);
	mm_put_user(mm);
	KEXPECT_SNAP(s0);
}

/* ------------------------------------------------------------------ I/O errors */

KTEST(reclaim, failed_write_puts_every_mapping_back)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *parent = filled_mm(2, 90, &base);
	KASSERT_NOT_NULL(parent);
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	vaddr_t solo = base, shared = base + PAGE_SIZE;
	KASSERT_EQ(user_fill(parent, solo, 95), 0);     /* page 0: the parent's own copy */
	struct page *ps = page_at(parent, solo), *pf = page_at(parent, shared);
	KASSERT_NOT_NULL(ps);
	KASSERT_NOT_NULL(pf);
	KEXPECT_EQ(pf->mapcount, 2);
	pte_t es = pte_of(parent, solo), ep = pte_of(parent, shared), ec = pte_of(child, shared);
	u64 errs = vmstat.swap_write_errors, out = vmstat.pswpout, slots = free_slots(), mem = mem_free();
	u64 prss = parent->rss, crss = child->rss;

	/* Round 0: the swap layer's injection; round 1: the device fails the request. */
	for (int round = 0; round < 2; round++) {
		u32 old_blk = 0;
		if (round == 0)
			swap_set_fail(0, 1);
		else
			old_blk = blk_set_fail_every(1);
		/* One call each: every call would try (and fail) another write. */
		int r_solo = reclaim_one_page(ps), r_shared = reclaim_one_page(pf);
		if (round == 0)
			swap_set_fail(0, 0);
		else
			blk_set_fail_every(old_blk);
		KEXPECT_EQ(r_solo, 0);
		KEXPECT_EQ(r_shared, 0);
		KEXPECT_EQ(vmstat.swap_write_errors - errs, 2 * (round + 1));
		KEXPECT_EQ(vmstat.pswpout, out);
		/* Every PTE exactly as before, the same frames, their data intact. */
		KEXPECT_EQ(pte_of(parent, solo), es);
		KEXPECT_EQ(pte_of(parent, shared), ep);
		KEXPECT_EQ(pte_of(child, shared), ec);
		KEXPECT_TRUE(holds(parent, solo, 95));
		KEXPECT_TRUE(holds(parent, shared, 91));
		KEXPECT_TRUE(holds(child, shared, 91));
		KEXPECT_TRUE(holds(child, solo, 90));
		KEXPECT_EQ(ps->mapcount, 1);
		KEXPECT_EQ(ps->refcount, 1);
		KEXPECT_EQ(rmap_count(ps), 1);
		KEXPECT_EQ(pf->mapcount, 2);
		KEXPECT_EQ(pf->refcount, 2);
		KEXPECT_EQ(rmap_count(pf), 2);
		KEXPECT_TRUE(ps->flags & PG_lru);
		KEXPECT_TRUE(pf->flags & PG_lru);
		KEXPECT_FALSE(pf->flags & (PG_isolated | PG_swapcache));
		KEXPECT_EQ(parent->rss, prss);
		KEXPECT_EQ(child->rss, crss);
		KEXPECT_EQ(parent->swap_ents, 0);
		KEXPECT_EQ(child->swap_ents, 0);
		/* No slot kept, no frame lost. */
		KEXPECT_EQ(free_slots(), slots);
		KEXPECT_EQ(cache_pages(), s0.cache_pages);
		KEXPECT_EQ(mem_free(), mem);
	}
	/* The COW state survived too: a child write copies, the parent keeps its data. */
	KASSERT_EQ(user_write(child, shared, 0x42), 0);
	KEXPECT_TRUE(holds(parent, shared, 91));
	/* With the disk working the pages go out and come back. */
	KASSERT_EQ(reclaim_page(ps), 1);
	KEXPECT_EQ(vmstat.pswpout - out, 1);
	KASSERT_EQ(handle_mm_fault(parent, solo, FAULT_USER), 0);
	KEXPECT_TRUE(holds(parent, solo, 95));
	mm_put_user(child);
	mm_put_user(parent);
	KEXPECT_SNAP(s0);
}

KTEST(reclaim, failed_read_keeps_the_swap_entry)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *parent = filled_mm(1, 100, &base);
	KASSERT_NOT_NULL(parent);
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	u32 slot = swap_out(parent, base);
	KASSERT_NE(slot, 0);
	pte_t e = swap_pte(slot);
	u64 errs = vmstat.swap_read_errors, in = vmstat.pswpin, mem = mem_free(), slots = free_slots();
	/* Every read fails: both mms get -EIO, again and again; nothing changes, nothing leaks. */
	swap_set_fail(1, 0);
	int r[4];
	r[0] = handle_mm_fault(parent, base, FAULT_USER);
	r[1] = handle_mm_fault(child, base, FAULT_WRITE | FAULT_USER);
	r[2] = handle_mm_fault(parent, base, FAULT_WRITE | FAULT_USER);
	r[3] = handle_mm_fault(child, base, FAULT_USER);
	swap_set_fail(0, 0);
	for (int i = 0; i < 4; i++)
		KEXPECT_EQ(r[i], (u64)-EIO);
	KEXPECT_EQ(vmstat.swap_read_errors - errs, 4);  /* no failed page stayed in the cache */
	KEXPECT_EQ(vmstat.pswpin, in);
	KEXPECT_EQ(pte_of(parent, base), e);
	KEXPECT_EQ(pte_of(child, base), e);
	KEXPECT_EQ(slot_count(slot), 2);
	KEXPECT_EQ(free_slots(), slots);
	KEXPECT_EQ(cache_pages(), s0.cache_pages);
	KEXPECT_EQ(mem_free(), mem);
	KEXPECT_EQ(parent->swap_ents, 1);
	KEXPECT_EQ(parent->rss, 0);
	/* Device errors behave the same. */
	u32 old_blk = blk_set_fail_every(1);
	int rb = handle_mm_fault(parent, base, FAULT_USER);
	blk_set_fail_every(old_blk);
	KEXPECT_EQ(rb, (u64)-EIO);
	KEXPECT_EQ(pte_of(parent, base), e);
	KEXPECT_EQ(mem_free(), mem);
	/* The disk works again: the data was never lost. */
	KASSERT_EQ(handle_mm_fault(child, base, FAULT_USER), 0);
	KASSERT_EQ(handle_mm_fault(parent, base, FAULT_USER), 0);
	KEXPECT_TRUE(holds(child, base, 100));
	KEXPECT_TRUE(holds(parent, base, 100));
	KEXPECT_EQ(vmstat.pswpin - in, 1);
	KEXPECT_EQ(slot_count(slot), 0);
	KEXPECT_EQ(free_slots(), slots + 1);
	mm_put_user(parent);
	mm_put_user(child);
	KEXPECT_SNAP(s0);
}

/* ------------------------------------------------------------------ mprotect */

KTEST(reclaim, mprotect_leaves_swap_entries_and_swapin_uses_vma_rights)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	vaddr_t base = 0;
	struct mm *mm = filled_mm(2, 110, &base);
	KASSERT_NOT_NULL(mm);
	u32 slot = swap_out(mm, base);
	KASSERT_NE(slot, 0);
	/* PROT_NONE over a swap entry: the entry stays, and no fault may bring it in. */
	KASSERT_EQ(do_mprotect(mm, base, PAGE_SIZE, PROT_NONE), 0);
	KEXPECT_EQ(pte_of(mm, base), swap_pte(slot));
	KEXPECT_EQ(handle_mm_fault(mm, base, FAULT_USER), (u64)-EFAULT);
	KEXPECT_EQ(pte_of(mm, base), swap_pte(slot));
	KEXPECT_EQ(slot_count(slot), 1);
	/* Read-only: a write fault is refused, a read fault maps it read-only. */
	KASSERT_EQ(do_mprotect(mm, base, PAGE_SIZE, PROT_READ), 0);
	KEXPECT_EQ(pte_of(mm, base), swap_pte(slot));
	KEXPECT_EQ(handle_mm_fault(mm, base, FAULT_WRITE | FAULT_USER), (u64)-EFAULT);
	KEXPECT_EQ(pte_of(mm, base), swap_pte(slot));
	KASSERT_EQ(handle_mm_fault(mm, base, FAULT_USER), 0);
	pte_t e = pte_of(mm, base);
	KEXPECT_TRUE(pte_present(e));
	KEXPECT_FALSE(e & PTE_W);
	KEXPECT_TRUE(holds(mm, base, 110));
	KEXPECT_EQ(slot_count(slot), 0);
	/* Read-write again: writable without a copy (the only user). */
	KASSERT_EQ(do_mprotect(mm, base, PAGE_SIZE, RW), 0);
	KEXPECT_TRUE(pte_writable(mm, base));
	/* A PROT_NONE page can be swapped out too; it comes back with the rights of the day. */
	struct page *p = page_at(mm, base + PAGE_SIZE);
	KASSERT_NOT_NULL(p);
	KASSERT_EQ(do_mprotect(mm, base + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	KEXPECT_TRUE(pte_of(mm, base + PAGE_SIZE) & PTE_SW_PROTNONE);
	KASSERT_EQ(reclaim_page(p), 1);
	e = pte_of(mm, base + PAGE_SIZE);
	KEXPECT_TRUE(pte_is_swap(e));
	KEXPECT_FALSE(e & PTE_SW_PROTNONE);
	KEXPECT_EQ(handle_mm_fault(mm, base + PAGE_SIZE, FAULT_USER), (u64)-EFAULT);
	KASSERT_EQ(do_mprotect(mm, base + PAGE_SIZE, PAGE_SIZE, RW), 0);
	KEXPECT_TRUE(pte_is_swap(pte_of(mm, base + PAGE_SIZE)));
	KASSERT_EQ(handle_mm_fault(mm, base + PAGE_SIZE, FAULT_WRITE | FAULT_USER), 0);
	e = pte_of(mm, base + PAGE_SIZE);
	KEXPECT_TRUE(pte_present(e));
	KEXPECT_TRUE(e & PTE_W);
	KEXPECT_FALSE(e & PTE_SW_PROTNONE);
	KEXPECT_TRUE(holds(mm, base + PAGE_SIZE, 111));
	mm_put_user(mm);
	KEXPECT_SNAP(s0);
}

/* ------------------------------------------------------------------ what is not reclaimed */

KTEST(reclaim, pages_off_the_lru_and_full_swap_are_kept)
{
	NEED_SWAP();
	struct snap s0 = snap_now();
	/* A kernel page and a MAP_SHARED page are not on the LRU. */
	struct page *kp = alloc_page();
	KASSERT_NOT_NULL(kp);
	KEXPECT_EQ(reclaim_one_page(kp), (u64)-ENOENT);
	KEXPECT_EQ(kp->refcount, 1);
	free_page(kp);
	struct mm *mm = mm_create();
	KASSERT_NOT_NULL(mm);
	long sh = do_mmap(mm, 0, PAGE_SIZE, RW, ANON_SHARED);
	KASSERT_TRUE(sh > 0);
	KASSERT_EQ(user_fill(mm, (vaddr_t)sh, 120), 0);
	pte_t se = pte_of(mm, (vaddr_t)sh);
	KEXPECT_EQ(reclaim_one_page(page_at(mm, (vaddr_t)sh)), (u64)-ENOENT);
	KEXPECT_EQ(pte_of(mm, (vaddr_t)sh), se);
	/* A private page with every slot taken: -ENOSPC, the page stays mapped. */
	long pv = do_mmap(mm, 0, PAGE_SIZE, RW, ANON_PRIVATE);
	KASSERT_TRUE(pv > 0);
	KASSERT_EQ(user_fill(mm, (vaddr_t)pv, 121), 0);
	struct page *p = page_at(mm, (vaddr_t)pv);
	pte_t pe = pte_of(mm, (vaddr_t)pv);
	u64 n = free_slots();
	if (n > (1u << 20)) {
		mm_put_user(mm);
		KEXPECT_SNAP(s0);
		KTEST_SKIP("swap area too large to fill here");
	}
	u32 *held = kmalloc(n * sizeof *held);
	KASSERT_NOT_NULL(held);
	u64 got = 0;
	for (; got < n; got++) {
		spin_lock(&anon_lock);
		held[got] = swap_slot_alloc_locked();
		spin_unlock(&anon_lock);
		if (!held[got])
			break;
	}
	KEXPECT_EQ(got, n);
	KEXPECT_EQ(free_slots(), 0);
	u64 out = vmstat.pswpout;
	int r = reclaim_one_page(p);
	for (u64 i = 0; i < got; i++) {
		spin_lock(&anon_lock);
		struct page *c = swap_slot_put_locked(held[i]);
		spin_unlock(&anon_lock);
		KEXPECT_NULL(c);
	}
	kfree(held);
	KEXPECT_EQ(r, (u64)-ENOSPC);
	KEXPECT_EQ(vmstat.pswpout, out);
	KEXPECT_EQ(pte_of(mm, (vaddr_t)pv), pe);
	KEXPECT_TRUE(p->flags & PG_lru);
	KEXPECT_FALSE(p->flags & PG_isolated);
	KEXPECT_EQ(p->refcount, 1);
	KEXPECT_EQ(free_slots(), n);
	/* With room again it goes out. */
	KEXPECT_EQ(reclaim_page(p), 1);
	KEXPECT_TRUE(pte_is_swap(pte_of(mm, (vaddr_t)pv)));
	mm_put_user(mm);
	KEXPECT_SNAP(s0);
}
