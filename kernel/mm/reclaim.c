/*
 * reclaim.c - freeing memory under pressure (read reclaim.h, and the
 * ordering rules atop swap.h).
 *
 * THE RULES reclaim keeps, in the order it meets them:
 *
 *  1. Pages come from the LRU head (least recently added or rotated);
 *     reclaim takes one off the list (PG_isolated) and holds a reference,
 *     so it cannot be freed under us while we look at it.
 *  2. The reverse map names every (mm, address) mapping the page. Reclaim
 *     holds no lock when it starts, so it may wait for the first mm->lock;
 *     the others it only tries (mutex_trylock), so two reclaimers can never
 *     wait for each other's second lock. A busy second mm means "skip this
 *     page for now". (A faulting thread never waits for reclaim while it
 *     holds its mm->lock: handle_mm_fault drops it first.) With the locks
 *     held no fault, munmap, mprotect or fork can change these mappings,
 *     and every notifier range of these mms stays serialised by mm->lock
 *     (mmu_notifier.c relies on it).
 *  3. Aging: a page whose accessed bit is set in any PTE, or that any
 *     secondary MMU reports young (mmu_notifier_clear_young), gets a
 *     second chance: its bits are cleared and it goes to the LRU tail. So
 *     a page a device uses all the time is not evicted first, although
 *     the device holds no pin on it. (Clearing the accessed bit flushes no
 *     TLB, as on Linux/x86: a CPU that still caches the translation will
 *     not set the bit again, so aging is approximate, never unsafe.)
 *  4. Each mapping is replaced by a swap entry inside a SWAP notifier range
 *     through an mmu_gather (start -> PTE -> CPU flush -> secondary flush ->
 *     end), then the page is written, then freed (swap.h rules 1-2).
 *  5. (Batching, see reclaim_batch: pages mapped once by the same mm are
 *     evicted together, behind one range and one shootdown.)
 *  6. When the LRU holds nothing reclaimable (swap full, or no swap), the
 *     OOM killer picks the process holding the most pages (resident plus
 *     swapped out: a hog whose memory went to swap is still the hog) and kills
 *     it; allocations retry once it is gone. Only one victim at a time.
 */
#include "kernel/mm/reclaim.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/vmstat.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/sched.h"
#include "kernel/time.h"
#include "kernel/trace.h"
#include "kernel/panic.h"
#include "kernel/lib/printk.h"
#include "kernel/uapi/uapi_errno.h"

#define RMAP_MAX 16             /* pages mapped more often than this are not reclaimed */
#define SWAP_CLUSTER 32         /* pages per reclaim round */
#define OOM_MAX_ATTEMPTS 400    /* a faulting thread's retries (waits of 10 ms for a victim) */

static LIST_HEAD_DECL(lru);     /* under anon_lock */
static u64 lru_nr;
static u64 wmark_min, wmark_low, wmark_high;
static struct waitq kswapd_wq = WAITQ_INIT(kswapd_wq);
static volatile bool kswapd_sleeping;

/* ------------------------------------------------------------------ LRU */

void lru_add_locked(struct page *p)
{
	KASSERT(!(p->flags & PG_lru));
	list_add_tail(&p->list, &lru);
	p->flags |= PG_lru;
	lru_nr++;
}

void lru_del_locked(struct page *p)
{
	KASSERT(p->flags & PG_lru);
	list_del(&p->list);
	p->flags &= ~PG_lru;
	lru_nr--;
}

/* Rule 1: the LRU head, isolated and referenced; NULL when the LRU is empty. */
static struct page *isolate_head(void)
{
	spin_lock(&anon_lock);
	struct page *p = NULL;
	if (!list_empty(&lru)) {
		p = list_first_entry(&lru, struct page, list);
		lru_del_locked(p);
		p->flags |= PG_isolated;
		get_page(p);
	}
	spin_unlock(&anon_lock);
	return p;
}

