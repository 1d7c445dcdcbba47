/*
 * vm_test.c - address spaces, demand paging, fork and copy-on-write
 * (suite vm).
 *
 * Each test builds its own mm with mm_create() and works on it from the
 * kernel: do_mmap/do_munmap/do_mprotect/do_madvise as the system calls
 * would, handle_mm_fault() as the page-fault handler would (it works on
 * any mm, loaded or not), and reads or writes the user pages through the
 * direct map at the frame pt_translate() finds. A "user write" is a write
 * fault followed by a store to the frame then mapped, exactly what the
 * CPU would do after the handler returned.
 *
 *   zero fill on first touch; faults that must fail (-EFAULT);
 *   munmap frees pages and page-table pages (back to the baseline);
 *   partial munmap and mprotect split VMAs, mprotect merges them back;
 *   fork shares private pages read-only (mapcount and refcount 2), a
 *   write copies (cow_breaks) or reuses (cow_reuses), the other side
 *   keeps its data, also two generations down;
 *   MAP_SHARED|MAP_ANONYMOUS stays shared across fork, pages touched
 *   after the fork included;
 *   MADV_DONTNEED gives zeros back (private) or the same data (shared);
 *   mm_put_user / mm_drop give every page and object back.
 *
 * Every test ends with its mm torn down and compares the free-page count
 * (and kmalloc's live objects) with the value before it started.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vmstat.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS)
#define ANON_SHARED (MAP_SHARED | MAP_ANONYMOUS)

struct baseline {
	u64 free_pages, objects;
};

static struct baseline baseline_now(void)
{
	return (struct baseline){ pmm_free_pages(), kmalloc_live_objects() };
}

#define KEXPECT_BASELINE(b)                                              \
	do {                                                             \
		KEXPECT_EQ(pmm_free_pages(), (b).free_pages);            \
		KEXPECT_EQ(kmalloc_live_objects(), (b).objects);         \
	} while (0)

/* The frame mapped at va (0 if none) and the leaf's flags. */
static paddr_t frame_of(struct mm *mm, vaddr_t va, u64 *flags)
{
	u64 f = 0;
	paddr_t pa = pt_translate(mm->pml4, va, &f);
	if (flags)
		*flags = f;
	return pa ? ALIGN_DOWN(pa, PAGE_SIZE) : 0;
}

/* The kernel's view of the user page at va, or NULL when nothing is mapped there. */
static u8 *kview(struct mm *mm, vaddr_t va)
{
	paddr_t pa = frame_of(mm, va, NULL);
	return pa ? (u8 *)PHYS_TO_VIRT(pa) + (va & (PAGE_SIZE - 1)) : NULL;
}

