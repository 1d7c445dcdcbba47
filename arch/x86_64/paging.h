/*
 * paging.h - x86_64 4-level page tables: PTE bits and the walk/map/unmap
 * primitives the virtual-memory code builds on.
 *
 * A virtual address splits into four 9-bit indices (PML4, PDPT, PD, PT)
 * and a 12-bit offset. Every table is one 4 KiB page of 512 entries. An
 * entry holds a physical address and flags; the CPU sets Accessed on any
 * use and Dirty on a write. User mappings are 4 KiB pages only; the
 * kernel half (PML4 entries 256..511) is the same in every address space.
 *
 * The functions here are pure logic over tables reached through
 * PHYS_TO_VIRT, so tests/host/ runs them on the host. Callers hold the
 * mm's page-table lock (kernel/mm/vm.h) around any change.
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H
#include "kernel/types.h"

typedef u64 pte_t;

#define PTE_P   (1ull << 0)     /* present */
#define PTE_W   (1ull << 1)     /* writable */
#define PTE_U   (1ull << 2)     /* user accessible */
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)     /* cache disable (MMIO) */
#define PTE_A   (1ull << 5)     /* accessed: set by the CPU */
#define PTE_D   (1ull << 6)     /* dirty: set by the CPU on a write */
#define PTE_PS  (1ull << 7)     /* large page (in a PD or PDPT entry) */
#define PTE_G   (1ull << 8)     /* global */
#define PTE_SW_PROTNONE (1ull << 9)     /* software: a PROT_NONE page (P clear, frame kept) */
#define PTE_SW_SWAP (1ull << 10)        /* software: a swap entry (P clear, slot number in bits 12..51) */
#define PTE_NX  (1ull << 63)    /* no execute (EFER.NXE is on) */
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PT_ENTRIES 512
#define PT_LEVELS 4
#define USER_TOP 0x0000800000000000ull          /* first non-canonical address */
#define KERNEL_HALF_FIRST_INDEX 256

static inline paddr_t pte_addr(pte_t e) { return e & PTE_ADDR_MASK; }
static inline bool pte_present(pte_t e) { return e & PTE_P; }
/* A page is mapped: present, or hidden by PROT_NONE (the frame is still ours). */
static inline bool pte_mapped(pte_t e) { return e & (PTE_P | PTE_SW_PROTNONE); }
/* Index of va in the table at `level` (4 = PML4 ... 1 = PT). */
static inline unsigned pt_index(vaddr_t va, int level) { return (va >> (12 + 9 * (level - 1))) & 511; }
/* Bytes covered by one entry at `level` (1: 4 KiB, 2: 2 MiB, 3: 1 GiB, 4: 512 GiB). */
static inline u64 pt_entry_span(int level) { return 1ull << (12 + 9 * (level - 1)); }

/*
 * Table pages come from the caller's allocator: pt_alloc_table() returns
 * the physical address of a zeroed page or 0; pt_free_table() gives one
 * back. The kernel implements them over the page allocator (vm.c); the
 * host tests over malloc.
 */
paddr_t pt_alloc_table(void *ctx);
void pt_free_table(void *ctx, paddr_t table);

/*
 * The leaf (level-1) entry for va, or NULL if an intermediate table is
 * missing and `create` is false (or allocation failed).
 */
pte_t *pt_walk(paddr_t root, vaddr_t va, bool create, void *ctx);
/* Map one 4 KiB page; returns 0, or -1 when a table could not be allocated. */
int pt_map(paddr_t root, vaddr_t va, paddr_t pa, u64 flags, void *ctx);
/* Clear va's entry and return the old value (0 if nothing was mapped). */
pte_t pt_unmap(paddr_t root, vaddr_t va);
/* Translate va: physical address, or 0 if unmapped; *flags gets the leaf's flags. */
paddr_t pt_translate(paddr_t root, vaddr_t va, u64 *flags);
/*
 * Free the page-table pages below the user half of root that cover only
 * [start, end) and hold no entries any more. Each freed table is passed
 * to `freed(ctx, phys)` rather than freed at once, so the caller can free
 * it only after the TLB flush (a CPU may still walk it until then).
 * Returns how many tables were released.
 */
int pt_prune_empty(paddr_t root, vaddr_t start, vaddr_t end, void (*freed)(void *ctx, paddr_t), void *ctx);
/*
 * Call fn(entry, va, arg) for every non-zero leaf entry in [start, end),
 * skipping missing tables quickly. fn may change or clear the entry.
 */
typedef void (*pte_visit_fn)(pte_t *e, vaddr_t va, void *arg);
void pt_for_each_leaf(paddr_t root, vaddr_t start, vaddr_t end, pte_visit_fn fn, void *arg);
/* Count present leaf entries in [start, end) (tests and leak checks). */
u64 pt_count_present(paddr_t root, vaddr_t start, vaddr_t end);
/* Count table pages in the user half, including the root's children (not the root). */
u64 pt_count_tables(paddr_t root);
#endif