/* End of isolation: back to the LRU tail if still in use, and drop our reference. */
static void putback(struct page *p)
{
	spin_lock(&anon_lock);
	p->flags &= ~PG_isolated;
	if (p->mapcount > 0 || (p->flags & PG_swapcache))
		lru_add_locked(p);
	spin_unlock(&anon_lock);
	put_page(p);
}

/* ------------------------------------------------------------------ one page */

struct victim {
	struct page *page;
	int n, locked;
	struct {
		struct mm *mm;
		vaddr_t va;
		pte_t old;
		struct rmap_item *item;
	} map[RMAP_MAX];
};

enum reclaim_result { KEPT, FREED, NO_SWAP };

/* Copy the reverse map, grabbing each mm (alive: rmap.h). False if mapped too often. */
static bool snapshot(struct victim *v)
{
	spin_lock(&anon_lock);
	v->n = 0;
	bool ok = true;
	for (struct rmap_item *it = v->page->rmap; it && ok; it = it->next) {
		if (v->n == RMAP_MAX) {
			ok = false;
			break;
		}
		v->map[v->n].mm = it->mm;
		v->map[v->n].va = it->va;
		mm_grab(it->mm);
		v->n++;
	}
	spin_unlock(&anon_lock);
	return ok;
}

/* Is the chain still exactly the snapshot? (All mm->locks held.) */
static bool snapshot_valid(struct victim *v)
{
	spin_lock(&anon_lock);
	bool ok = (v->page->flags & PG_anon) && rmap_count_locked(v->page) == v->n;
	for (int i = 0; i < v->n && ok; i++) {
		bool found = false;
		for (struct rmap_item *it = v->page->rmap; it; it = it->next)
			found |= it->mm == v->map[i].mm && it->va == v->map[i].va;
		ok = found;
	}
	spin_unlock(&anon_lock);
	return ok;
}

static void unlock_and_release(struct victim *v)
{
	for (int i = 0; i < v->locked; i++)
		mutex_unlock(&v->map[i].mm->lock);
	for (int i = 0; i < v->n; i++)
		mm_drop(v->map[i].mm);
	v->locked = 0;
}

/* Rule 2: the first mm's lock, waiting if need be; the others only if free. */
static bool lock_all(struct victim *v)
{
	mutex_lock(&v->map[0].mm->lock);
	for (v->locked = 1; v->locked < v->n; v->locked++)
		if (!mutex_trylock(&v->map[v->locked].mm->lock))
			return false;
	return true;
}

/* The PTE of mapping i, checked to map our page; saves it in map[i].old. pt_lock held. */
/* The PTE that maps page at (mm, va), as the rmap says; a mismatch is a kernel bug. pt_lock held. */
static pte_t *pte_mapping(struct mm *mm, vaddr_t va, struct page *page)
{
	pte_t *e = pt_walk(mm->pml4, va, false, NULL);
	if (!e || !pte_mapped(*e) || pte_addr(*e) != page_to_phys(page))
		panic("reclaim: rmap says page %#lx is mapped at %#lx in mm %p, the PTE says %#lx",
		      page_to_phys(page), va, (void *)mm, e ? *e : 0);
	return e;
}

static pte_t *mapping_pte(struct victim *v, int i)
{
	pte_t *e = pte_mapping(v->map[i].mm, v->map[i].va, v->page);
	v->map[i].old = *e;
	return e;
}

/* Rule 3: test and clear the accessed bits, CPU and secondary. */
static bool page_young(struct victim *v)
{
	bool young = false;
	for (int i = 0; i < v->n; i++) {
		struct mm *mm = v->map[i].mm;
		spin_lock(&mm->pt_lock);
		pte_t *e = mapping_pte(v, i);
		young |= __atomic_fetch_and(e, ~PTE_A, __ATOMIC_RELAXED) & PTE_A;
		spin_unlock(&mm->pt_lock);
		young |= mmu_notifier_clear_young(mm, v->map[i].va, v->map[i].va + PAGE_SIZE) != 0;
	}
	return young;
}