/* A user store of `val` at va: the write fault, then the store. 0 or the fault's error. */
static int user_write(struct mm *mm, vaddr_t va, u8 val)
{
	u64 flags;
	if (!frame_of(mm, va, &flags) || !(flags & PTE_W)) {
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

/* A user load at va: the read fault if needed, then the load. -1 if the fault fails. */
static int user_read(struct mm *mm, vaddr_t va)
{
	if (!frame_of(mm, va, NULL) && handle_mm_fault(mm, va, FAULT_USER))
		return -1;
	u8 *p = kview(mm, va);
	return p ? *p : -1;
}

static u8 pattern(u64 page) { return (u8)(0x5a ^ (page * 37 + 1)); }

/* Write pattern(i) at the start and end of pages [0, n) of base. 0 or an error. */
static int fill_pages(struct mm *mm, vaddr_t base, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		int r = user_write(mm, base + i * PAGE_SIZE, pattern(i));
		if (!r)
			r = user_write(mm, base + i * PAGE_SIZE + PAGE_SIZE - 1, pattern(i));
		if (r)
			return r;
	}
	return 0;
}

static bool page_has_pattern(struct mm *mm, vaddr_t base, u64 i)
{
	u8 *p = kview(mm, base + i * PAGE_SIZE);
	return p && p[0] == pattern(i) && p[PAGE_SIZE - 1] == pattern(i);
}

static bool page_is_zero(struct mm *mm, vaddr_t va)
{
	u8 *p = kview(mm, va);
	if (!p)
		return false;
	for (u64 i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

static u64 present(struct mm *mm, vaddr_t start, u64 npages)
{
	return pt_count_present(mm->pml4, start, start + npages * PAGE_SIZE);
}

/* An mm with one anonymous mapping of npages at *base (nothing touched yet). */
static struct mm *mm_with_mapping(u64 npages, int flags, vaddr_t *base)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	long a = do_mmap(mm, 0, npages * PAGE_SIZE, RW, flags);
	if (a < 0) {
		mm_put_user(mm);
		return NULL;
	}
	*base = (vaddr_t)a;
	return mm;
}

/* ------------------------------------------------------------------ demand paging */

KTEST(vm, zero_fill_on_first_touch)
{
	struct baseline b = baseline_now();
	vaddr_t base = 0;
	struct mm *mm = mm_with_mapping(8, ANON_PRIVATE, &base);
	KASSERT_NOT_NULL(mm);
	KEXPECT_EQ(base, USER_MMAP_BASE);               /* the first mmap goes at the base of the area */
	KEXPECT_EQ(present(mm, base, 8), 0);            /* mmap maps nothing yet */
	KEXPECT_EQ(pt_count_tables(mm->pml4), 0);
	u64 zero_fills = vmstat.zero_fills;
	for (u64 i = 0; i < 8; i++) {
		vaddr_t va = base + i * PAGE_SIZE + 123;        /* any address in the page */
		KASSERT_EQ(handle_mm_fault(mm, va, i % 2 ? FAULT_WRITE | FAULT_USER : FAULT_USER), 0);
		KEXPECT_TRUE(page_is_zero(mm, ALIGN_DOWN(va, PAGE_SIZE)));
		u64 flags;
		KEXPECT_NE(frame_of(mm, va, &flags), 0);
		/* Present, user, writable (a read fault on a writable private VMA maps it writable), no-execute. */
		KEXPECT_EQ(flags & (PTE_P | PTE_U | PTE_W | PTE_NX), PTE_P | PTE_U | PTE_W | PTE_NX);
		struct page *p = phys_to_page(frame_of(mm, va, NULL));
		KEXPECT_EQ(p->mapcount, 1);
		KEXPECT_EQ(p->refcount, 1);
	}
	KEXPECT_EQ(vmstat.zero_fills - zero_fills, 8);
	KEXPECT_EQ(mm->rss, 8);
	KEXPECT_EQ(present(mm, base, 8), 8);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 3);       /* one PDPT, PD and PT */
	/* Every page is a different frame. */
	for (u64 i = 1; i < 8; i++)
		KEXPECT_NE(frame_of(mm, base + i * PAGE_SIZE, NULL), frame_of(mm, base, NULL));
	/* A second fault on a present page changes nothing. */
	paddr_t pa = frame_of(mm, base, NULL);
	KEXPECT_EQ(handle_mm_fault(mm, base, FAULT_WRITE | FAULT_USER), 0);
	KEXPECT_EQ(frame_of(mm, base, NULL), pa);
	KEXPECT_EQ(vmstat.zero_fills - zero_fills, 8);
	mm_put_user(mm);
	KEXPECT_BASELINE(b);
}

KTEST(vm, faults_that_must_fail)
{
	struct baseline b = baseline_now();
	struct mm *mm = mm_create();
	KASSERT_NOT_NULL(mm);
	long ro = do_mmap(mm, 0, PAGE_SIZE, PROT_READ, ANON_PRIVATE);
	long none = do_mmap(mm, 0, PAGE_SIZE, PROT_NONE, ANON_PRIVATE);
	long rw = do_mmap(mm, 0, PAGE_SIZE, RW, ANON_PRIVATE);
	KASSERT_TRUE(ro > 0 && none > 0 && rw > 0);
	KEXPECT_EQ(vma_count(mm), 3);                   /* different rights: no merging */
	KEXPECT_EQ(handle_mm_fault(mm, 0x700000000000ull, FAULT_USER), -EFAULT);     /* no VMA */
	KEXPECT_EQ(handle_mm_fault(mm, USER_TOP, FAULT_USER), -EFAULT);               /* kernel half */
	KEXPECT_EQ(handle_mm_fault(mm, ro, FAULT_WRITE | FAULT_USER), -EFAULT);
	KEXPECT_EQ(handle_mm_fault(mm, none, FAULT_USER), -EFAULT);
	KEXPECT_EQ(handle_mm_fault(mm, rw, FAULT_EXEC | FAULT_USER), -EFAULT);
	KEXPECT_STREQ(fault_reason(FAULT_USER, NULL), "no mapping at this address");
	KEXPECT_STREQ(fault_reason(FAULT_WRITE, vma_find(mm, ro)), "write to read-only memory");
	KEXPECT_STREQ(fault_reason(0, vma_find(mm, none)), "PROT_NONE mapping");
	KEXPECT_STREQ(fault_reason(FAULT_EXEC, vma_find(mm, rw)), "execute of no-execute memory");
	KEXPECT_EQ(pt_count_present(mm->pml4, 0, USER_TOP), 0);         /* nothing was mapped */
	/* A read of the read-only mapping works and maps the page without write access. */
	KEXPECT_EQ(handle_mm_fault(mm, ro, FAULT_USER), 0);
	u64 flags;
	KEXPECT_NE(frame_of(mm, ro, &flags), 0);
	KEXPECT_FALSE(flags & PTE_W);
	KEXPECT_TRUE(page_is_zero(mm, ro));
	mm_put_user(mm);
	KEXPECT_BASELINE(b);
}

/* ------------------------------------------------------------------ munmap */

KTEST(vm, munmap_frees_pages_and_page_tables)
{
	struct baseline b = baseline_now();
	struct mm *mm = mm_create();
	KASSERT_NOT_NULL(mm);
	u64 after_create = pmm_free_pages();
	/* 1024 pages straddling a 1 GiB boundary: 3 PTs, 2 PDs, 1 PDPT. */
	vaddr_t gb = USER_MMAP_BASE + (1ull << 30), base = gb - (2ull << 20) - PAGE_SIZE;
	KASSERT_EQ(do_mmap(mm, base, 1024 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED), (long)base);
	u64 after_mmap = pmm_free_pages();              /* (the VMA may have taken a slab page) */
	u64 slabs = kmalloc_slab_pages();
	KASSERT_EQ(fill_pages(mm, base, 1024), 0);
	KEXPECT_EQ(present(mm, base, 1024), 1024);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 6);
	/* 1024 pages, 6 tables, and the slab pages that took their rmap items */
	KEXPECT_EQ(after_mmap - pmm_free_pages() - (kmalloc_slab_pages() - slabs), 1024 + 6);
	u64 pages_freed = vmstat.pages_freed, pt_freed = vmstat.pt_pages_freed;
	KASSERT_EQ(do_munmap(mm, base, 1024 * PAGE_SIZE), 0);
	KEXPECT_EQ(pt_count_present(mm->pml4, 0, USER_TOP), 0);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 0);       /* every page-table page went too */
	KEXPECT_EQ(vma_count(mm), 0);
	KEXPECT_EQ(mm->rss, 0);
	KEXPECT_EQ(pmm_free_pages(), after_create);
	KEXPECT_EQ(vmstat.pages_freed - pages_freed, 1024);
	KEXPECT_EQ(vmstat.pt_pages_freed - pt_freed, 6);
	/* The range is gone: a touch fails. */
	KEXPECT_EQ(handle_mm_fault(mm, base, FAULT_USER), -EFAULT);
	mm_put_user(mm);
	KEXPECT_BASELINE(b);
}

