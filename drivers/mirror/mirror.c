/*
 * mirror.c - a software secondary MMU, in the manner of Linux's HMM test
 * device: it keeps its own page table mirroring part of one process's
 * address space, fills it on demand through the kernel's fault path,
 * takes no page references, and reaches memory only through its own
 * entries - so a missed invalidation shows up as a wrong result (or as an
 * invariant violation when the frame is freed).
 *
 * THE ORDERING RULES this device keeps:
 *
 *  1. No new entry while an invalidation is active: invalidate_range_start
 *     bumps `seq`, raises `active` and clears the range; a fill samples seq
 *     before it resolves the fault and installs only if seq is unchanged
 *     and active is 0 (else it retries). Fills and invalidations serialise
 *     on dev->lock.
 *  2. The entry names the frame the CPU page table held at install time,
 *     read under the mm's pt_lock; a later change of that PTE must begin
 *     with a range start (rule 1), so a stale frame is never installed.
 *  3. invalidate_secondary_tlbs clears the range again from the mmu_gather
 *     flush, before the batch's pages are freed (the device may not rely
 *     on start alone: see mmu_notifier.c rule 2).
 *  4. A device access holds dev->lock while it touches the frame, so an
 *     invalidation (which takes dev->lock) waits for in-flight accesses:
 *     once the callback returns the device cannot touch the frame again.
 *  5. release clears everything and marks the context dead; accesses then
 *     fail with EFAULT. close unregisters (waiting for running callbacks).
 * Lock order: mm->pt_lock -> dev->lock -> pmm lock.
 */
#include "drivers/mirror/mirror.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/secondary.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/sched/waitq.h"
#include "kernel/lib/string.h"
#include "kernel/trace.h"
#include "kernel/uapi/uapi_errno.h"
#include "kernel/uapi/uapi_syscall.h"

#define MIRROR_MAX_HANDLES 8
#define DEV_A PTE_A             /* device "accessed" bit in its own entries (aging) */

struct mirror {
	struct proc_device pdev;        /* bound to the owning process */
	struct mmu_notifier mn;
	struct mm *mm;
	struct proc *owner;
	int handle;
	struct spinlock lock;           /* table, seq, active, dead */
	paddr_t root;                   /* the device page table (x86 format, frame | P | W | A) */
	u64 seq;
	int active;
	bool dead;
	bool refuse_nonblock;           /* test control: refuse non-blocking starts */
	int refs;                       /* the process's binding + system calls in progress */
	struct waitq wq;                /* fills wait here for active == 0 */
	struct mirror_stat_k st;
	struct list_head all_link;
};

static struct spinlock all_lock = SPINLOCK_INIT("mirror-all");
static LIST_HEAD_DECL(all_mirrors);

/* ------------------------------------------------------------------ the device table */

struct clear_ctx {
	u64 cleared;
	bool young;
	bool clear_young_only;
};

static void clear_one(pte_t *e, vaddr_t va, void *arg)
{
	UNUSED(va);
	struct clear_ctx *c = arg;
	if (c->clear_young_only) {
		c->young |= (*e & DEV_A) != 0;
		*e &= ~DEV_A;
		return;
	}
	*e = 0;
	c->cleared++;
}

/* Drop the device's entries in [start, end). dev->lock held. */
static void table_clear(struct mirror *m, vaddr_t start, vaddr_t end)
{
	struct clear_ctx c = { 0, false, false };
	pt_for_each_leaf(m->root, start, MIN(end, USER_TOP), clear_one, &c);
	if (c.cleared)
		m->st.invalidations++;
}

/* ------------------------------------------------------------------ notifier callbacks */

static struct mirror *of(struct mmu_notifier *mn) { return container_of(mn, struct mirror, mn); }

static int mirror_start(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	struct mirror *m = of(mn);
	if (m->refuse_nonblock && !(r->flags & MMU_NOTIFIER_RANGE_BLOCKABLE)) {
		m->st.refusals++;
		return -EAGAIN;
	}
	u64 f = spin_lock_irqsave(&m->lock);
	m->active++;
	m->seq++;
	table_clear(m, r->start, r->end);
	m->st.range_starts++;
	spin_unlock_irqrestore(&m->lock, f);
	return 0;
}