/* Rule 4: replace mapping i by a swap entry for slot; its reference goes with the gather. */
static void unmap_one(struct victim *v, int i, u32 slot)
{
	struct mm *mm = v->map[i].mm;
	vaddr_t va = v->map[i].va;
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, mm, va, va + PAGE_SIZE, MMU_NOTIFY_SWAP, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	pte_t *e = mapping_pte(v, i);
	*e = swap_pte(slot);
	spin_lock(&anon_lock);
	swap_slot_dup_locked(slot);
	spin_unlock(&anon_lock);
	v->map[i].item = page_remove_anon_rmap(v->page, mm, va);
	mm->rss--;
	mm->swap_ents++;
	tlb_remove_page(&tlb, v->page, va);
	trace_event(TRACE_SWAP_OUT, va, page_to_phys(v->page));
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	mmu_notifier_invalidate_range_end(&range);
}

/* The write failed (swap.h rule 2): every PTE back as it was. */
/*
 * Put back one mapping whose swap entry for slot replaced old (the write
 * failed): the page, its rmap item, the counts; the entry's slot use goes.
 * mm->lock held, so nobody changed the entry meanwhile.
 */
static void restore_one(struct mm *mm, vaddr_t va, struct page *page, pte_t old, struct rmap_item *item,
			u32 slot)
{
	spin_lock(&mm->pt_lock);
	pte_t *e = pt_walk(mm->pml4, va, false, NULL);
	if (!e || *e != swap_pte(slot))
		panic("reclaim: swap entry at %#lx changed while its mm was locked", va);
	get_page(page);
	page_add_anon_rmap(page, mm, va, item);
	*e = old;
	mm->rss++;
	mm->swap_ents--;
	spin_lock(&anon_lock);
	swap_slot_put_locked(slot);     /* never the last user: reclaim still holds one */
	spin_unlock(&anon_lock);
	spin_unlock(&mm->pt_lock);
}

static void restore_mappings(struct victim *v, u32 slot)
{
	for (int i = 0; i < v->n; i++)
		restore_one(v->map[i].mm, v->map[i].va, v->page, v->map[i].old, v->map[i].item, slot);
}

/* A page only in the swap cache, mapped nowhere: drop it (its data is on disk). */
static enum reclaim_result drop_cached(struct page *p)
{
	struct page *drop = NULL;
	spin_lock(&anon_lock);
	/* refcount 2: ours and the cache's; more means a swap-in is about to map it. */
	if (p->mapcount == 0 && (p->flags & PG_swapcache) && !(p->flags & PG_locked) && p->refcount == 2) {
		swap_cache_del_locked(p);
		drop = p;
	}
	spin_unlock(&anon_lock);
	if (drop)
		put_page(drop);         /* the cache's reference */
	putback(p);
	return drop ? FREED : KEPT;
}

/* Take a slot for p: its own when it is in the swap cache (no write needed), else a new one. */
static u32 take_slot(struct page *p, bool *need_write)
{
	spin_lock(&anon_lock);
	u32 slot;
	if (p->flags & PG_swapcache) {
		slot = p->swap_slot;
		swap_slot_dup_locked(slot);
		*need_write = false;
	} else {
		slot = swap_slot_alloc_locked();
		*need_write = true;
	}
	spin_unlock(&anon_lock);
	return slot;
}

/*
 * After a successful swap-out (the mms are unlocked again): drop reclaim's
 * slot hold and the cached copy if unused. Faults may have used up every
 * swap entry meanwhile; then our hold was the slot's last user and the
 * slot's cached page comes back from swap_slot_put_locked: p, or (when p
 * was written, not cached) the new page those faults read the slot into.
 * Either way the cache's reference is ours to drop.
 */
