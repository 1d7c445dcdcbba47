/*
 * fault.c - the page-fault path: demand zero-fill, shared pages, and
 * copy-on-write.
 *
 *   not mapped yet        -> private: a new zeroed page; shared: the
 *                            shmem object's page for that index
 *   write to a read-only  -> private writable VMA: copy-on-write. If we
 *   PTE                      are the page's only user, just make it
 *                            writable (a "reuse"); else copy it to a new
 *                            page, map that, and free our reference to
 *                            the old one through an mmu_gather (another
 *                            CPU may still hold the old translation).
 *   a swap entry          -> swap-in (do_swap_page): the page from the swap
 *                            cache or read from disk; mapped writable only
 *                            when no other swap entry still names the slot
 *   anything else         -> the access is not allowed: -EFAULT (SIGSEGV)
 *
 * mm->lock is held throughout, so faults and map changes of one mm are
 * serialised; pt_lock guards the PTE updates themselves. Pages are
 * allocated before pt_lock is taken (alloc_user_page); when none is left
 * handle_mm_fault drops mm->lock, reclaims directly and retries
 * (reclaim.h), so a fault never waits for memory while holding a lock.
 */
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmstat.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/reclaim.h"
#include "kernel/trace.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"

const char *fault_reason(int fault_flags, struct vma *vma)
{
	if (!vma)
		return "no mapping at this address";
	if (!(vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return "PROT_NONE mapping";
	if ((fault_flags & FAULT_WRITE) && !(vma->prot & PROT_WRITE))
		return "write to read-only memory";
	if ((fault_flags & FAULT_EXEC) && !(vma->prot & PROT_EXEC))
		return "execute of no-execute memory";
	return "access not allowed";
}

static bool access_allowed(const struct vma *v, int fault_flags)
{
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return false;
	if ((fault_flags & FAULT_WRITE) && !(v->prot & PROT_WRITE))
		return false;
	if ((fault_flags & FAULT_EXEC) && !(v->prot & PROT_EXEC))
		return false;
	return true;
}

static pte_t pte_for(const struct vma *v, struct page *p, bool writable)
{
	pte_t e = page_to_phys(p) | PTE_P | PTE_U;
	if (writable)
		e |= PTE_W;
	if (!(v->prot & PROT_EXEC))
		e |= PTE_NX;
	return e;
}

/*
 * What a fault needs allocated before it takes pt_lock: a page for new
 * data and an rmap item. Whatever is left over is freed by prealloc_free.
 */
struct prealloc {
	struct page *page;
	struct rmap_item *item;
};

static int prealloc_get(struct prealloc *pa, bool page, bool zero)
{
	if (page && !pa->page) {
		pa->page = alloc_user_page();
		if (!pa->page)
			return -ENOMEM;
		if (zero)
			memset(page_address(pa->page), 0, PAGE_SIZE);
	}
	if (!pa->item && !(pa->item = rmap_item_alloc()))
		return -ENOMEM;
	return 0;
}

static void prealloc_free(struct prealloc *pa)
{
	if (pa->page)
		put_page(pa->page);
	if (pa->item)
		rmap_item_free(pa->item);
}

/* First touch of a page. pt_lock held; pa holds a zeroed page and an item for a private VMA. */
static int fault_in_new(struct mm *mm, struct vma *v, pte_t *e, vaddr_t va, struct prealloc *pa)
{
	struct page *p;
	if (v->flags & VMA_SHARED) {
		p = shmem_page(v->shm, v->shm_pgoff + (va - v->start) / PAGE_SIZE);
		if (!p)
			return -ENOMEM;
		get_page(p);    /* the PTE's reference; shmem keeps its own */
		page_add_shared_map(p);
	} else {
		p = pa->page;
		pa->page = NULL;
		page_add_anon_rmap(p, mm, va, pa->item);
		pa->item = NULL;
		VMSTAT_INC(zero_fills);
	}
	mm->rss++;
	*e = pte_for(v, p, v->prot & PROT_WRITE);
	return 0;
}

/* Write to a present read-only page of a writable private VMA. pt_lock held; pa has a page and an item. */
static int break_cow(struct mm *mm, struct vma *v, pte_t *e, vaddr_t va, struct mmu_gather *tlb,
		     struct prealloc *pa)
{
	struct page *old = phys_to_page(pte_addr(*e));
	if (old->mapcount == 1 && old->refcount == 1) {
		*e |= PTE_W;    /* only we use it: no copy needed */
		VMSTAT_INC(cow_reuses);
		return 0;
	}
	struct page *copy = pa->page;
	pa->page = NULL;
	memcpy(page_address(copy), page_address(old), PAGE_SIZE);
	page_add_anon_rmap(copy, mm, va, pa->item);
	pa->item = NULL;
	*e = pte_for(v, copy, true);
	page_remove_map(old, mm, va);
	tlb_remove_page(tlb, old, va); /* our reference goes once no TLB can reach it */
	VMSTAT_INC(cow_breaks);
	return 0;
}

/*
 * The PTE at va is a swap entry: bring the page back (swap.h rules 4-6).
 * mm->lock held, pt_lock not. The page is mapped read-only while another
 * swap entry still names its slot (the swap cache keeps it shared, and a
 * later write breaks COW), else it leaves the cache and may be writable,
 * if no other mm maps it already.
 */
static int do_swap_page(struct mm *mm, struct vma *v, pte_t *e, vaddr_t va, pte_t entry)
{
	struct prealloc pa = { 0 };
	if (prealloc_get(&pa, false, false))
		return -ENOMEM;
	struct page *p;
	int r = swapin_page(swap_pte_slot(entry), &p);
	if (r) {
		prealloc_free(&pa);
		return r;
	}
	spin_lock(&mm->pt_lock);
	if (*e != entry) {              /* cannot happen under mm->lock; be safe anyway */
		spin_unlock(&mm->pt_lock);
		prealloc_free(&pa);
		put_page(p);
		return 0;
	}
	spin_lock(&anon_lock);
	struct page *uncached = swap_slot_put_locked(swap_pte_slot(entry));
	/* Ours alone only if no other mm maps it (from the cache, read-only) either. */
	bool exclusive = uncached == p && p->mapcount == 0;
	spin_unlock(&anon_lock);
	page_add_anon_rmap(p, mm, va, pa.item);        /* the reference from swapin_page is the PTE's */
	pa.item = NULL;
	mm->rss++;
	mm->swap_ents--;
	*e = pte_for(v, p, exclusive && (v->prot & PROT_WRITE));
	trace_event(TRACE_SWAP_IN, va, page_to_phys(p));
	spin_unlock(&mm->pt_lock);
	if (uncached)
		put_page(uncached);     /* the swap cache's reference */
	return 0;
}

/* mm->lock held. */
static int fault_locked(struct mm *mm, struct vma *v, vaddr_t va, int fault_flags)
{
	struct prealloc pa = { 0 };
	spin_lock(&mm->pt_lock);
	pte_t *e = pt_walk(mm->pml4, va, true, NULL);
	if (!e) {
		spin_unlock(&mm->pt_lock);
		return -ENOMEM;
	}
	if (pte_is_swap(*e)) {
		pte_t entry = *e;
		spin_unlock(&mm->pt_lock);
		return do_swap_page(mm, v, e, va, entry);
	}
	if (!pte_mapped(*e)) {
		spin_unlock(&mm->pt_lock);
		bool private = !(v->flags & VMA_SHARED);
		if (private && prealloc_get(&pa, true, true))
			return -ENOMEM;
		spin_lock(&mm->pt_lock);
		int r = pte_mapped(*e) ? 0 : fault_in_new(mm, v, e, va, &pa);
		spin_unlock(&mm->pt_lock);
		prealloc_free(&pa);
		return r;
	}
	bool needs_cow = (fault_flags & FAULT_WRITE) && !(*e & PTE_W) && !(v->flags & VMA_SHARED);
	if (!needs_cow) {
		if ((fault_flags & FAULT_WRITE) && !(*e & PTE_W))
			*e |= PTE_W;    /* shared and writable: made read-only by an earlier mprotect */
		spin_unlock(&mm->pt_lock);
		return 0;               /* already fixed (by another thread, or a stale TLB entry) */
	}
	spin_unlock(&mm->pt_lock);
	if (prealloc_get(&pa, true, false))
		return -ENOMEM;
	/* COW replaces a page: tell secondary MMUs, outside the spinlock (they may sleep). */
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, mm, va, va + PAGE_SIZE, MMU_NOTIFY_COW, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	int r = break_cow(mm, v, e, va, &tlb, &pa);
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	mmu_notifier_invalidate_range_end(&range);
	prealloc_free(&pa);
	return r;
}

int handle_mm_fault(struct mm *mm, vaddr_t addr, int fault_flags)
{
	if (addr >= USER_TOP)
		return -EFAULT;
	VMSTAT_INC(page_faults);
	for (int attempt = 0;; attempt++) {
		mutex_lock(&mm->lock);
		struct vma *v = vma_find(mm, addr);
		int r = v && access_allowed(v, fault_flags)
			? fault_locked(mm, v, ALIGN_DOWN(addr, PAGE_SIZE), fault_flags) : -EFAULT;
		mutex_unlock(&mm->lock);
		/* No memory: reclaim with no lock held, then try again (reclaim.h). */
		if (r != -ENOMEM || !reclaim_after_enomem(attempt))
			return r;
	}
}
