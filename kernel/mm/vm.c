/*
 * vm.c - address-space lifecycle and the VMA list.
 *
 * An mm is born with an empty user half and the kernel half (PML4
 * entries 256..511) copied from the boot page table, so every address
 * space sees the same kernel. Two counts keep it: `users` (processes
 * using it; the last one tears the mappings down) and `refs` (the struct
 * and its PML4 page; CPUs that still have it loaded hold one).
 */
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_gather.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vmstat.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/reclaim.h"
#include "kernel/proc/proc.h"
#include "kernel/smp.h"
#include "kernel/lib/string.h"
#include "kernel/lib/printk.h"
#include "kernel/panic.h"
#include "kernel/uapi/uapi_errno.h"

extern char boot_pml4[];

paddr_t kernel_pml4(void)
{
	return (paddr_t)(u64)boot_pml4;         /* boot.S is linked at its physical address */
}

paddr_t pt_alloc_table(void *ctx)
{
	UNUSED(ctx);
	struct page *p = alloc_zeroed_page();
	return p ? page_to_phys(p) : 0;
}

void pt_free_table(void *ctx, paddr_t table)
{
	UNUSED(ctx);
	free_page(phys_to_page(table));
}

struct mm *current_mm(void)
{
	struct thread *t = current_thread();
	return t && t->proc ? t->proc->mm : NULL;
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof *mm);
	struct page *root = alloc_zeroed_page();
	if (!mm || !root) {
		kfree(mm);
		if (root)
			free_page(root);
		return NULL;
	}
	mm->pml4 = page_to_phys(root);
	pte_t *dst = page_address(root), *src = PHYS_TO_VIRT(kernel_pml4());
	for (int i = KERNEL_HALF_FIRST_INDEX; i < PT_ENTRIES; i++)
		dst[i] = src[i];
	list_init(&mm->vmas);
	list_init(&mm->notifiers);
	mutex_init(&mm->lock, "mm");
	spin_init(&mm->pt_lock, "pt");
	spin_init(&mm->notifier_lock, "mmu_notifier");
	mm->users = 1;
	mm->refs = 1;
	return mm;
}

void mm_grab(struct mm *mm)
{
	__atomic_fetch_add(&mm->refs, 1, __ATOMIC_RELAXED);
}

void mm_drop(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (pt_count_tables(mm->pml4) != 0)
		pr_warn("mm %p freed with %lu page-table pages still in its user half\n", (void *)mm,
			pt_count_tables(mm->pml4));
	if (mm->rss || mm->swap_ents)
		pr_warn("mm %p freed with %lu resident pages and %lu swap entries\n", (void *)mm, mm->rss,
			mm->swap_ents);
	free_page(phys_to_page(mm->pml4));
	kfree(mm);
}

/* Cross-call: a CPU still holding mm lazily loads the kernel's page table and lets go of it. */
static void drop_lazy_mm(void *arg)
{
	struct mm *mm = arg;
	struct cpu *c = this_cpu();
	if (c->active_mm != mm || !c->lazy)
		return;
	write_cr3(kernel_pml4());
	mm_deactivate(mm, c);
	c->active_mm = NULL;
	c->lazy = false;
	mm_drop(mm);            /* never the last reference: the caller holds one */
}

/*
 * A dead address space should not linger in CPUs that ran it and went
 * idle: without this, its last pages would be freed whenever those CPUs
 * next switch, and free-page counts would depend on timing.
 */
static void release_lazy_cpus(struct mm *mm)
{
	smp_call_mask(READ_ONCE(mm->cpu_mask), drop_lazy_mm, mm);
}

void mm_put_user(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* Secondary MMUs let go first, before any page is freed. */
	mmu_notifier_release(mm);
	mutex_lock(&mm->lock);
	unmap_vmas(mm, 0, USER_TOP);
	mutex_unlock(&mm->lock);
	release_lazy_cpus(mm);
	mm_drop(mm);
}

void mm_activate(struct mm *mm, struct cpu *c)
{
	__atomic_fetch_or(&mm->cpu_mask, 1ull << c->id, __ATOMIC_SEQ_CST);
	write_cr3(mm->pml4);
}

void mm_deactivate(struct mm *mm, struct cpu *c)
{
	__atomic_fetch_and(&mm->cpu_mask, ~(1ull << c->id), __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------ VMAs */

struct vma *vma_find(struct mm *mm, vaddr_t addr)
{
	struct list_head *pos;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, link);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

u64 vma_count(struct mm *mm)
{
	u64 n = 0;
	struct list_head *pos;
	list_for_each(pos, &mm->vmas)
		n++;
	return n;
}

/* Can b directly follow a as one VMA? */
static bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags || a->shm != b->shm)
		return false;
	return !a->shm || a->shm_pgoff + (a->end - a->start) / PAGE_SIZE == b->shm_pgoff;
}

/* Merge v with its neighbours where possible. mm->lock held. */
void vma_merge_around(struct mm *mm, struct vma *v)
{
	if (v->link.prev != &mm->vmas) {
		struct vma *prev = list_entry(v->link.prev, struct vma, link);
		if (vma_mergeable(prev, v)) {
			prev->end = v->end;
			list_del(&v->link);
			if (v->shm)
				shmem_put(v->shm);
			kfree(v);
			v = prev;
		}
	}
	if (v->link.next != &mm->vmas) {
		struct vma *next = list_entry(v->link.next, struct vma, link);
		if (vma_mergeable(v, next)) {
			v->end = next->end;
			list_del(&next->link);
			if (next->shm)
				shmem_put(next->shm);
			kfree(next);
		}
	}
}

