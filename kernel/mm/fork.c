/*
 * fork.c - copying an address space for fork().
 *
 * Private pages are not copied: parent and child map the same frame
 * read-only, and the first write in either breaks the sharing
 * (fault.c, break_cow). Making the parent's writable PTEs read-only is a
 * primary-mapping change like any other: it happens inside a FORK
 * notifier range, and the parent's TLBs are flushed (through an
 * mmu_gather) before fork returns, or the parent could keep writing
 * through a stale writable entry into a page the child now shares.
 * Shared pages (MAP_SHARED) are mapped in the child as in the parent.
 * A swapped-out page is shared the same way: the child gets the same swap
 * entry and the slot one more user (swap.h rule 3); whichever process
 * faults first reads it into the swap cache, where the other finds it.
 * Each private page the child maps gets an rmap item (rmap.h), so reclaim
 * can find the child's mapping too.
 */
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/swap.h"

struct copy_ctx {
	struct mm *child;
	struct vma *vma;
	struct mmu_gather *tlb;
	bool failed;
};

/* The child names the same slot: one more user of it. Parent's pt_lock held. */
static void copy_swap_entry(struct copy_ctx *c, pte_t entry, vaddr_t va)
{
	pte_t *ce = pt_walk(c->child->pml4, va, true, NULL);
	if (!ce) {
		c->failed = true;
		return;
	}
	spin_lock(&anon_lock);
	swap_slot_dup_locked(swap_pte_slot(entry));
	spin_unlock(&anon_lock);
	*ce = entry;
	c->child->swap_ents++;
}

static void copy_one(pte_t *e, vaddr_t va, void *arg)
{
	struct copy_ctx *c = arg;
	if (c->failed)
		return;
	if (pte_is_swap(*e)) {
		copy_swap_entry(c, *e, va);
		return;
	}
	if (!pte_mapped(*e))
		return;
	struct page *p = phys_to_page(pte_addr(*e));
	struct rmap_item *it = NULL;
	if (!(c->vma->flags & VMA_SHARED) && !(it = rmap_item_alloc())) {
		c->failed = true;
		return;
	}
	if (!(c->vma->flags & VMA_SHARED) && (*e & PTE_W)) {
		*e &= ~PTE_W;   /* parent: write-protect for copy-on-write */
		tlb_change_range(c->tlb, va, va + PAGE_SIZE);
	}
	if (pt_map(c->child->pml4, va, pte_addr(*e), *e & ~PTE_ADDR_MASK & ~PTE_P, NULL) < 0) {
		c->failed = true;
		if (it)
			rmap_item_free(it);
		return;
	}
	if (!(*e & PTE_P)) {    /* a PROT_NONE page: keep it hidden in the child too */
		pte_t *ce = pt_walk(c->child->pml4, va, false, NULL);
		*ce &= ~PTE_P;
	}
	get_page(p);
	if (it)
		page_add_anon_rmap(p, c->child, va, it);
	else
		page_add_shared_map(p);
	c->child->rss++;
}

/* Copy one VMA and its PTEs. Both mm->locks held. */
static int copy_vma(struct mm *parent, struct mm *child, struct vma *v, struct mmu_gather *tlb)
{
	int r = vma_add(child, v->start, v->end, v->prot, v->flags, v->shm, v->shm_pgoff);
	if (r)
		return r;
	struct copy_ctx c = { child, v, tlb, false };
	spin_lock(&parent->pt_lock);
	pt_for_each_leaf(parent->pml4, v->start, v->end, copy_one, &c);
	spin_unlock(&parent->pt_lock);
	return c.failed ? -12 : 0;
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_create();
	if (!child)
		return NULL;
	mutex_lock(&parent->lock);
	mutex_lock(&child->lock);       /* reclaim may find the child through the rmap items we add */
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, parent, 0, USER_TOP, MMU_NOTIFY_FORK, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, parent);
	int r = 0;
	struct list_head *pos;
	list_for_each(pos, &parent->vmas) {
		r = copy_vma(parent, child, list_entry(pos, struct vma, link), &tlb);
		if (r)
			break;
	}
	tlb_gather_end(&tlb);   /* the parent's write-protection is visible on every CPU */
	mmu_notifier_invalidate_range_end(&range);
	mutex_unlock(&child->lock);
	mutex_unlock(&parent->lock);
	if (r) {
		mm_put_user(child);     /* tears down what was copied */
		return NULL;
	}
	return child;
}
