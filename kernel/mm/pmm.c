/*
 * pmm.c - set up the page array and the buddy allocator from the boot
 * memory map, and wrap the buddy allocator with a lock.
 *
 * Reserved (never handed out): the first MiB (BIOS data, real-mode
 * trampoline later), the kernel image, the loader's information
 * structure, the boot modules, and the page array itself.
 */
#include "kernel/mm/pmm.h"
#include "kernel/mm/buddy.h"
#include "kernel/mm/secondary.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/panic.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"

#define DIRECT_MAP_LIMIT (4ull << 30)   /* boot.S maps the first 4 GiB */
#define LOW_RESERVED (1ull << 20)
#define MAX_RESERVED 16

static struct buddy buddy;
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static u64 total_pages;

struct range {
	u64 start, end;
};
static struct range reserved[MAX_RESERVED];
static int nreserved;

static void reserve(u64 start, u64 end)
{
	if (nreserved < MAX_RESERVED && end > start)
		reserved[nreserved++] = (struct range){ ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };
}

/* First reserved range overlapping [start, end), or NULL. */
static const struct range *overlap(u64 start, u64 end)
{
	for (int i = 0; i < nreserved; i++)
		if (start < reserved[i].end && reserved[i].start < end)
			return &reserved[i];
	return NULL;
}

static u64 find_max_pfn(void)
{
	u64 top = 0;
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MEM_USABLE)
			top = MAX(top, MIN(r->base + r->len, DIRECT_MAP_LIMIT));
	}
	return top >> PAGE_SHIFT;
}

/* Find `len` bytes of usable, unreserved, page-aligned RAM. */
static u64 find_free_range(u64 len)
{
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type != MEM_USABLE)
			continue;
		u64 end = MIN(r->base + r->len, DIRECT_MAP_LIMIT);
		u64 start = ALIGN_UP(r->base, PAGE_SIZE);
		const struct range *o;
		while (start + len <= end && (o = overlap(start, start + len)))
			start = o->end;
		if (start + len <= end)
			return start;
	}
	panic("pmm: no room for the page array (%lu bytes)", len);
}

static void free_usable_ranges(void)
{
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type != MEM_USABLE)
			continue;
		u64 pfn = ALIGN_UP(r->base, PAGE_SIZE) >> PAGE_SHIFT;
		u64 end = MIN(ALIGN_DOWN(r->base + r->len, PAGE_SIZE), DIRECT_MAP_LIMIT) >> PAGE_SHIFT;
		while (pfn < end) {
			u64 run = pfn;
			while (run < end && !overlap(run << PAGE_SHIFT, (run + 1) << PAGE_SHIFT))
				run++;
			if (run > pfn) {
				buddy_add_range(&buddy, pfn, run - pfn);
				total_pages += run - pfn;
				pfn = run;
			} else {
				pfn++;
			}
		}
	}
}

void pmm_init(void)
{
	reserve(0, LOW_RESERVED);
	reserve((u64)kernel_phys_start, (u64)kernel_phys_end);
	reserve(boot_info.info_phys, boot_info.info_phys + boot_info.info_len);
	for (int i = 0; i < boot_info.nmodules; i++)
		reserve(boot_info.modules[i].start, boot_info.modules[i].end);
	u64 max_pfn = find_max_pfn();
	u64 array_bytes = ALIGN_UP(max_pfn * sizeof(struct page), PAGE_SIZE);
	u64 array_phys = find_free_range(array_bytes);
	reserve(array_phys, array_phys + array_bytes);
	buddy_init(&buddy, PHYS_TO_VIRT(array_phys), 0, max_pfn);
	free_usable_ranges();
	pr_info("pmm: %lu MiB usable, %lu pages free, page array %lu KiB at %#lx\n",
		(total_pages * PAGE_SIZE) >> 20, buddy.free_pages, array_bytes >> 10, array_phys);
}

struct page *alloc_pages(unsigned order)
{
	u64 flags = spin_lock_irqsave(&pmm_lock);
	struct page *p = buddy_alloc(&buddy, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return p;
}

void free_pages(struct page *p, unsigned order)
{
	if (!p)
		return;
	if (!(p->flags & PG_allocated) || p->order != order)
		panic("free_pages: page %#lx (flags %#x, order %u) freed as order %u",
		      page_to_phys(p), p->flags, p->order, order);
	u64 flags = spin_lock_irqsave(&pmm_lock);
	buddy_free(&buddy, p, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
}

void put_page(struct page *p)
{
	s32 left = __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL);
	if (left == 0) {
		if (p->flags & (PG_lru | PG_isolated | PG_swapcache | PG_locked) || p->mapcount != 0)
			panic("put_page: page %#lx freed while still in use (flags %#x, mapcount %d)",
			      page_to_phys(p), p->flags, p->mapcount);
		secondary_check_page_free(page_to_phys(p));     /* test mode: poison, check devices */
		p->refcount = 1;        /* free_pages expects an allocated head */
		p->mapcount = 0;
		free_pages(p, 0);
	} else if (left < 0) {
		panic("put_page: page %#lx refcount went negative", page_to_phys(p));
	}
}

struct page *alloc_zeroed_page(void)
{
	struct page *p = alloc_page();
	if (p)
		memset(page_address(p), 0, PAGE_SIZE);
	return p;
}

paddr_t page_to_phys(const struct page *p)
{
	return buddy_pfn(&buddy, p) << PAGE_SHIFT;
}

struct page *phys_to_page(paddr_t pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	return pfn < buddy.npages ? &buddy.pages[pfn] : NULL;
}

void *page_address(const struct page *p)
{
	return PHYS_TO_VIRT(page_to_phys(p));
}

struct page *virt_to_page(const void *va)
{
	return phys_to_page(VIRT_TO_PHYS(va));
}

u64 pmm_free_pages(void) { return READ_ONCE(buddy.free_pages); }
u64 pmm_total_pages(void) { return total_pages; }
u64 pmm_max_pfn(void) { return buddy.npages; }

void pmm_free_blocks(u64 *counts, int n)
{
	u64 flags = spin_lock_irqsave(&pmm_lock);
	for (int k = 0; k < n && k < BUDDY_MAX_ORDER; k++)
		counts[k] = buddy.nfree[k];
	spin_unlock_irqrestore(&pmm_lock, flags);
}

int pmm_check(void)
{
	u64 flags = spin_lock_irqsave(&pmm_lock);
	int r = buddy_check(&buddy);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return r;
}