static enum reclaim_result finish(struct page *p, u32 slot)
{
	spin_lock(&anon_lock);
	/* p itself if it was cached; or the page a fault read the slot into meanwhile */
	struct page *cached = swap_slot_put_locked(slot);
	if (!cached && p->mapcount == 0 && (p->flags & PG_swapcache) && p->refcount == 2) {
		swap_cache_del_locked(p);       /* ours and the cache's only: nobody is about to map it */
		cached = p;
	}
	bool freed = p->mapcount == 0 && !(p->flags & PG_swapcache);
	spin_unlock(&anon_lock);
	if (cached)
		put_page(cached);
	putback(p);
	return freed ? FREED : KEPT;
}

/* Reclaim one isolated page (we hold a reference; it is ours to put back or free). */
static enum reclaim_result reclaim_isolated(struct page *page)
{
	struct victim v = { .page = page };
	VMSTAT_INC(reclaim_scanned);
	bool ok = snapshot(&v);
	if (ok && v.n == 0) {
		unlock_and_release(&v);
		return drop_cached(v.page);
	}
	if (!ok || !lock_all(&v) || !snapshot_valid(&v)) {
		unlock_and_release(&v);
		putback(v.page);
		return KEPT;
	}
	if (page_young(&v)) {
		VMSTAT_INC(reclaim_young);
		unlock_and_release(&v);
		putback(v.page);
		return KEPT;
	}
	bool need_write;
	u32 slot = take_slot(v.page, &need_write);
	if (!slot) {
		unlock_and_release(&v);
		putback(v.page);
		return NO_SWAP;
	}
	for (int i = 0; i < v.n; i++)
		unmap_one(&v, i, slot);
	/* Every TLB is flushed: nobody can write the page now (swap.h rule 1). */
	if (need_write && swap_write_page(slot, v.page) != 0) {
		restore_mappings(&v, slot);
		spin_lock(&anon_lock);
		swap_slot_put_locked(slot);     /* reclaim's hold, the last: the slot is free */
		spin_unlock(&anon_lock);
		unlock_and_release(&v);
		putback(v.page);
		return KEPT;
	}
	for (int i = 0; i < v.n; i++)
		rmap_item_free(v.map[i].item);  /* kept only for restore_mappings */
	unlock_and_release(&v);
	return finish(v.page, slot);
}

int reclaim_one_page(struct page *p)
{
	spin_lock(&anon_lock);
	bool ok = p->flags & PG_lru;
	if (ok) {
		lru_del_locked(p);
		p->flags |= PG_isolated;
		get_page(p);
	}
	spin_unlock(&anon_lock);
	if (!ok)
		return -ENOENT;
	switch (reclaim_isolated(p)) {
	case FREED: return 1;
	case NO_SWAP: return -ENOSPC;
	default: return 0;
	}
}

/* ------------------------------------------------------------------ batches */

/*
 * Rule 5 (batching): pages mapped once, all by the same mm, are evicted
 * together: one mm->lock, one SWAP range over them all, one mmu_gather and
 * so one TLB shootdown for the batch, then the writes. Evicting them one
 * by one would cost a shootdown per page, which is what dominates swap
 * with many CPUs. Pages mapped by several mms (fork) take the one-page
 * path above.
 */
struct batch_page {
	struct page *page;
	vaddr_t va;
	pte_t old;
	u32 slot;
	bool need_write;
	struct rmap_item *item;
};

/* If p has exactly one mapping, its mm (grabbed) and address. */
static struct mm *sole_mapping(struct page *p, vaddr_t *va)
{
	struct mm *mm = NULL;
	spin_lock(&anon_lock);
	if ((p->flags & PG_anon) && p->rmap && !p->rmap->next) {
		mm = p->rmap->mm;
		*va = p->rmap->va;
		mm_grab(mm);
	}
	spin_unlock(&anon_lock);
	return mm;
}

/* Still mapped only at (mm, va)? mm->lock held. */
static bool still_sole(struct page *p, struct mm *mm, vaddr_t va)
{
	spin_lock(&anon_lock);
	bool ok = (p->flags & PG_anon) && p->rmap && !p->rmap->next && p->rmap->mm == mm && p->rmap->va == va;
	spin_unlock(&anon_lock);
	return ok;
}