static void mirror_end(struct mmu_notifier *mn, const struct mmu_notifier_range *r)
{
	UNUSED(r);
	struct mirror *m = of(mn);
	u64 f = spin_lock_irqsave(&m->lock);
	m->active--;
	m->seq++;
	m->st.range_ends++;
	spin_unlock_irqrestore(&m->lock, f);
	wake_up_all(&m->wq);
}

static void mirror_secondary_tlbs(struct mmu_notifier *mn, struct mm *mm, vaddr_t start, vaddr_t end)
{
	UNUSED(mm);
	struct mirror *m = of(mn);
	u64 f = spin_lock_irqsave(&m->lock);
	table_clear(m, start, end);
	m->st.secondary_flushes++;
	spin_unlock_irqrestore(&m->lock, f);
}

static int mirror_clear_young(struct mmu_notifier *mn, struct mm *mm, vaddr_t start, vaddr_t end)
{
	UNUSED(mm);
	struct mirror *m = of(mn);
	struct clear_ctx c = { 0, false, true };
	u64 f = spin_lock_irqsave(&m->lock);
	pt_for_each_leaf(m->root, start, MIN(end, USER_TOP), clear_one, &c);
	spin_unlock_irqrestore(&m->lock, f);
	return c.young;
}

static int mirror_test_young(struct mmu_notifier *mn, struct mm *mm, vaddr_t addr)
{
	UNUSED(mm);
	struct mirror *m = of(mn);
	u64 f = spin_lock_irqsave(&m->lock);
	pte_t *e = pt_walk(m->root, ALIGN_DOWN(addr, PAGE_SIZE), false, NULL);
	int young = e && (*e & DEV_A);
	spin_unlock_irqrestore(&m->lock, f);
	return young;
}

static void mirror_release(struct mmu_notifier *mn, struct mm *mm)
{
	UNUSED(mm);
	struct mirror *m = of(mn);
	u64 f = spin_lock_irqsave(&m->lock);
	m->dead = true;
	table_clear(m, 0, USER_TOP);
	spin_unlock_irqrestore(&m->lock, f);
	wake_up_all(&m->wq);
}

static const struct mmu_notifier_ops mirror_ops = {
	.invalidate_range_start = mirror_start,
	.invalidate_range_end = mirror_end,
	.invalidate_secondary_tlbs = mirror_secondary_tlbs,
	.clear_young = mirror_clear_young,
	.test_young = mirror_test_young,
	.release = mirror_release,
};

/* ------------------------------------------------------------------ invariant checker hook */

struct find_ctx {
	paddr_t pa;
	vaddr_t va;
	bool found;
};

static void find_one(pte_t *e, vaddr_t va, void *arg)
{
	struct find_ctx *c = arg;
	if (!c->found && pte_addr(*e) == c->pa) {
		c->found = true;
		c->va = va;
	}
}

static bool mirrors_map(struct secondary_mmu *s, paddr_t pa, vaddr_t *va, struct mm **mm)
{
	UNUSED(s);
	bool found = false;
	u64 f = spin_lock_irqsave(&all_lock);
	struct list_head *pos;
	list_for_each(pos, &all_mirrors) {
		struct mirror *m = list_entry(pos, struct mirror, all_link);
		struct find_ctx c = { pa, 0, false };
		/* No dev->lock here: the caller may hold it (a free inside a callback). Reads only. */
		pt_for_each_leaf(m->root, 0, USER_TOP, find_one, &c);
		if (c.found) {
			*va = c.va;
			*mm = m->mm;
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&all_lock, f);
	return found;
}

static struct secondary_mmu mirror_checker = { .name = "the mirror device", .maps = mirrors_map };

/* ------------------------------------------------------------------ fill (device TLB miss) */

/* Why the CPU fault path refused: EFAULT (no mapping / PROT_NONE) or EPERM (read-only write). */
static int refusal_errno(struct mm *mm, vaddr_t va, bool write, int r)
{
	if (r == -ENOMEM || r == -EIO)
		return r;       /* no memory; or the page could not be read back from swap */
	mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, va);
	int e = !v || !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) ? -EFAULT
		: write && !(v->prot & PROT_WRITE) ? -EPERM : -EFAULT;
	mutex_unlock(&mm->lock);
	return e;
}

