/*
 * mmap.c - mmap, munmap, mprotect, madvise(MADV_DONTNEED) and page
 * migration: the system-call level changes to an address space.
 *
 * Each takes mm->lock for its whole duration, validates its arguments
 * first (EINVAL for unaligned or empty ranges, ENOMEM for ranges that are
 * not mapped or too large), and changes PTEs only inside
 * mmu_notifier range start/end with an mmu_gather.
 */
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vmstat.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/reclaim.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define USER_MIN_HINT 0x10000         /* hints below 64 KiB are ignored */

/* A user range [addr, addr+len) that is page-aligned, non-empty and inside user space. */
static int check_range(vaddr_t addr, u64 len)
{
	if (addr & (PAGE_SIZE - 1) || len == 0)
		return -EINVAL;
	if (len > USER_TOP || addr > USER_TOP - ALIGN_UP(len, PAGE_SIZE))
		return -ENOMEM;
	return 0;
}

/* Is [start, end) free of VMAs? */
static bool range_free(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct list_head *pos;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, link);
		if (v->start < end && start < v->end)
			return false;
	}
	return true;
}

/* First gap of len bytes at or above USER_MMAP_BASE (first fit); 0 if none. */
static vaddr_t find_gap(struct mm *mm, u64 len)
{
	vaddr_t cand = USER_MMAP_BASE;
	struct list_head *pos;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, link);
		if (v->end <= cand)
			continue;
		if (v->start >= cand + len)
			break;
		cand = v->end;
	}
	return cand + len <= USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE ? cand : 0;
}

/* Every page of [start, end) lies in some VMA. */
static bool range_fully_mapped(struct mm *mm, vaddr_t start, vaddr_t end)
{
	vaddr_t at = start;
	while (at < end) {
		struct vma *v = vma_find(mm, at);
		if (!v)
			return false;
		at = v->end;
	}
	return true;
}