/* Keep the pages worth evicting (old, with a slot); put the others back. mm->lock held. */
static int batch_select(struct mm *mm, struct batch_page *b, int n, bool *no_swap)
{
	int kept = 0;
	for (int i = 0; i < n; i++) {
		bool young = false, ok = still_sole(b[i].page, mm, b[i].va) && !*no_swap;
		if (ok) {
			spin_lock(&mm->pt_lock);
			young = __atomic_fetch_and(pte_mapping(mm, b[i].va, b[i].page), ~PTE_A, __ATOMIC_RELAXED) & PTE_A;
			spin_unlock(&mm->pt_lock);
			young |= mmu_notifier_clear_young(mm, b[i].va, b[i].va + PAGE_SIZE) != 0;
			if (young)
				VMSTAT_INC(reclaim_young);
		}
		if (ok && !young) {
			b[i].slot = take_slot(b[i].page, &b[i].need_write);
			*no_swap = b[i].slot == 0;
		}
		if (!ok || young || *no_swap) {
			putback(b[i].page);
			continue;
		}
		b[kept++] = b[i];
	}
	return kept;
}

/* Rule 4 for the whole batch: one range, one gather, one shootdown. mm->lock held. */
static void batch_unmap(struct mm *mm, struct batch_page *b, int n)
{
	vaddr_t lo = b[0].va, hi = b[0].va;
	for (int i = 1; i < n; i++) {
		lo = MIN(lo, b[i].va);
		hi = MAX(hi, b[i].va);
	}
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, mm, lo, hi + PAGE_SIZE, MMU_NOTIFY_SWAP, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	for (int i = 0; i < n; i++) {
		pte_t *e = pte_mapping(mm, b[i].va, b[i].page);
		b[i].old = *e;
		*e = swap_pte(b[i].slot);
		spin_lock(&anon_lock);
		swap_slot_dup_locked(b[i].slot);
		spin_unlock(&anon_lock);
		b[i].item = page_remove_anon_rmap(b[i].page, mm, b[i].va);
		mm->rss--;
		mm->swap_ents++;
		tlb_remove_page(&tlb, b[i].page, b[i].va);
		trace_event(TRACE_SWAP_OUT, b[i].va, page_to_phys(b[i].page));
	}
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	mmu_notifier_invalidate_range_end(&range);
}

/* A write failed: b's PTE back as it was, the slot freed (swap.h rule 2). mm->lock held. */
static void batch_restore(struct mm *mm, struct batch_page *b)
{
	restore_one(mm, b->va, b->page, b->old, b->item, b->slot);
	spin_lock(&anon_lock);
	swap_slot_put_locked(b->slot);  /* reclaim's, the last: the slot is free */
	spin_unlock(&anon_lock);
}

/* Evict n isolated pages, each mapped only by mm (grabbed; dropped here). Returns the frames freed. */
static unsigned long reclaim_batch(struct mm *mm, struct batch_page *b, int n, bool *no_swap)
{
	mutex_lock(&mm->lock);          /* rule 2: we hold no other lock */
	n = batch_select(mm, b, n, no_swap);
	if (n)
		batch_unmap(mm, b, n);
	bool written[SWAP_CLUSTER];
	for (int i = 0; i < n; i++) {
		written[i] = !b[i].need_write || swap_write_page(b[i].slot, b[i].page) == 0;
		if (written[i])
			rmap_item_free(b[i].item);
		else
			batch_restore(mm, &b[i]);
	}
	mutex_unlock(&mm->lock);
	unsigned long freed = 0;
	for (int i = 0; i < n; i++) {
		if (written[i])
			freed += finish(b[i].page, b[i].slot) == FREED;
		else
			putback(b[i].page);
	}
	mm_drop(mm);
	return freed;
}

