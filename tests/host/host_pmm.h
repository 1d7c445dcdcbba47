/*
 * host_pmm.h - controls of the host page allocator shim (host_pmm.c).
 *
 * The shim implements kernel/mm/pmm.h for host tests with the real buddy
 * allocator over an arena of page-aligned host memory: frame base_pfn + i
 * lives at arena + i * PAGE_SIZE. Free frames are poisoned for
 * AddressSanitizer, so code touching a page it gave back is reported.
 */
#ifndef TESTS_HOST_PMM_H
#define TESTS_HOST_PMM_H
#include "kernel/mm/pmm.h"

#define HOST_PMM_PAGES 1024             /* the default arena: 4 MiB */
#define HOST_PMM_BASE_PFN 0x1000ull     /* its first frame (a 4 MiB boundary) */

/* (Re)create the arena with npages frames, all free. Nothing may be allocated. */
void host_pmm_init(u64 npages);
/* Is [va, va+len) inside the arena? */
bool host_pmm_contains(const void *va, size_t len);
#endif