static long mmap_locked(struct mm *mm, vaddr_t addr, u64 len, int prot, int flags)
{
	if (flags & MAP_FIXED) {
		int r = vma_isolate(mm, addr, addr + len);
		if (r)
			return r;
		unmap_vmas(mm, addr, addr + len);
	} else if (addr < USER_MIN_HINT || addr & (PAGE_SIZE - 1) || addr > USER_TOP - len ||
		   !range_free(mm, addr, addr + len)) {    /* the hint does not fit: choose */
		addr = find_gap(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	struct shmem *shm = NULL;
	if (flags & MAP_SHARED) {
		shm = shmem_create(len / PAGE_SIZE);
		if (!shm)
			return -ENOMEM;
	}
	int r = vma_add(mm, addr, addr + len, prot, shm ? VMA_SHARED : 0, shm, 0);
	if (shm && r)
		kfree(shm->pages), kfree(shm);
	return r ? r : (long)addr;
}

long do_mmap(struct mm *mm, vaddr_t addr, u64 len, int prot, int flags)
{
	if (len == 0 || (prot & ~PROT_ALL))
		return -EINVAL;
	if (len > USER_MAX_MAP)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	int type = flags & (MAP_SHARED | MAP_PRIVATE);
	if (type != MAP_SHARED && type != MAP_PRIVATE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV;         /* no files in Secundus: anonymous memory only */
	if (flags & MAP_FIXED) {
		int r = check_range(addr, len);
		if (r)
			return r;
		if (addr < PAGE_SIZE)
			return -EPERM;  /* page 0 stays unmapped so NULL dereferences fault */
	}
	mutex_lock(&mm->lock);
	long r = mmap_locked(mm, addr, len, prot, flags);
	mutex_unlock(&mm->lock);
	if (r >= 0 && (flags & MAP_POPULATE))
		for (vaddr_t va = (vaddr_t)r; va < (vaddr_t)r + len; va += PAGE_SIZE)
			if (handle_mm_fault(mm, va, prot & PROT_WRITE ? FAULT_WRITE : 0))
				break;
	return r;
}

int do_munmap(struct mm *mm, vaddr_t addr, u64 len)
{
	int r = check_range(addr, len);
	if (r)
		return r;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&mm->lock);
	r = vma_isolate(mm, addr, end);
	if (!r)
		unmap_vmas(mm, addr, end);
	mutex_unlock(&mm->lock);
	return r;
}

/* ------------------------------------------------------------------ mprotect */

struct protect_ctx {
	struct mmu_gather *tlb;
	int prot;
	bool shared;
};

/* New PTE rights for prot. A private page stays read-only (COW) unless we are its only user. */
static void protect_one(pte_t *e, vaddr_t va, void *arg)
{
	struct protect_ctx *c = arg;
	pte_t old = *e;
	if (!pte_mapped(old))
		return;
	pte_t n = pte_addr(old) | PTE_U | (old & (PTE_A | PTE_D));
	if (c->prot == PROT_NONE) {
		n |= PTE_SW_PROTNONE;
	} else {
		n |= PTE_P;
		struct page *p = phys_to_page(pte_addr(old));
		bool exclusive = p->mapcount == 1 && p->refcount == 1;
		if ((c->prot & PROT_WRITE) && (c->shared || exclusive || (old & PTE_W)))
			n |= PTE_W;
		if (!(c->prot & PROT_EXEC))
			n |= PTE_NX;
	}
	if (n != old) {
		*e = n;
		tlb_change_range(c->tlb, va, va + PAGE_SIZE);
	}
}

static void change_protection(struct mm *mm, struct vma *v, int prot)
{
	struct mmu_gather tlb;
	struct protect_ctx c = { &tlb, prot, v->flags & VMA_SHARED };
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	pt_for_each_leaf(mm->pml4, v->start, v->end, protect_one, &c);
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	v->prot = prot;
}

int do_mprotect(struct mm *mm, vaddr_t addr, u64 len, int prot)
{
	int r = check_range(addr, len);
	if (r)
		return r;
	if (prot & ~PROT_ALL)
		return -EINVAL;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&mm->lock);
	if (!range_fully_mapped(mm, addr, end)) {
		mutex_unlock(&mm->lock);
		return -ENOMEM;
	}
	r = vma_isolate(mm, addr, end);
	if (!r) {
		struct mmu_notifier_range range;
		mmu_notifier_range_init(&range, mm, addr, end, MMU_NOTIFY_PROTECTION, MMU_NOTIFIER_RANGE_BLOCKABLE);
		mmu_notifier_invalidate_range_start(&range);
		for (vaddr_t at = addr; at < end;) {
			struct vma *v = vma_find(mm, at);
			at = v->end;
			change_protection(mm, v, prot);
		}
		mmu_notifier_invalidate_range_end(&range);
		struct vma *first = vma_find(mm, addr), *last = vma_find(mm, end - 1);
		vma_merge_around(mm, last);
		if (first != last)
			vma_merge_around(mm, vma_find(mm, addr));
	}
	mutex_unlock(&mm->lock);
	return r;
}

/* ------------------------------------------------------------------ madvise */

int do_madvise(struct mm *mm, vaddr_t addr, u64 len, int advice)
{
	int r = check_range(addr, len);
	if (r)
		return r;
	if (advice == MADV_NORMAL)
		return 0;
	if (advice != MADV_DONTNEED)
		return -EINVAL;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&mm->lock);
	if (!range_fully_mapped(mm, addr, end)) {
		mutex_unlock(&mm->lock);
		return -ENOMEM;
	}
	/* Drop the pages; the VMAs stay, so the next touch zero-fills (private) or finds shmem's page. */
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, mm, addr, end, MMU_NOTIFY_UNMAP, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	zap_range(mm, &tlb, addr, end);
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	mmu_notifier_invalidate_range_end(&range);
	mutex_unlock(&mm->lock);
	return 0;
}

/* ------------------------------------------------------------------ migration */

int do_move_page(struct mm *mm, vaddr_t addr)
{
	vaddr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	if (va >= USER_TOP)
		return -EFAULT;
	struct page *np = alloc_user_page();
	struct rmap_item *it = rmap_item_alloc();
	if (!np || !it) {
		if (np)
			put_page(np);
		rmap_item_free(it);
		return -ENOMEM;
	}
	mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, va);
	pte_t *e = v && !(v->flags & VMA_SHARED) ? pt_walk(mm->pml4, va, false, NULL) : NULL;
	if (!e || !pte_mapped(*e)) {
		mutex_unlock(&mm->lock);
		put_page(np);
		rmap_item_free(it);
		return v ? -ENOENT : -EFAULT;   /* shared, untouched and swapped-out pages are not moved */
	}
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, mm, va, va + PAGE_SIZE, MMU_NOTIFY_MIGRATE, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	pte_t old = *e;
	struct page *op = phys_to_page(pte_addr(old));
	*e = 0;                                         /* nobody writes while we copy... */
	tlb_change_range(&tlb, va, va + PAGE_SIZE);
	tlb_flush_mmu(&tlb);                            /* ...once every TLB has dropped it */
	memcpy(page_address(np), page_address(op), PAGE_SIZE);
	page_add_anon_rmap(np, mm, va, it);
	*e = page_to_phys(np) | (old & ~PTE_ADDR_MASK);
	page_remove_map(op, mm, va);
	tlb_remove_page(&tlb, op, va);
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	mmu_notifier_invalidate_range_end(&range);
	mutex_unlock(&mm->lock);
	return 0;
}
