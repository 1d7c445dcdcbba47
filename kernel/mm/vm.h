/*
 * vm.h - address spaces: struct mm and its VMAs, and the operations that
 * change them (mmap, munmap, mprotect, madvise, fork, page faults).
 *
 * LOCK ORDER (outermost first):
 *   mm->lock (sleeping mutex: the VMA list; held across a whole mmap,
 *             munmap, mprotect, madvise, fork or page fault)
 *     -> mm->pt_lock (spinlock, interrupts left on: the user half's PTEs
 *                     and page-table pages)
 *       -> shmem->lock, anon_lock (rmap.h: rmap chains, LRU, swap cache,
 *          slot counts) -> kmalloc lock -> pmm lock (leaf locks)
 * Reclaim holds several mm->locks at once: it may wait for the first
 * and only tries the others (reclaim.c rule 2). A thread never waits for
 * memory while holding mm->lock (handle_mm_fault drops it to reclaim).
 * The scheduler lock and console lock are leaves too. A CPU-TLB
 * shootdown may run with pt_lock held (it never takes pt_lock itself).
 *
 * MEMORY RULE: a page is unmapped, then the TLBs are flushed, then it is
 * freed: everything that removes user pages goes through an mmu_gather
 * (mmu_gather.h), never free_page() directly.
 */
#ifndef MM_VM_H
#define MM_VM_H
#include "kernel/types.h"
#include "kernel/lib/list.h"
#include "kernel/lib/spinlock.h"
#include "kernel/sched/mutex.h"
#include "kernel/mm/page.h"
#include "arch/x86_64/paging.h"
#include "kernel/uapi/uapi_mman.h"

struct mmu_gather;

/* MAP_SHARED|MAP_ANONYMOUS memory: the pages, by index, shared by every VMA using them. */
struct shmem {
	struct spinlock lock;
	int refs;               /* VMAs referring to it */
	u64 npages;
	struct page **pages;    /* NULL until first touched */
};

#define VMA_SHARED 0x1          /* MAP_SHARED: fork shares, never copies */
#define VMA_STACK 0x2           /* the initial user stack */

struct vma {
	vaddr_t start, end;     /* [start, end), page-aligned */
	int prot;               /* PROT_READ | PROT_WRITE | PROT_EXEC */
	int flags;              /* VMA_* */
	struct shmem *shm;      /* VMA_SHARED: the backing pages */
	u64 shm_pgoff;          /* index in shm of the page at `start` */
	struct list_head link;  /* mm->vmas, sorted by start */
};

struct mm {
	paddr_t pml4;           /* physical address of the top-level table */
	struct list_head vmas;
	struct mutex lock;      /* see LOCK ORDER */
	struct spinlock pt_lock;
	int users;              /* processes using it; exit_mmap when it drops to 0 */
	int refs;               /* keeps the struct and pml4 alive (users count as one; lazy CPUs too) */
	volatile u64 cpu_mask;  /* CPUs that may cache its translations */
	volatile u64 tlb_gen;   /* bumped by each flush (SMP lazy-TLB check) */
	u64 rss;                /* resident user pages */
	u64 swap_ents;          /* swap entries in its page tables (pages on swap) */
	struct list_head notifiers;     /* MMU notifiers (kernel/mm/mmu_notifier.c) */
	struct spinlock notifier_lock;
};

/* Fault flags for handle_mm_fault. */
#define FAULT_WRITE 0x1
#define FAULT_EXEC 0x2
#define FAULT_USER 0x4

#define USER_MMAP_BASE 0x0000100000000000ull    /* where mmap looks for room */
#define USER_STACK_TOP 0x00007ffffff00000ull
#define USER_STACK_PAGES 256                    /* 1 MiB, filled on demand */
#define USER_MAX_MAP (1ull << 40)               /* largest single mapping: 1 TiB */

/* The kernel's own page table (boot.S's boot_pml4), loaded when no process runs. */
paddr_t kernel_pml4(void);

/* A new, empty address space (kernel half shared), users = refs = 1. NULL if no memory. */
struct mm *mm_create(void);
void mm_grab(struct mm *mm);
/* Drop a reference; the last one frees the page table root and the struct. */
void mm_drop(struct mm *mm);
/* A process stops using mm: on the last user, every mapping is torn down (exit_mmap). */
void mm_put_user(struct mm *mm);
/* Load mm on CPU c (CR3) and mark c in mm->cpu_mask; mm_deactivate undoes the mark. */
void mm_activate(struct mm *mm, struct cpu *c);
void mm_deactivate(struct mm *mm, struct cpu *c);

/* VMA list (mm->lock held). */
struct vma *vma_find(struct mm *mm, vaddr_t addr);
/* Add a mapping of [start, end) with prot/flags; fails with -ENOMEM. The range must be free. */
int vma_add(struct mm *mm, vaddr_t start, vaddr_t end, int prot, int flags, struct shmem *shm, u64 pgoff);
u64 vma_count(struct mm *mm);

/* System-call level operations; each takes mm->lock itself. Return 0/address or -errno. */
long do_mmap(struct mm *mm, vaddr_t addr, u64 len, int prot, int flags);
int do_munmap(struct mm *mm, vaddr_t addr, u64 len);
int do_mprotect(struct mm *mm, vaddr_t addr, u64 len, int prot);
int do_madvise(struct mm *mm, vaddr_t addr, u64 len, int advice);
/* Replace the page mapped at addr by a copy in a new frame (SYS_move_page). */
int do_move_page(struct mm *mm, vaddr_t addr);

/*
 * Resolve a fault at addr: 0 when the access may be retried, -EFAULT when
 * there is no mapping or the access is not allowed (SIGSEGV), -ENOMEM when
 * no page could be had. Takes mm->lock; may sleep.
 */
int handle_mm_fault(struct mm *mm, vaddr_t addr, int fault_flags);
/* Why the last -EFAULT happened, for the kill message ("no mapping", ...). */
const char *fault_reason(int fault_flags, struct vma *vma);

/* fork: a copy of parent's address space, private pages shared copy-on-write. */
struct mm *mm_fork(struct mm *parent);

/* Internal helpers shared by the files of kernel/mm/ (caller holds the locks named). */
void zap_range(struct mm *mm, struct mmu_gather *tlb, vaddr_t start, vaddr_t end);    /* pt_lock */
void unmap_vmas(struct mm *mm, vaddr_t start, vaddr_t end);                             /* mm->lock */
int vma_isolate(struct mm *mm, vaddr_t start, vaddr_t end);                             /* mm->lock */
int vm_install_data(struct mm *mm, vaddr_t va, const void *src, u64 len);               /* takes mm->lock */
struct vma *vma_split(struct vma *v, vaddr_t addr);                                     /* mm->lock */
void vma_merge_around(struct mm *mm, struct vma *v);                                    /* mm->lock */
void shmem_get(struct shmem *s);
void shmem_put(struct shmem *s);
struct shmem *shmem_create(u64 npages);
/* The page at index i, allocated zeroed on first use; NULL if out of memory. shm->lock inside. */
struct page *shmem_page(struct shmem *s, u64 i);

/* The current thread's address space (NULL for kernel threads). */
struct mm *current_mm(void);
#endif
