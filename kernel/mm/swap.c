/*
 * swap.c - the swap area, its slots and the swap cache (read the ordering
 * rules in swap.h).
 *
 * The whole disk is the swap area: slot i is the page at sector 8*i.
 * Slot 0 is never used (swap_slots.h). Per slot the kernel keeps a 16-bit
 * use count (swap_slots.c) and a pointer to the page cached for it (the
 * swap cache: an array, as simple as a cache can be).
 */
#include "kernel/mm/swap.h"
#include "kernel/mm/swap_slots.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vmstat.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/syscall.h"
#include "kernel/bootinfo.h"
#include "kernel/shell.h"
#include "kernel/trace.h"
#include "kernel/panic.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"
#include "kernel/uapi/uapi_syscall.h"
#include "drivers/block/virtio_blk.h"

/*
 * The swap cache is one array of page pointers, allocated with kmalloc (at
 * most 4 MiB): 512 Ki slots, 2 GiB of swap. A bigger disk is used up to that.
 */
#define SWAP_MAX_SLOTS (1u << 19)

static struct swap_slots slots;         /* under anon_lock */
static struct page **cache;             /* slot -> cached page, under anon_lock */
static u32 cache_pages;
static struct waitq swapin_wq = WAITQ_INIT(swapin_wq);  /* PG_locked pages finished */

/* Fault injection (SWAPCTL_FAIL, swap_fail_read=, swap_fail_write=). */
static u32 fail_read_every, fail_write_every;
static u64 nr_reads, nr_writes;

bool swap_present(void)
{
	return slots.nr > 1;
}

static long sys_swapctl(struct trapframe *tf);

void swap_init(void)
{
	char v[16];
	if (cmdline_get("swap_fail_read", v, sizeof v))
		fail_read_every = (u32)strtou64(v, NULL);
	if (cmdline_get("swap_fail_write", v, sizeof v))
		fail_write_every = (u32)strtou64(v, NULL);
	syscall_register(SYS_swapctl, sys_swapctl);
	u64 n = blk_capacity_sectors() / BLK_SECTORS_PER_PAGE;
	if (!blk_present() || n < 2 || cmdline_has("noswap")) {
		pr_info("swap: no swap area (%s)\n", blk_present() ? "disabled or too small" : "no disk");
		return;
	}
	if (n > SWAP_MAX_SLOTS)
		pr_warn("swap: the disk has %lu page slots; only the first %u are used\n", n, SWAP_MAX_SLOTS);
	n = MIN(n, SWAP_MAX_SLOTS);
	u16 *count = kmalloc(n * sizeof *count);
	cache = kzalloc(n * sizeof *cache);
	if (!count || !cache) {
		kfree(count);
		kfree(cache);
		cache = NULL;
		pr_err("swap: no memory for %lu slots: no swap\n", n);
		return;
	}
	swap_slots_init(&slots, count, (u32)n);
	pr_info("swap: %lu slots (%lu MiB) on virtio-blk\n", n - 1, (n - 1) * PAGE_SIZE >> 20);
}

/* ------------------------------------------------------------------ slots */

u32 swap_slot_alloc_locked(void)
{
	return swap_present() ? swap_slots_alloc(&slots) : 0;
}

int swap_slot_dup_locked(u32 slot)
{
	int r = swap_slots_dup(&slots, slot);
	if (r)
		panic("swap: dup of slot %u (count %d)", slot, swap_slots_count(&slots, slot));
	return r;
}

int swap_slot_count_locked(u32 slot)
{
	return swap_slots_count(&slots, slot);
}

struct page *swap_slot_put_locked(u32 slot)
{
	int left = swap_slots_put(&slots, slot);
	if (left < 0)
		panic("swap: put of free slot %u", slot);
	if (left > 0 || !cache[slot])
		return NULL;
	struct page *p = cache[slot];
	if (p->flags & PG_locked)
		panic("swap: slot %u freed while its page is being read", slot);
	swap_cache_del_locked(p);
	return p;
}