static bool quiet(struct mirror *m)
{
	return READ_ONCE(m->active) == 0 || READ_ONCE(m->dead);
}

/* Sample the sequence number once no invalidation is active (rule 1). */
static int sample_seq(struct mirror *m, u64 *seq)
{
	for (;;) {
		u64 f = spin_lock_irqsave(&m->lock);
		bool dead = m->dead, busy = m->active > 0;
		*seq = m->seq;
		spin_unlock_irqrestore(&m->lock, f);
		if (dead)
			return -EFAULT;
		if (!busy)
			return 0;
		wait_event(&m->wq, quiet(m));
	}
}

/* Install the entry for va if nothing changed since seq. Both locks taken here. */
static int try_install(struct mirror *m, vaddr_t va, bool write, u64 seq)
{
	struct mm *mm = m->mm;
	int r = -EAGAIN;
	spin_lock(&mm->pt_lock);
	pte_t *e = pt_walk(mm->pml4, va, false, NULL);
	if (e && pte_present(*e) && (!write || (*e & PTE_W))) {
		u64 f = spin_lock_irqsave(&m->lock);
		if (m->dead) {
			r = -EFAULT;
		} else if (m->seq == seq && m->active == 0) {
			pte_t *de = pt_walk(m->root, va, true, NULL);
			if (de) {
				*de = pte_addr(*e) | PTE_P | (*e & PTE_W) | DEV_A;
				m->st.faults++;
				trace_event(TRACE_SECONDARY_FILL, va, pte_addr(*e));
				r = 0;
			} else {
				r = -ENOMEM;
			}
		}
		spin_unlock_irqrestore(&m->lock, f);
	}
	spin_unlock(&mm->pt_lock);
	return r;
}

/* Resolve a device miss at va through the kernel's own fault path. */
static int mirror_fault(struct mirror *m, vaddr_t va, bool write)
{
	trace_event(TRACE_SECONDARY_FAULT, va, write);
	for (;;) {
		u64 seq;
		int r = sample_seq(m, &seq);
		if (r)
			return r;
		r = handle_mm_fault(m->mm, va, write ? FAULT_WRITE : 0);
		if (r)
			return refusal_errno(m->mm, va, write, r);
		r = try_install(m, va, write, seq);
		if (r != -EAGAIN)
			return r;
		m->st.fill_retries++;   /* raced with an invalidation: start again */
	}
}

/* ------------------------------------------------------------------ device access */

/* Copy within one page through the device's entry; -EAGAIN on a miss. */
static int access_page(struct mirror *m, vaddr_t va, u8 *kbuf, u64 n, bool write)
{
	vaddr_t page = ALIGN_DOWN(va, PAGE_SIZE);
	int r = -EAGAIN;
	u64 f = spin_lock_irqsave(&m->lock);   /* rule 4: invalidations wait for us */
	pte_t *de = m->dead ? NULL : pt_walk(m->root, page, false, NULL);
	if (m->dead) {
		r = -EFAULT;
	} else if (de && (*de & PTE_P) && (!write || (*de & PTE_W))) {
		u8 *frame = (u8 *)PHYS_TO_VIRT(pte_addr(*de)) + (va - page);
		if (write)
			memcpy(frame, kbuf, n);
		else
			memcpy(kbuf, frame, n);
		*de |= DEV_A;
		r = 0;
	}
	spin_unlock_irqrestore(&m->lock, f);
	return r;
}