int vma_add(struct mm *mm, vaddr_t start, vaddr_t end, int prot, int flags, struct shmem *shm, u64 pgoff)
{
	struct vma *v = kzalloc(sizeof *v);
	if (!v)
		return -ENOMEM;
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	v->shm = shm;
	v->shm_pgoff = pgoff;
	if (shm)
		shmem_get(shm);
	struct list_head *pos, *before = &mm->vmas;
	list_for_each(pos, &mm->vmas) {
		if (list_entry(pos, struct vma, link)->start > start) {
			before = pos;
			break;
		}
	}
	list_add_tail(&v->link, before);
	vma_merge_around(mm, v);
	return 0;
}

/* Split v at addr (inside it): v keeps [start, addr), the new VMA gets [addr, end). */
struct vma *vma_split(struct vma *v, vaddr_t addr)
{
	struct vma *n = kzalloc(sizeof *n);
	if (!n)
		return NULL;
	*n = *v;
	n->start = addr;
	if (n->shm) {
		n->shm_pgoff = v->shm_pgoff + (addr - v->start) / PAGE_SIZE;
		shmem_get(n->shm);
	}
	v->end = addr;
	list_add(&n->link, &v->link);
	return n;
}

/*
 * Make VMA boundaries fall exactly on start and end, so [start, end) is
 * a run of whole VMAs. Returns -ENOMEM if a split could not allocate.
 */
int vma_isolate(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct vma *v = vma_find(mm, start);
	if (v && v->start < start && !vma_split(v, start))
		return -ENOMEM;
	v = vma_find(mm, end - 1);
	if (v && v->end > end && !vma_split(v, end))
		return -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------------ unmapping */

struct zap_ctx {
	struct mm *mm;
	struct mmu_gather *tlb;
};

static void zap_one(pte_t *e, vaddr_t va, void *arg)
{
	struct zap_ctx *z = arg;
	pte_t old = *e;
	*e = 0;
	if (pte_is_swap(old)) {
		swap_entry_free(swap_pte_slot(old));    /* swap.h rule 3 */
		z->mm->swap_ents--;
		return;
	}
	if (!pte_mapped(old))
		return;
	struct page *p = phys_to_page(pte_addr(old));
	page_remove_map(p, z->mm, va);
	z->mm->rss--;
	tlb_remove_page(z->tlb, p, va);        /* the mapping's reference goes with the batch */
}

void zap_range(struct mm *mm, struct mmu_gather *tlb, vaddr_t start, vaddr_t end)
{
	struct zap_ctx z = { mm, tlb };
	pt_for_each_leaf(mm->pml4, start, end, zap_one, &z);
}

static void gather_table(void *ctx, paddr_t table)
{
	tlb_remove_table(ctx, table);
}

/*
 * Remove every mapping in [start, end): notifier start, clear the PTEs
 * and prune empty tables through one mmu_gather, flush and free, notifier
 * end; then drop the VMAs. mm->lock held.
 */
void unmap_vmas(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct mmu_notifier_range range;
	mmu_notifier_range_init(&range, mm, start, end, MMU_NOTIFY_UNMAP, MMU_NOTIFIER_RANGE_BLOCKABLE);
	mmu_notifier_invalidate_range_start(&range);
	struct mmu_gather tlb;
	tlb_gather_begin(&tlb, mm);
	spin_lock(&mm->pt_lock);
	zap_range(mm, &tlb, start, end);
	if (pt_prune_empty(mm->pml4, start, end, gather_table, &tlb))
		tlb_change_range(&tlb, start, start + PAGE_SIZE);       /* invlpg drops cached table entries too */
	spin_unlock(&mm->pt_lock);
	tlb_gather_end(&tlb);
	mmu_notifier_invalidate_range_end(&range);

	struct list_head *pos, *tmp;
	list_for_each_safe(pos, tmp, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, link);
		if (v->start >= start && v->end <= end) {
			list_del(&v->link);
			if (v->shm)
				shmem_put(v->shm);
			kfree(v);
		}
	}
}

/* ------------------------------------------------------------------ kernel writes */

/*
 * Copy len bytes from the kernel buffer src to va in mm, which need not
 * be loaded on this CPU: pages are allocated (zeroed) as needed and
 * written through the direct map, whatever the VMA's rights. For the
 * ELF loader and the initial stack. The VMA must already exist.
 */
int vm_install_data(struct mm *mm, vaddr_t va, const void *src, u64 len)
{
	const u8 *s = src;
	mutex_lock(&mm->lock);
	int r = 0;
	while (len && !r) {
		vaddr_t page_va = ALIGN_DOWN(va, PAGE_SIZE);
		u64 off = va - page_va, n = MIN(len, PAGE_SIZE - off);
		struct vma *v = vma_find(mm, page_va);
		struct rmap_item *it = rmap_item_alloc();
		spin_lock(&mm->pt_lock);
		pte_t *e = v ? pt_walk(mm->pml4, page_va, true, NULL) : NULL;
		if (e && !pte_mapped(*e) && it) {
			struct page *p = alloc_user_page();
			if (p) {
				memset(page_address(p), 0, PAGE_SIZE);
				page_add_anon_rmap(p, mm, page_va, it);
				it = NULL;
				mm->rss++;
				*e = page_to_phys(p) | PTE_P | PTE_U | (v->prot & PROT_WRITE ? PTE_W : 0) |
				     (v->prot & PROT_EXEC ? 0 : PTE_NX);
			}
		}
		if (e && pte_mapped(*e))
			memcpy((u8 *)PHYS_TO_VIRT(pte_addr(*e)) + off, s, n);
		else
			r = v ? -ENOMEM : -EFAULT;
		spin_unlock(&mm->pt_lock);
		if (it)
			rmap_item_free(it);
		va += n, s += n, len -= n;
	}
	mutex_unlock(&mm->lock);
	return r;
}
