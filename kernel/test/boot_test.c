/*
 * boot_test.c - what the boot path set up (boot.S, kernel/bootinfo.c,
 * the reservations of kernel/mm/pmm.c).
 *
 * Covers: the loader was recognized (pvh or multiboot2) and gave a memory
 * map with usable RAM above 1 MiB; the kernel image, the first MiB and the
 * page array are never handed out by the allocator (PG_reserved); the
 * direct map shows physical memory (the same bytes through the kernel
 * mapping and through PHYS_TO_VIRT, in both directions); the allocator
 * manages a plausible share of the usable RAM (>= 50%, <= 100%, which
 * follows QEMU's -m) and its page array covers the top of usable RAM.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/string.h"

#define DIRECT_MAPPED (4ull << 30)      /* boot.S maps the first 4 GiB */

/* Usable bytes in the memory map below the direct-map limit. */
static u64 usable_bytes(void)
{
	u64 sum = 0;
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MEM_USABLE && r->base < DIRECT_MAPPED)
			sum += MIN(r->base + r->len, DIRECT_MAPPED) - r->base;
	}
	return sum;
}

/* Frames in [start, end) that are NOT marked reserved (or have no struct page). */
static u64 unreserved_frames(paddr_t start, paddr_t end)
{
	u64 bad = 0;
	for (paddr_t pa = ALIGN_DOWN(start, PAGE_SIZE); pa < end; pa += PAGE_SIZE) {
		struct page *p = phys_to_page(pa);
		if (!p || !(p->flags & PG_reserved)) {
			if (!bad)
				ktest_diag("frame %#lx is not reserved (flags %#x)", pa,
					   p ? p->flags : 0);
			bad++;
		}
	}
	return bad;
}

KTEST(boot, protocol_recognized)
{
	KASSERT_NOT_NULL(boot_info.protocol);
	bool known = strcmp(boot_info.protocol, "pvh") == 0 ||
		     strcmp(boot_info.protocol, "multiboot2") == 0;
	if (!KEXPECT_TRUE(known))
		ktest_diag("protocol \"%s\"", boot_info.protocol);
	KEXPECT_NE(boot_info.info_phys, 0);
	KEXPECT_GT(boot_info.info_len, 0);
}

KTEST(boot, memory_map_has_usable_ram_above_1mib)
{
	KASSERT_GT(boot_info.nregions, 0);
	KEXPECT_LE(boot_info.nregions, BOOT_MAX_REGIONS);
	u64 best = 0;
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MEM_USABLE && r->base + r->len > (1ull << 20))
			best = MAX(best, r->base + r->len - MAX(r->base, 1ull << 20));
	}
	KEXPECT_GE(best, 8ull << 20);   /* at least 8 MiB: QEMU gives -m minus a little */
}

KTEST(boot, kernel_image_is_reserved)
{
	paddr_t start = (paddr_t)kernel_phys_start, end = (paddr_t)kernel_phys_end;
	KEXPECT_EQ(start, 1ull << 20);
	KASSERT_GT(end, start);
	KEXPECT_EQ(unreserved_frames(start, end), 0);
	/* a kernel variable's frame in particular, and the one holding this code */
	paddr_t data = KERNEL_SYM_PHYS(&boot_info), code = KERNEL_SYM_PHYS(usable_bytes);
	KEXPECT_EQ(unreserved_frames(data, data + 1), 0);
	KEXPECT_EQ(unreserved_frames(code, code + 1), 0);
}

KTEST(boot, first_mib_and_page_array_are_reserved)
{
	KEXPECT_EQ(unreserved_frames(0, 1ull << 20), 0);
	struct page *array = phys_to_page(0);
	KASSERT_NOT_NULL(array);
	paddr_t a = VIRT_TO_PHYS(array), b = VIRT_TO_PHYS(array + pmm_max_pfn());
	KEXPECT_EQ(unreserved_frames(a, b), 0);
}

static const u64 direct_map_probe = 0x5ecd05c0ffee1234ull;
static volatile u64 direct_map_cell;

KTEST(boot, direct_map_shows_physical_memory)
{
	const volatile u64 *ro = PHYS_TO_VIRT(KERNEL_SYM_PHYS(&direct_map_probe));
	KEXPECT_EQ(*ro, direct_map_probe);
	volatile u64 *rw = PHYS_TO_VIRT(KERNEL_SYM_PHYS(&direct_map_cell));
	*rw = 0x1122334455667788ull;            /* write through the direct map ... */
	KEXPECT_EQ(direct_map_cell, 0x1122334455667788ull);     /* ... read through the image */
	direct_map_cell = 42;
	KEXPECT_EQ(*rw, 42);
	const u8 *text = PHYS_TO_VIRT(KERNEL_SYM_PHYS(kernel_text_start));
	KEXPECT_EQ(memcmp(text, kernel_text_start, 64), 0);
}

KTEST(boot, allocator_manages_most_usable_ram)
{
	u64 usable = usable_bytes() / PAGE_SIZE, total = pmm_total_pages();
	if (!KEXPECT_GE(2 * total, usable) || !KEXPECT_LE(total, usable))
		ktest_diag("usable map %lu pages, allocator %lu pages", usable, total);
	KEXPECT_LE(pmm_free_pages(), total);
}

KTEST(boot, page_array_covers_usable_ram)
{
	u64 top = 0;
	for (int i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MEM_USABLE)
			top = MAX(top, MIN(r->base + r->len, DIRECT_MAPPED));
	}
	KEXPECT_EQ(pmm_max_pfn(), top >> PAGE_SHIFT);
	KEXPECT_NOT_NULL(phys_to_page(top - PAGE_SIZE));
}