static int device_access(struct mirror *m, vaddr_t va, u8 *kbuf, u64 n, bool write)
{
	for (int tries = 0;; tries++) {
		int r = access_page(m, va, kbuf, n, write);
		if (r != -EAGAIN)
			return r;
		r = mirror_fault(m, ALIGN_DOWN(va, PAGE_SIZE), write);
		if (r)
			return r;
	}
}

/* The device reads (or writes) len bytes at va of its process, through a kernel bounce page. */
static int mirror_rw(struct mirror *m, vaddr_t va, u64 ubuf, u64 len, bool write)
{
	if (len > ~0ull - va)
		return -EINVAL;
	if (va + len > USER_TOP)
		return -EFAULT;
	u8 *bounce = kmalloc(PAGE_SIZE);
	if (!bounce)
		return -ENOMEM;
	int r = 0;
	for (u64 done = 0; done < len && !r;) {
		u64 n = MIN(len - done, PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1)));
		if (write && copy_from_user(bounce, ubuf + done, n)) {
			r = -EFAULT;
			break;
		}
		r = device_access(m, va + done, bounce, n, write);
		if (!r && !write && copy_to_user(ubuf + done, bounce, n))
			r = -EFAULT;
		done += n;
	}
	kfree(bounce);
	return r;
}

/* ------------------------------------------------------------------ open and close */

static void mirror_free(struct mirror *m)
{
	u64 f = spin_lock_irqsave(&all_lock);
	list_del(&m->all_link);
	spin_unlock_irqrestore(&all_lock, f);
	mmu_notifier_unregister(&m->mn, m->mm);         /* no callback runs after this */
	f = spin_lock_irqsave(&m->lock);
	table_clear(m, 0, USER_TOP);
	spin_unlock_irqrestore(&m->lock, f);
	pt_prune_empty(m->root, 0, USER_TOP, pt_free_table, NULL);
	pt_free_table(NULL, m->root);
	kfree(m);
}

static void mirror_put(struct mirror *m);

/* The process is gone (its binding is already off the list): drop the binding's reference. */
static void mirror_close_device(struct proc_device *d)
{
	mirror_put(container_of(d, struct mirror, pdev));
}

/* A free handle number of p. proc_devices_lock held. */
static int next_handle(struct proc *p)
{
	bool used[MIRROR_MAX_HANDLES] = { false };
	struct list_head *pos;
	list_for_each(pos, &p->devices) {
		struct proc_device *d = list_entry(pos, struct proc_device, link);
		if (d->close == mirror_close_device)
			used[container_of(d, struct mirror, pdev)->handle] = true;
	}
	for (int h = 0; h < MIRROR_MAX_HANDLES; h++)
		if (!used[h])
			return h;
	return -EMFILE;
}

/* Handle h of p with a reference taken (put it with mirror_put), or NULL. */
static struct mirror *lookup(struct proc *p, long h)
{
	struct mirror *found = NULL;
	u64 f = proc_devices_lock();
	struct list_head *pos;
	list_for_each(pos, &p->devices) {
		struct proc_device *d = list_entry(pos, struct proc_device, link);
		if (d->close == mirror_close_device && container_of(d, struct mirror, pdev)->handle == h) {
			found = container_of(d, struct mirror, pdev);
			found->refs++;
			break;
		}
	}
	proc_devices_unlock(f);
	return found;
}

/* Drop a reference; the last one frees the context (may sleep: unregister). */
static void mirror_put(struct mirror *m)
{
	u64 f = proc_devices_lock();
	bool last = --m->refs == 0;
	proc_devices_unlock(f);
	if (last)
		mirror_free(m);
}

