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
 *   anything else         -> the access is not allowed: -EFAULT (SIGSEGV)
 *
 * mm->lock is held throughout, so faults and map changes of one mm are
 * serialised; pt_lock guards the PTE updates themselves.
 */
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmstat.h"
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

/* First touch of a page. pt_lock held. */
static int fault_in_new(struct mm *mm, struct vma *v, pte_t *e, vaddr_t va)
{
	struct page *p;
	if (v->flags & VMA_SHARED) {
		p = shmem_page(v->shm, v->shm_pgoff + (va - v->start) / PAGE_SIZE);
		if (!p)
			return -ENOMEM;
		get_page(p);    /* the PTE's reference; shmem keeps its own */
	} else {
		p = alloc_zeroed_page();
		if (!p)
			return -ENOMEM;
		VMSTAT_INC(zero_fills);
	}
	p->mapcount++;
	mm->rss++;
	*e = pte_for(v, p, v->prot & PROT_WRITE);
	return 0;
}

/* Write to a present read-only page of a writable private VMA. pt_lock held. */
static int break_cow(struct mm *mm, struct vma *v, pte_t *e, vaddr_t va, struct mmu_gather *tlb)
{
	struct page *old = phys_to_page(pte_addr(*e));
	if (old->mapcount == 1 && old->refcount == 1) {
		*e |= PTE_W;    /* only we use it: no copy needed */
		VMSTAT_INC(cow_reuses);
		return 0;
	}
	struct page *copy = alloc_page();
	if (!copy)
		return -ENOMEM;
	memcpy(page_address(copy), page_address(old), PAGE_SIZE);
	copy->mapcount = 1;
	*e = pte_for(v, copy, true);
	old->mapcount--;
	tlb_remove_page(tlb, old, va); /* our reference goes once no TLB can reach it */
	VMSTAT_INC(cow_breaks);
	UNUSED(mm);
	return 0;
}

/* mm->lock held. */
static int fault_locked(struct mm *mm, struct vma *v, vaddr_t va, int fault_flags)
{
	spin_lock(&mm->pt_lock);
	pte_t *e = pt_walk(mm->pml4, va, true, NULL);
	if (!e) {
		spin_unlock(&mm->pt_lock);
		return -ENOMEM;
	}
	if (!pte_mapped(*e)) {
		int r = fault_in_new(mm, v, e, va);
		spin_unlock(&mm->pt_lock);
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
	/* COW replaces a page: tell secondary MMUs, outside the spinlock (they may sleep). */
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, mm, va, va + PAGE_SIZE, MMU_NOTIFY_COW, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	int r = break_cow(mm, v, e, va, &tlb);
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	mmu_notifier_invalidate_range_end(&range);
	return r;
}

int handle_mm_fault(struct mm *mm, vaddr_t addr, int fault_flags)
{
	if (addr >= USER_TOP)
		return -EFAULT;
	VMSTAT_INC(page_faults);
	mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, addr);
	int r = v && access_allowed(v, fault_flags)
		? fault_locked(mm, v, ALIGN_DOWN(addr, PAGE_SIZE), fault_flags) : -EFAULT;
	mutex_unlock(&mm->lock);
	return r;
}