KTEST(vm, partial_munmap_splits_the_vma_and_keeps_the_rest)
{
	struct baseline b = baseline_now();
	vaddr_t base = 0;
	struct mm *mm = mm_with_mapping(16, ANON_PRIVATE, &base);
	KASSERT_NOT_NULL(mm);
	KASSERT_EQ(fill_pages(mm, base, 16), 0);
	KEXPECT_EQ(vma_count(mm), 1);
	/* A hole in the middle: [4, 8). */
	KASSERT_EQ(do_munmap(mm, base + 4 * PAGE_SIZE, 4 * PAGE_SIZE), 0);
	KEXPECT_EQ(vma_count(mm), 2);
	struct vma *lo = vma_find(mm, base), *hi = vma_find(mm, base + 8 * PAGE_SIZE);
	KASSERT_NOT_NULL(lo);
	KASSERT_NOT_NULL(hi);
	KEXPECT_EQ(lo->start, base);
	KEXPECT_EQ(lo->end, base + 4 * PAGE_SIZE);
	KEXPECT_EQ(hi->start, base + 8 * PAGE_SIZE);
	KEXPECT_EQ(hi->end, base + 16 * PAGE_SIZE);
	KEXPECT_NULL(vma_find(mm, base + 5 * PAGE_SIZE));
	KEXPECT_EQ(present(mm, base + 4 * PAGE_SIZE, 4), 0);
	for (u64 i = 0; i < 16; i++)
		if (i < 4 || i >= 8)
			KEXPECT_TRUE(page_has_pattern(mm, base, i));
	KEXPECT_EQ(handle_mm_fault(mm, base + 5 * PAGE_SIZE, FAULT_USER), -EFAULT);
	/* The first page of the upper part, then the last of the lower part. */
	KASSERT_EQ(do_munmap(mm, base + 8 * PAGE_SIZE, PAGE_SIZE), 0);
	KASSERT_EQ(do_munmap(mm, base + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	KEXPECT_EQ(vma_count(mm), 2);
	KEXPECT_EQ(vma_find(mm, base)->end, base + 3 * PAGE_SIZE);
	KEXPECT_EQ(vma_find(mm, base + 9 * PAGE_SIZE)->start, base + 9 * PAGE_SIZE);
	KEXPECT_EQ(present(mm, base, 16), 3 + 7);
	KEXPECT_EQ(mm->rss, 10);
	/* Unmapping across both parts and the hole removes them and nothing else. */
	KASSERT_EQ(do_munmap(mm, base + PAGE_SIZE, 12 * PAGE_SIZE), 0);
	KEXPECT_EQ(vma_count(mm), 2);
	KEXPECT_TRUE(page_has_pattern(mm, base, 0));
	KEXPECT_TRUE(page_has_pattern(mm, base, 13));
	KEXPECT_EQ(present(mm, base, 16), 1 + 3);
	/* Unmapping where nothing is mapped succeeds (POSIX) and changes nothing. */
	KEXPECT_EQ(do_munmap(mm, base + 4 * PAGE_SIZE, 4 * PAGE_SIZE), 0);
	KEXPECT_EQ(vma_count(mm), 2);
	KEXPECT_EQ(do_munmap(mm, base + 1, PAGE_SIZE), -EINVAL);
	KEXPECT_EQ(do_munmap(mm, base, 0), -EINVAL);
	mm_put_user(mm);
	KEXPECT_BASELINE(b);
}

/* ------------------------------------------------------------------ mprotect */

KTEST(vm, mprotect_splits_and_merges_back)
{
	struct baseline b = baseline_now();
	vaddr_t base = 0;
	struct mm *mm = mm_with_mapping(16, ANON_PRIVATE, &base);
	KASSERT_NOT_NULL(mm);
	KASSERT_EQ(fill_pages(mm, base, 16), 0);
	vaddr_t mid = base + 4 * PAGE_SIZE;
	KASSERT_EQ(do_mprotect(mm, mid, 4 * PAGE_SIZE, PROT_READ), 0);
	KEXPECT_EQ(vma_count(mm), 3);
	KEXPECT_EQ(vma_find(mm, mid)->prot, PROT_READ);
	KEXPECT_EQ(vma_find(mm, mid)->start, mid);
	KEXPECT_EQ(vma_find(mm, mid)->end, mid + 4 * PAGE_SIZE);
	KEXPECT_EQ(vma_find(mm, base)->prot, RW);
	for (u64 i = 0; i < 16; i++) {
		u64 flags;
		KEXPECT_NE(frame_of(mm, base + i * PAGE_SIZE, &flags), 0);
		KEXPECT_EQ(!!(flags & PTE_W), i < 4 || i >= 8);
		KEXPECT_TRUE(page_has_pattern(mm, base, i));    /* the data stays */
	}
	KEXPECT_EQ(handle_mm_fault(mm, mid + PAGE_SIZE, FAULT_WRITE | FAULT_USER), -EFAULT);
	KEXPECT_EQ(user_read(mm, mid + PAGE_SIZE), pattern(5));
	/* PROT_NONE on part of it: a fourth VMA, pages hidden but kept. */
	KASSERT_EQ(do_mprotect(mm, mid, PAGE_SIZE, PROT_NONE), 0);
	KEXPECT_EQ(vma_count(mm), 4);
	KEXPECT_EQ(frame_of(mm, mid, NULL), 0);         /* not present */
	KEXPECT_EQ(handle_mm_fault(mm, mid, FAULT_USER), -EFAULT);
	KEXPECT_EQ(mm->rss, 16);
	/* Back to read-write: one VMA again, every page writable with its data. */
	KASSERT_EQ(do_mprotect(mm, mid, 4 * PAGE_SIZE, RW), 0);
	KEXPECT_EQ(vma_count(mm), 1);
	KEXPECT_EQ(vma_find(mm, base)->start, base);
	KEXPECT_EQ(vma_find(mm, base)->end, base + 16 * PAGE_SIZE);
	for (u64 i = 0; i < 16; i++) {
		u64 flags;
		KEXPECT_NE(frame_of(mm, base + i * PAGE_SIZE, &flags), 0);
		KEXPECT_TRUE(flags & PTE_W);                    /* the only user: no COW needed */
		KEXPECT_TRUE(page_has_pattern(mm, base, i));
	}
	/* Bad arguments. */
	KEXPECT_EQ(do_mprotect(mm, base + 1, PAGE_SIZE, PROT_READ), -EINVAL);
	KEXPECT_EQ(do_mprotect(mm, base, 17 * PAGE_SIZE, PROT_READ), -ENOMEM);     /* runs past the VMA */
	KEXPECT_EQ(vma_count(mm), 1);
	mm_put_user(mm);
	KEXPECT_BASELINE(b);
}

/* ------------------------------------------------------------------ fork and COW */

KTEST(vm, fork_shares_private_pages_read_only)
{
	struct baseline b = baseline_now();
	vaddr_t base = 0;
	struct mm *parent = mm_with_mapping(8, ANON_PRIVATE, &base);
	KASSERT_NOT_NULL(parent);
	KASSERT_EQ(fill_pages(parent, base, 8), 0);
	u64 before_fork = pmm_free_pages();
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	KEXPECT_EQ(vma_count(child), 1);
	KEXPECT_EQ(child->rss, 8);
	/* Only the child's root, tables and structures (at most 2 slab pages) were allocated: no copy. */
	KEXPECT_LE(before_fork - pmm_free_pages(), 1 + pt_count_tables(child->pml4) + 2);
	KEXPECT_EQ(pt_count_tables(child->pml4), 3);
	for (u64 i = 0; i < 8; i++) {
		vaddr_t va = base + i * PAGE_SIZE;
		u64 pf, cf;
		paddr_t pp = frame_of(parent, va, &pf), cp = frame_of(child, va, &cf);
		KEXPECT_NE(pp, 0);
		KEXPECT_EQ(pp, cp);                     /* the same frame... */
		KEXPECT_FALSE(pf & PTE_W);              /* ...read-only in both */
		KEXPECT_FALSE(cf & PTE_W);
		struct page *p = phys_to_page(pp);
		KEXPECT_EQ(p->mapcount, 2);
		KEXPECT_EQ(p->refcount, 2);
		KEXPECT_TRUE(page_has_pattern(child, base, i));
	}
	/* The child writes page 0: it gets its own copy; the parent keeps the data. */
	u64 breaks = vmstat.cow_breaks, reuses = vmstat.cow_reuses;
	paddr_t shared = frame_of(parent, base, NULL);
	KASSERT_EQ(user_write(child, base, 0xc1), 0);
	KEXPECT_EQ(vmstat.cow_breaks - breaks, 1);
	paddr_t copy = frame_of(child, base, NULL);
	KEXPECT_NE(copy, shared);
	KEXPECT_EQ(kview(child, base)[0], 0xc1);
	KEXPECT_EQ(kview(child, base)[PAGE_SIZE - 1], pattern(0));     /* copied before the write */
	KEXPECT_TRUE(page_has_pattern(parent, base, 0));
	KEXPECT_EQ(phys_to_page(copy)->mapcount, 1);
	KEXPECT_EQ(phys_to_page(copy)->refcount, 1);
	KEXPECT_EQ(phys_to_page(shared)->mapcount, 1);
	KEXPECT_EQ(phys_to_page(shared)->refcount, 1);
	/* The parent, now the page's only user, writes it: no copy, just write access. */
	KASSERT_EQ(user_write(parent, base, 0xb0), 0);
	KEXPECT_EQ(vmstat.cow_reuses - reuses, 1);
	KEXPECT_EQ(vmstat.cow_breaks - breaks, 1);
	KEXPECT_EQ(frame_of(parent, base, NULL), shared);
	KEXPECT_EQ(kview(child, base)[0], 0xc1);
	/* The parent writes page 1 first this time: it copies, the child keeps the old data. */
	KASSERT_EQ(user_write(parent, base + PAGE_SIZE, 0xb1), 0);
	KEXPECT_EQ(vmstat.cow_breaks - breaks, 2);
	KEXPECT_TRUE(page_has_pattern(child, base, 1));
	KEXPECT_EQ(kview(parent, base + PAGE_SIZE)[0], 0xb1);
	mm_put_user(child);
	/* The child's exit leaves the parent's pages intact and singly mapped. */
	for (u64 i = 2; i < 8; i++) {
		KEXPECT_TRUE(page_has_pattern(parent, base, i));
		KEXPECT_EQ(phys_to_page(frame_of(parent, base + i * PAGE_SIZE, NULL))->mapcount, 1);
	}
	KEXPECT_EQ(pmm_free_pages(), before_fork);
	mm_put_user(parent);
	KEXPECT_BASELINE(b);
}

KTEST(vm, fork_cow_in_parent_child_and_grandchild)
{
	struct baseline b = baseline_now();
	vaddr_t base = 0;
	struct mm *gen0 = mm_with_mapping(2, ANON_PRIVATE, &base);
	KASSERT_NOT_NULL(gen0);
	KASSERT_EQ(fill_pages(gen0, base, 2), 0);
	struct mm *gen1 = mm_fork(gen0);
	KASSERT_NOT_NULL(gen1);
	struct mm *gen2 = mm_fork(gen1);
	KASSERT_NOT_NULL(gen2);
	paddr_t pa = frame_of(gen0, base, NULL);
	KEXPECT_EQ(frame_of(gen2, base, NULL), pa);
	KEXPECT_EQ(phys_to_page(pa)->mapcount, 3);
	KEXPECT_EQ(phys_to_page(pa)->refcount, 3);
	/* Each generation writes its own value; each keeps only its own. */
	struct mm *gens[3] = { gen0, gen1, gen2 };
	for (int g = 0; g < 3; g++)
		KASSERT_EQ(user_write(gens[g], base, (u8)(0x10 + g)), 0);
	for (int g = 0; g < 3; g++) {
		KEXPECT_EQ(kview(gens[g], base)[0], 0x10 + g);
		KEXPECT_EQ(kview(gens[g], base)[PAGE_SIZE - 1], pattern(0));
	}
	/* Two copies made; the last writer reused the original frame. */
	KEXPECT_EQ(frame_of(gen2, base, NULL), pa);
	KEXPECT_EQ(phys_to_page(pa)->mapcount, 1);
	/* Page 1 is still shared by all three. */
	KEXPECT_EQ(phys_to_page(frame_of(gen1, base + PAGE_SIZE, NULL))->mapcount, 3);
	mm_put_user(gen1);              /* the middle one exits first */
	KEXPECT_EQ(phys_to_page(frame_of(gen0, base + PAGE_SIZE, NULL))->mapcount, 2);
	KEXPECT_TRUE(page_has_pattern(gen2, base, 1));
	mm_put_user(gen0);
	mm_put_user(gen2);
	KEXPECT_BASELINE(b);
}

KTEST(vm, shared_anonymous_memory_stays_shared_across_fork)
{
	struct baseline b = baseline_now();
	vaddr_t base = 0;
	struct mm *parent = mm_with_mapping(4, ANON_SHARED, &base);
	KASSERT_NOT_NULL(parent);
	KASSERT_EQ(user_write(parent, base, 0x11), 0);  /* page 0 touched before the fork */
	struct mm *child = mm_fork(parent);
	KASSERT_NOT_NULL(child);
	u64 breaks = vmstat.cow_breaks;
	u64 pf, cf;
	paddr_t pa = frame_of(parent, base, &pf);
	KEXPECT_EQ(frame_of(child, base, &cf), pa);
	KEXPECT_TRUE(pf & PTE_W);                       /* shared pages are not write-protected */
	KEXPECT_TRUE(cf & PTE_W);
	KEXPECT_EQ(phys_to_page(pa)->mapcount, 2);
	/* A write in the child is seen by the parent, and back. */
	KASSERT_EQ(user_write(child, base, 0x22), 0);
	KEXPECT_EQ(user_read(parent, base), 0x22);
	KASSERT_EQ(user_write(parent, base + 100, 0x33), 0);
	KEXPECT_EQ(user_read(child, base + 100), 0x33);
	/* Page 2 first touched after the fork, by the child: the parent finds the same page. */
	KASSERT_EQ(user_write(child, base + 2 * PAGE_SIZE, 0x44), 0);
	KEXPECT_EQ(user_read(parent, base + 2 * PAGE_SIZE), 0x44);
	KEXPECT_EQ(frame_of(parent, base + 2 * PAGE_SIZE, NULL), frame_of(child, base + 2 * PAGE_SIZE, NULL));
	KEXPECT_EQ(vmstat.cow_breaks, breaks);          /* never copied */
	/* Sharing survives the other side's MADV_DONTNEED: the object keeps the page. */
	KASSERT_EQ(do_madvise(child, base, 4 * PAGE_SIZE, MADV_DONTNEED), 0);
	KEXPECT_EQ(present(child, base, 4), 0);
	KEXPECT_EQ(user_read(child, base), 0x22);
	KEXPECT_EQ(frame_of(child, base, NULL), pa);
	mm_put_user(parent);
	KEXPECT_EQ(user_read(child, base + 2 * PAGE_SIZE), 0x44);     /* still there for the child */
	mm_put_user(child);
	KEXPECT_BASELINE(b);
}

/* ------------------------------------------------------------------ madvise */

KTEST(vm, madvise_dontneed_gives_zeros_back)
{
	struct baseline b = baseline_now();
	vaddr_t base = 0;
	struct mm *mm = mm_with_mapping(8, ANON_PRIVATE, &base);
	KASSERT_NOT_NULL(mm);
	KASSERT_EQ(fill_pages(mm, base, 8), 0);
	u64 free_before = pmm_free_pages(), pages_freed = vmstat.pages_freed;
	KASSERT_EQ(do_madvise(mm, base + 2 * PAGE_SIZE, 4 * PAGE_SIZE, MADV_DONTNEED), 0);
	KEXPECT_EQ(pmm_free_pages() - free_before, 4);
	KEXPECT_EQ(vmstat.pages_freed - pages_freed, 4);
	KEXPECT_EQ(vma_count(mm), 1);                   /* the mapping stays */
	KEXPECT_EQ(present(mm, base, 8), 4);
	KEXPECT_EQ(mm->rss, 4);
	for (u64 i = 0; i < 8; i++) {
		if (i >= 2 && i < 6) {
			KEXPECT_EQ(user_read(mm, base + i * PAGE_SIZE + PAGE_SIZE - 1), 0);
			KEXPECT_TRUE(page_is_zero(mm, base + i * PAGE_SIZE));
		} else {
			KEXPECT_TRUE(page_has_pattern(mm, base, i));
		}
	}
	KEXPECT_EQ(do_madvise(mm, base, 9 * PAGE_SIZE, MADV_DONTNEED), -ENOMEM);    /* past the mapping */
	KEXPECT_EQ(do_madvise(mm, base, PAGE_SIZE, 12345), -EINVAL);
	KEXPECT_TRUE(page_has_pattern(mm, base, 0));
	mm_put_user(mm);
	KEXPECT_BASELINE(b);
}

/* ------------------------------------------------------------------ teardown */

KTEST(vm, put_user_and_drop_return_every_page)
{
	struct baseline b = baseline_now();
	struct mm *mm = mm_create();
	KASSERT_NOT_NULL(mm);
	/* The shape of a process: text, data, an mmap region (private and shared), the stack. */
	KASSERT_EQ(do_mmap(mm, 0x400000, 4 * PAGE_SIZE, PROT_READ | PROT_EXEC, ANON_PRIVATE | MAP_FIXED), 0x400000);
	KASSERT_EQ(do_mmap(mm, 0x404000, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED), 0x404000);
	long priv = do_mmap(mm, 0, 64 * PAGE_SIZE, RW, ANON_PRIVATE);
	long shar = do_mmap(mm, 0, 8 * PAGE_SIZE, RW, ANON_SHARED);
	vaddr_t stack = USER_STACK_TOP - 4 * PAGE_SIZE;
	KASSERT_EQ(do_mmap(mm, stack, 4 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED), (long)stack);
	KASSERT_TRUE(priv > 0 && shar > 0);
	for (vaddr_t va = 0x400000; va < 0x406000; va += PAGE_SIZE)
		KASSERT_EQ(handle_mm_fault(mm, va, FAULT_USER), 0);
	KASSERT_EQ(fill_pages(mm, (vaddr_t)priv, 64), 0);
	KASSERT_EQ(fill_pages(mm, (vaddr_t)shar, 8), 0);
	KASSERT_EQ(fill_pages(mm, stack, 4), 0);
	struct mm *child = mm_fork(mm);
	KASSERT_NOT_NULL(child);
	KASSERT_EQ(user_write(child, (vaddr_t)priv, 1), 0);     /* one COW copy in the child */
	KEXPECT_GT(pt_count_tables(mm->pml4), 6);
	/* A reference (a CPU still running it) keeps the struct after the last user goes... */
	mm_grab(mm);
	mm_put_user(mm);
	KEXPECT_EQ(pt_count_present(mm->pml4, 0, USER_TOP), 0);
	KEXPECT_EQ(pt_count_tables(mm->pml4), 0);
	KEXPECT_EQ(vma_count(mm), 0);
	/* ...the child's pages are still all there... */
	KEXPECT_EQ(pt_count_present(child->pml4, 0, USER_TOP), 6 + 64 + 8 + 4);
	for (u64 i = 1; i < 64; i++)
		KEXPECT_TRUE(page_has_pattern(child, (vaddr_t)priv, i));
	KEXPECT_TRUE(page_has_pattern(child, (vaddr_t)shar, 7));
	mm_put_user(child);
	/* ...and the last reference frees the root and the struct. */
	mm_drop(mm);
	KEXPECT_BASELINE(b);
}

KTEST(vm, repeated_fork_and_exit_return_to_baseline)
{
	vaddr_t base = 0;
	struct mm *parent = mm_with_mapping(32, ANON_PRIVATE, &base);
	KASSERT_NOT_NULL(parent);
	KASSERT_EQ(fill_pages(parent, base, 32), 0);
	struct baseline b = baseline_now();
	for (int round = 0; round < 20; round++) {
		struct mm *child = mm_fork(parent);
		KASSERT_NOT_NULL(child);
		for (u64 i = 0; i < 32; i += 3)
			KASSERT_EQ(user_write(child, base + i * PAGE_SIZE, (u8)round), 0);
		mm_put_user(child);
		/* The parent's pages are its own again, possibly still read-only from the fork. */
		for (u64 i = 0; i < 32; i++)
			KASSERT_EQ(phys_to_page(frame_of(parent, base + i * PAGE_SIZE, NULL))->mapcount, 1);
	}
	KEXPECT_BASELINE(b);
	for (u64 i = 0; i < 32; i++)
		KEXPECT_TRUE(page_has_pattern(parent, base, i));
	mm_put_user(parent);
}