void swap_entry_free(u32 slot)
{
	spin_lock(&anon_lock);
	struct page *p = swap_slot_put_locked(slot);
	spin_unlock(&anon_lock);
	if (p)
		put_page(p);
}

/* ------------------------------------------------------------------ the cache */

struct page *swap_cache_lookup_locked(u32 slot)
{
	return slot < slots.nr ? cache[slot] : NULL;
}

static void swap_cache_add_locked(struct page *p, u32 slot)
{
	KASSERT(!cache[slot] && !(p->flags & PG_swapcache));
	cache[slot] = p;
	p->swap_slot = slot;
	p->flags |= PG_swapcache;
	cache_pages++;
}

void swap_cache_del_locked(struct page *p)
{
	KASSERT((p->flags & PG_swapcache) && cache[p->swap_slot] == p);
	cache[p->swap_slot] = NULL;
	p->flags &= ~PG_swapcache;
	cache_pages--;
	/* Unmapped and uncached: nothing left for reclaim to do with it. */
	if (p->mapcount == 0 && (p->flags & PG_lru))
		lru_del_locked(p);
}

/* ------------------------------------------------------------------ I/O */

static bool inject(u32 every, u64 *counter)
{
	u64 n = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
	return every && n % every == 0;
}

/*
 * Say that an I/O failed: the first few in full, then one line per 1000,
 * so that a fault-injection run does not spend its time printing.
 */
static void report_io_error(const char *what, u32 slot, int r, const char *outcome)
{
	static u64 nr_errors;
	u64 n = __atomic_add_fetch(&nr_errors, 1, __ATOMIC_RELAXED);
	if (n <= 5 || n % 1000 == 0)
		pr_warn("swap: %s of slot %u failed (%d): %s (swap I/O error %lu)\n", what, slot, r, outcome, n);
}

static int swap_read_page(u32 slot, struct page *p)
{
	int r = inject(READ_ONCE(fail_read_every), &nr_reads) ? -EIO
		: blk_read((u64)slot * BLK_SECTORS_PER_PAGE, page_address(p), BLK_SECTORS_PER_PAGE);
	if (r) {
		VMSTAT_INC(swap_read_errors);
		report_io_error("read", slot, r, "its users get SIGBUS");
		return -EIO;
	}
	VMSTAT_INC(pswpin);
	return 0;
}

int swap_write_page(u32 slot, struct page *p)
{
	int r = inject(READ_ONCE(fail_write_every), &nr_writes) ? -EIO
		: blk_write((u64)slot * BLK_SECTORS_PER_PAGE, page_address(p), BLK_SECTORS_PER_PAGE);
	if (r) {
		VMSTAT_INC(swap_write_errors);
		report_io_error("write", slot, r, "the page stays in memory");
		return -EIO;
	}
	VMSTAT_INC(pswpout);
	return 0;
}

void swap_set_fail(u32 read_every, u32 write_every)
{
	WRITE_ONCE(fail_read_every, read_every);
	WRITE_ONCE(fail_write_every, write_every);
}

/* Wait for an in-flight read of p (we hold a reference); 0 or -EIO. */
static int wait_for_read(struct page *p)
{
	wait_event(&swapin_wq, !(READ_ONCE(p->flags) & PG_locked));
	return READ_ONCE(p->flags) & PG_ioerror ? -EIO : 0;
}

/* Read slot into a new page that is in the cache while the read runs (rule 4). */
static int read_into_cache(u32 slot, struct page *np, struct page **out)
{
	int r = swap_read_page(slot, np);
	spin_lock(&anon_lock);
	np->flags &= ~PG_locked;
	if (r) {
		np->flags |= PG_ioerror;        /* rule 6: waiters see it */
		swap_cache_del_locked(np);
	}
	spin_unlock(&anon_lock);
	wake_up_all(&swapin_wq);
	if (r) {
		put_page(np);   /* the cache's reference */
		put_page(np);   /* ours; waiters still hold theirs */
		return r;
	}
	*out = np;
	return 0;
}