unsigned long reclaim_pages(unsigned long want, unsigned long max_scan)
{
	unsigned long freed = 0, scanned = 0;
	bool no_swap = false, empty = false;
	if (!swap_present())
		return 0;       /* nothing can go anywhere (and without swap nothing is cached) */
	while (freed < want && scanned < max_scan && !empty && !no_swap) {
		struct batch_page b[SWAP_CLUSTER];
		struct mm *bmm = NULL;
		int n = 0;
		while (n < SWAP_CLUSTER && scanned < max_scan && !no_swap) {
			struct page *p = isolate_head();
			if (!p) {
				empty = true;
				break;
			}
			scanned++;
			vaddr_t va;
			struct mm *mm = sole_mapping(p, &va);
			if (mm && (!bmm || mm == bmm)) {
				if (bmm)
					mm_drop(mm);    /* the batch holds one reference */
				bmm = mm;
				VMSTAT_INC(reclaim_scanned);
				b[n++] = (struct batch_page){ .page = p, .va = va };
				continue;
			}
			if (mm)
				mm_drop(mm);
			enum reclaim_result r = reclaim_isolated(p);
			freed += r == FREED;
			no_swap = r == NO_SWAP;
		}
		if (n)
			freed += reclaim_batch(bmm, b, n, &no_swap);
	}
	VMSTAT_ADD(reclaim_reclaimed, freed);
	return freed;
}

/* Two passes over the LRU: every page gets its second chance once. */
static unsigned long scan_budget(void)
{
	return 2 * READ_ONCE(lru_nr) + SWAP_CLUSTER;
}

/* ------------------------------------------------------------------ allocation */

static void wake_kswapd(void)
{
	if (READ_ONCE(kswapd_sleeping))
		wake_up_all(&kswapd_wq);
}

struct page *alloc_user_page(void)
{
	u64 free = pmm_free_pages();
	if (free < wmark_low)
		wake_kswapd();
	if (free <= wmark_min)
		return NULL;
	return alloc_page();
}

bool reclaim_after_enomem(int attempt)
{
	struct proc *self = proc_current();
	if (attempt >= OOM_MAX_ATTEMPTS || (self && READ_ONCE(self->killed)))
		return false;
	VMSTAT_INC(reclaim_direct);
	wake_kswapd();
	if (reclaim_pages(SWAP_CLUSTER, scan_budget()) > 0 || pmm_free_pages() > wmark_min)
		return true;
	/* Rule 6: nothing could be reclaimed. */
	int victim = proc_oom_kill(self);
	if (victim < 0)
		return false;           /* we are the largest: the caller's process dies */
	msleep(10);                     /* let the victim (killed now or before) exit */
	return true;
}

/* ------------------------------------------------------------------ the reclaim thread */

static bool kswapd_has_work(void)
{
	return pmm_free_pages() < wmark_low;
}

static void kswapd_main(void *arg)
{
	UNUSED(arg);
	for (;;) {
		WRITE_ONCE(kswapd_sleeping, true);
		wait_event(&kswapd_wq, kswapd_has_work());
		WRITE_ONCE(kswapd_sleeping, false);
		VMSTAT_INC(kswapd_wakeups);
		while (pmm_free_pages() < wmark_high) {
			if (reclaim_pages(SWAP_CLUSTER, scan_budget()) == 0) {
				msleep(20);     /* nothing reclaimable now: back off, faults will OOM-kill */
				break;
			}
		}
	}
}

void reclaim_init(void)
{
	u64 total = pmm_total_pages();
	wmark_min = MAX(total / 64, 32);
	wmark_low = wmark_min * 2;
	wmark_high = wmark_min * 3;
	if (!kthread_create("kswapd", kswapd_main, NULL))
		pr_err("reclaim: no reclaim thread (out of memory); direct reclaim only\n");
	pr_info("reclaim: watermarks min %lu low %lu high %lu pages\n", wmark_min, wmark_low, wmark_high);
}

void reclaim_get_info(struct secundus_swapinfo *info)
{
	info->lru_pages = READ_ONCE(lru_nr);
	info->wmark_min = wmark_min;
	info->wmark_low = wmark_low;
	info->wmark_high = wmark_high;
}