struct mirror *mirror_open_for(struct proc *p, int *err)
{
	struct mirror *m = kzalloc(sizeof *m);
	paddr_t root = m ? pt_alloc_table(NULL) : 0;
	*err = -ENOMEM;
	if (!root) {
		kfree(m);
		return NULL;
	}
	m->root = root;
	m->refs = 1;
	m->owner = p;
	m->mm = p->mm;
	m->pdev.close = mirror_close_device;
	list_init(&m->pdev.link);
	m->mn.ops = &mirror_ops;
	spin_init(&m->lock, "mirror");
	waitq_init(&m->wq);
	mmu_notifier_register(&m->mn, m->mm);
	u64 f = spin_lock_irqsave(&all_lock);
	list_add_tail(&m->all_link, &all_mirrors);
	spin_unlock_irqrestore(&all_lock, f);
	f = proc_devices_lock();
	int h = next_handle(p);
	if (h >= 0) {
		m->handle = h;
		list_add_tail(&m->pdev.link, &p->devices);
	}
	proc_devices_unlock(f);
	if (h < 0) {
		mirror_free(m);
		*err = h;
		return NULL;
	}
	*err = 0;
	return m;
}

int mirror_handle(struct mirror *m) { return m->handle; }

void mirror_get_stat(struct mirror *m, struct mirror_stat_k *st)
{
	u64 f = spin_lock_irqsave(&m->lock);
	*st = m->st;
	st->entries = pt_count_present(m->root, 0, USER_TOP);
	spin_unlock_irqrestore(&m->lock, f);
}

/* ------------------------------------------------------------------ system calls */

#define A0 (tf->rdi)
#define A1 (tf->rsi)
#define A2 (tf->rdx)
#define A3 (tf->r10)

static long sys_mirror_open(struct trapframe *tf)
{
	UNUSED(tf);
	int err;
	struct mirror *m = mirror_open_for(proc_current(), &err);
	return m ? m->handle : err;
}

static long sys_mirror_rw(struct trapframe *tf, bool write)
{
	struct mirror *m = lookup(proc_current(), (long)A0);
	if (!m)
		return -EBADF;
	long r = mirror_rw(m, A1, A2, A3, write);
	mirror_put(m);
	return r;
}

static long sys_mirror_read(struct trapframe *tf) { return sys_mirror_rw(tf, false); }
static long sys_mirror_write(struct trapframe *tf) { return sys_mirror_rw(tf, true); }

static long sys_mirror_close(struct trapframe *tf)
{
	struct proc *p = proc_current();
	struct mirror *m = lookup(p, (long)A0);
	if (!m)
		return -EBADF;
	u64 f = proc_devices_lock();
	bool bound = !list_empty(&m->pdev.link);
	if (bound)
		list_del(&m->pdev.link);        /* a second close of the same handle finds nothing */
	proc_devices_unlock(f);
	if (bound)
		mirror_put(m);                  /* the binding's reference */
	mirror_put(m);                          /* lookup's */
	return 0;
}

static long sys_mirror_stat(struct trapframe *tf)
{
	struct mirror *m = lookup(proc_current(), (long)A0);
	if (!m)
		return -EBADF;
	struct mirror_stat_k k;
	mirror_get_stat(m, &k);
	mirror_put(m);
	unsigned long user[3] = { k.faults, k.invalidations, k.entries };
	return copy_to_user(A1, user, sizeof user) ? -EFAULT : 0;
}

/* Test controls: MIRROR_CTL_REFUSE_NONBLOCK (arg 0/1), MIRROR_CTL_CLEAR_YOUNG (returns young). */
static long sys_mirror_ctl(struct trapframe *tf)
{
	struct mirror *m = lookup(proc_current(), (long)A0);
	if (!m)
		return -EBADF;
	long r = -EINVAL;
	if (A1 == MIRROR_CTL_REFUSE_NONBLOCK) {
		m->refuse_nonblock = A2 != 0;
		r = 0;
	} else if (A1 == MIRROR_CTL_STAT_REFUSALS) {
		r = (long)m->st.refusals;
	}
	mirror_put(m);
	return r;
}

void mirror_init(void)
{
	syscall_register(SYS_mirror_open, sys_mirror_open);
	syscall_register(SYS_mirror_read, sys_mirror_read);
	syscall_register(SYS_mirror_write, sys_mirror_write);
	syscall_register(SYS_mirror_close, sys_mirror_close);
	syscall_register(SYS_mirror_stat, sys_mirror_stat);
	syscall_register(SYS_mirror_ctl, sys_mirror_ctl);
	secondary_mmu_register(&mirror_checker);
}