int swapin_page(u32 slot, struct page **out)
{
	for (;;) {
		spin_lock(&anon_lock);
		struct page *p = swap_cache_lookup_locked(slot);
		if (p) {
			get_page(p);
			spin_unlock(&anon_lock);
			VMSTAT_INC(swapcache_hits);
			int r = wait_for_read(p);
			if (r)
				put_page(p);
			else
				*out = p;
			return r;
		}
		spin_unlock(&anon_lock);
		struct page *np = alloc_user_page();
		if (!np)
			return -ENOMEM;
		spin_lock(&anon_lock);
		if (swap_cache_lookup_locked(slot)) {   /* another fault got there first */
			spin_unlock(&anon_lock);
			put_page(np);
			continue;
		}
		KASSERT(swap_slots_count(&slots, slot) > 0);
		get_page(np);                           /* the cache's reference */
		swap_cache_add_locked(np, slot);
		np->flags |= PG_locked;
		spin_unlock(&anon_lock);
		return read_into_cache(slot, np, out);
	}
}

/* ------------------------------------------------------------------ reporting */

void swap_get_info(struct secundus_swapinfo *info)
{
	memset(info, 0, sizeof *info);
	spin_lock(&anon_lock);
	info->total_slots = slots.nr > 1 ? slots.nr - 1 : 0;
	info->free_slots = slots.nr > 1 ? slots.nr_free : 0;
	info->cache_pages = cache_pages;
	spin_unlock(&anon_lock);
	reclaim_get_info(info);
	info->free_pages = pmm_free_pages();
	info->total_pages = pmm_total_pages();
	info->read_fail_every = READ_ONCE(fail_read_every);
	info->write_fail_every = READ_ONCE(fail_write_every);
}

static long sys_swapctl(struct trapframe *tf)
{
	switch ((int)tf->rdi) {
	case SWAPCTL_INFO: {
		struct secundus_swapinfo info;
		swap_get_info(&info);
		u64 n = MIN(tf->rdx, sizeof info);
		return copy_to_user(tf->rsi, &info, n) ? -EFAULT : (long)n;
	}
	case SWAPCTL_FAIL:
		if (tf->rsi > 0xffffffffu || tf->rdx > 0xffffffffu)
			return -EINVAL;
		swap_set_fail((u32)tf->rsi, (u32)tf->rdx);
		return 0;
	default:
		return -EINVAL;
	}
}

SHELL_COMMAND(swap, "swap area use, swap cache, reclaim watermarks and counters")
{
	UNUSED(argc), UNUSED(argv);
	struct secundus_swapinfo i;
	swap_get_info(&i);
	if (!i.total_slots)
		console_printf("no swap area\n");
	else
		console_printf("slots: %lu total, %lu used, %lu free (%lu MiB used of %lu MiB)\n",
			       i.total_slots, i.total_slots - i.free_slots, i.free_slots,
			       (i.total_slots - i.free_slots) * PAGE_SIZE >> 20, i.total_slots * PAGE_SIZE >> 20);
	console_printf("swap cache: %lu pages; LRU: %lu pages\n", i.cache_pages, i.lru_pages);
	console_printf("memory: %lu free of %lu pages; watermarks min %lu low %lu high %lu\n", i.free_pages,
		       i.total_pages, i.wmark_min, i.wmark_low, i.wmark_high);
	console_printf("swapped out %lu, in %lu; read errors %lu, write errors %lu; oom kills %lu\n",
		       vmstat.pswpout, vmstat.pswpin, vmstat.swap_read_errors, vmstat.swap_write_errors,
		       vmstat.oom_kills);
	if (i.read_fail_every)
		console_printf("fault injection: every %lu-th swap read fails\n", i.read_fail_every);
	if (i.write_fail_every)
		console_printf("fault injection: every %lu-th swap write fails\n", i.write_fail_every);
	return 0;
}
