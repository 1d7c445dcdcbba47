/*
 * blk_test.c - the virtio-blk disk (drivers/block/virtio_blk.c) and the
 * PCI layer under it.
 *
 * Every test skips when no disk is attached (boot without -drive
 * if=virtio). With one: the capacity is the image's (the harness passes
 * blk_sectors=N on the command line; without it only plausibility is
 * checked); patterns written to single sectors, a page, a multi-page run,
 * a transfer the driver splits into several device requests, and the last
 * sector read back intact; out-of-range requests and bad buffers give
 * -EINVAL without reaching the device, and a sector past the end that
 * does reach it (blk_read_unchecked) comes back -EIO from the device's
 * own status; three kernel threads with requests
 * in flight together all get their own data back; fault injection
 * returns -EIO exactly where asked and the counters say so; completions
 * arrive by interrupt (and by polling when the caller has interrupts
 * off). Fault injection set by blk_fail=N is turned off while each test
 * runs and restored after. Every wait is bounded by the clock.
 *
 * The tests overwrite sectors here and there in the first 1400 and the
 * last 24 sectors of the disk: the harness gives each boot a fresh image.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/time.h"
#include "kernel/mm/pmm.h"
#include "kernel/sched/sched.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"
#include "drivers/block/virtio_blk.h"
#include "drivers/pci/pci.h"

#define NEED_DISK()                                                             \
	do {                                                                    \
		if (!blk_present())                                             \
			KTEST_SKIP("no virtio-blk disk (boot with -drive if=virtio)"); \
	} while (0)

/* The word at index i of `sector`, for a run tagged with seed. */
static u32 pattern(u64 sector, u32 i, u32 seed)
{
	u32 x = (u32)sector * 0x9e3779b9u ^ (u32)(sector >> 32) ^ seed ^ (i * 0x85ebca6bu);
	return x ^ (x >> 13);
}

static void fill(void *buf, u64 sector, u32 nsect, u32 seed)
{
	u32 *w = buf;
	for (u32 s = 0; s < nsect; s++)
		for (u32 i = 0; i < BLK_SECTOR_SIZE / 4; i++)
			*w++ = pattern(sector + s, i, seed);
}

/* How many sectors of buf differ from the pattern. */
static u32 mismatches(const void *buf, u64 sector, u32 nsect, u32 seed)
{
	const u32 *w = buf;
	u32 bad = 0;
	for (u32 s = 0; s < nsect; s++) {
		bool ok = true;
		for (u32 i = 0; i < BLK_SECTOR_SIZE / 4; i++)
			ok &= *w++ == pattern(sector + s, i, seed);
		bad += !ok;
	}
	return bad;
}

static unsigned order_for(u32 nsect)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < (u64)nsect * BLK_SECTOR_SIZE)
		order++;
	return order;
}

/* Write a pattern to [sector, sector + nsect), read it back into another buffer, compare. */
static bool roundtrip(struct ktest_ctx *ktest, u64 sector, u32 nsect, u32 seed)
{
	unsigned order = order_for(nsect);
	struct page *wp = alloc_pages(order), *rp = alloc_pages(order);
	bool ok = KEXPECT_NOT_NULL(wp) && KEXPECT_NOT_NULL(rp);
	if (ok) {
		void *w = page_address(wp), *r = page_address(rp);
		fill(w, sector, nsect, seed);
		memset(r, 0xa5, (u64)nsect * BLK_SECTOR_SIZE);
		ok = KEXPECT_EQ(blk_write(sector, w, nsect), 0);
		ok = ok && KEXPECT_EQ(blk_read(sector, r, nsect), 0);
		ok = ok && KEXPECT_EQ(mismatches(r, sector, nsect, seed), 0);
		if (!ok)
			ktest_diag("round trip of %u sectors at %lu failed", nsect, sector);
	}
	if (wp)
		free_pages(wp, order);
	if (rp)
		free_pages(rp, order);
	return ok;
}

static u32 fresh_seed(void)
{
	return (u32)rdtsc() | 1;
}

KTEST(blk, pci_finds_the_disk)
{
	NEED_DISK();
	struct pci_dev *d = pci_find(0x1af4, 0x1001);
	KASSERT_NOT_NULL(d);
	KEXPECT_EQ(d->class, 1);                        /* mass storage */
	KEXPECT_TRUE(d->bar_io[0]);
	KEXPECT_NE(d->bar_base[0], 0);
	KEXPECT_GE(d->bar_size[0], 0x18);               /* legacy registers + capacity */
	KEXPECT_EQ(pci_read16(d->bus, d->dev, d->fn, PCI_VENDOR_ID), 0x1af4);
	u16 cmd = pci_read16(d->bus, d->dev, d->fn, PCI_COMMAND);
	KEXPECT_TRUE(cmd & PCI_CMD_IO);
	KEXPECT_TRUE(cmd & PCI_CMD_MASTER);
	KEXPECT_NE(d->irq_pin, 0);
}

KTEST(blk, capacity_matches_image)
{
	NEED_DISK();
	u64 cap = blk_capacity_sectors();
	KEXPECT_GT(cap, 0);
	char v[24];
	if (cmdline_get("blk_sectors", v, sizeof v)) {
		KEXPECT_EQ(cap, strtou64(v, NULL));
	} else {
		ktest_diag("no blk_sectors=N on the command line: %lu sectors not checked against the image",
			   cap);
		KEXPECT_EQ(cap % BLK_SECTORS_PER_PAGE, 0);
	}
}

KTEST(blk, write_read_patterns)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(0);
	u64 cap = blk_capacity_sectors();
	KASSERT_GE(cap, 1024);
	u32 seed = fresh_seed();
	struct blk_stats a, b;
	blk_get_stats(&a);
	roundtrip(ktest, 1, 1, seed);                           /* one sector */
	roundtrip(ktest, 8, BLK_SECTORS_PER_PAGE, seed);        /* one page */
	roundtrip(ktest, 100, 5 * BLK_SECTORS_PER_PAGE, seed);  /* five pages, one request */
	roundtrip(ktest, 300, BLK_MAX_REQ_SECTORS + 40, seed);  /* split into two requests */
	roundtrip(ktest, cap - 1, 1, seed);                     /* the last sector */
	roundtrip(ktest, cap - 3 * BLK_SECTORS_PER_PAGE, 3 * BLK_SECTORS_PER_PAGE, seed); /* up to the end */
	blk_get_stats(&b);
	KEXPECT_EQ(b.errors, a.errors);
	KEXPECT_EQ(b.requests - a.requests, 2 * 7);     /* the split transfer is 2 requests each way */
	u32 written = 1 + 8 + 40 + BLK_MAX_REQ_SECTORS + 40 + 1 + 24;
	KEXPECT_EQ(b.sectors_written - a.sectors_written, written);
	KEXPECT_EQ(b.sectors_read - a.sectors_read, written);
	blk_set_fail_every(old);
}

/* Data written in one shape reads back in another, and neighbours are untouched. */
KTEST(blk, read_back_in_pieces)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(0);
	u32 seed = fresh_seed(), other = seed ^ 0x5a5a5a5a;
	struct page *p = alloc_pages(2);
	KASSERT_NOT_NULL(p);
	u8 *buf = page_address(p);
	fill(buf, 200, 32, seed);
	KEXPECT_EQ(blk_write(200, buf, 32), 0);
	fill(buf, 199, 1, other);
	KEXPECT_EQ(blk_write(199, buf, 1), 0);
	fill(buf, 232, 1, other);
	KEXPECT_EQ(blk_write(232, buf, 1), 0);
	memset(buf, 0, 4 * PAGE_SIZE);
	for (u32 s = 0; s < 32; s += 4)
		KEXPECT_EQ(blk_read(200 + s, buf + s * BLK_SECTOR_SIZE, 4), 0);
	KEXPECT_EQ(mismatches(buf, 200, 32, seed), 0);
	KEXPECT_EQ(blk_read(199, buf, 1), 0);
	KEXPECT_EQ(mismatches(buf, 199, 1, other), 0);
	KEXPECT_EQ(blk_read(232, buf, 1), 0);
	KEXPECT_EQ(mismatches(buf, 232, 1, other), 0);
	free_pages(p, 2);
	blk_set_fail_every(old);
}

KTEST(blk, out_of_range_is_einval)
{
	NEED_DISK();
	u64 cap = blk_capacity_sectors();
	struct page *p = alloc_page();
	KASSERT_NOT_NULL(p);
	void *buf = page_address(p);
	struct blk_stats a, b;
	blk_get_stats(&a);
	KEXPECT_EQ(blk_read(cap, buf, 1), -EINVAL);
	KEXPECT_EQ(blk_write(cap, buf, 1), -EINVAL);
	KEXPECT_EQ(blk_read(cap - 1, buf, 2), -EINVAL);
	KEXPECT_EQ(blk_write(cap - 7, buf, 8), -EINVAL);
	KEXPECT_EQ(blk_read(~0ull, buf, 1), -EINVAL);
	KEXPECT_EQ(blk_read(~0ull - 1, buf, 4), -EINVAL);       /* sector + n wraps around */
	KEXPECT_EQ(blk_read(0, buf, 0), -EINVAL);
	KEXPECT_EQ(blk_read(0, (void *)0x400000, 1), -EINVAL);  /* a user address */
	KEXPECT_EQ(blk_read(0, NULL, 1), -EINVAL);
	blk_get_stats(&b);
	KEXPECT_EQ(b.requests, a.requests);     /* none of them reached the device */
	KEXPECT_EQ(b.errors, a.errors);
	free_page(p);
}

/* ---------------------------------------------------------------- concurrency */

#define NTHREADS 3
#define ROUNDS 24
#define THREAD_SECTORS 24       /* three pages per request */

struct worker {
	int id;
	u64 base;
	volatile bool finished;
	int io_errors, bad_sectors, rounds;
};
/* Static: if a thread outlived the test's deadline it would still find its struct. */
static struct worker workers[NTHREADS];

static void worker_fn(void *arg)
{
	struct worker *wk = arg;
	unsigned order = order_for(THREAD_SECTORS);
	struct page *wp = alloc_pages(order), *rp = alloc_pages(order);
	if (!wp || !rp) {
		wk->io_errors = -1;
	} else {
		void *w = page_address(wp), *r = page_address(rp);
		for (int i = 0; i < ROUNDS; i++) {
			u32 seed = (u32)(wk->id << 24) ^ (u32)i ^ 0x1234567u;
			u64 sector = wk->base + (u64)(i % 4) * THREAD_SECTORS;
			fill(w, sector, THREAD_SECTORS, seed);
			memset(r, 0, (u64)THREAD_SECTORS * BLK_SECTOR_SIZE);
			if (blk_write(sector, w, THREAD_SECTORS) || blk_read(sector, r, THREAD_SECTORS))
				wk->io_errors++;
			else
				wk->bad_sectors += (int)mismatches(r, sector, THREAD_SECTORS, seed);
			wk->rounds++;
			if (i % 3 == 2)
				yield();
		}
	}
	if (wp)
		free_pages(wp, order);
	if (rp)
		free_pages(rp, order);
	WRITE_ONCE(wk->finished, true);
}

/* Start the workers, wait for them (bounded), check their results and the counters. */
static void run_workers(struct ktest_ctx *ktest, struct blk_stats *a, struct blk_stats *b)
{
	blk_get_stats(a);
	int started = 0;
	for (int i = 0; i < NTHREADS; i++) {
		workers[i] = (struct worker){ .id = i, .base = 1024 + (u64)i * 4 * THREAD_SECTORS };
		struct thread *t = kthread_create("blk-worker", worker_fn, &workers[i]);
		if (!KEXPECT_NOT_NULL(t))
			break;
		started++;
	}
	u64 end = time_since_boot_us() + 60 * 1000000ull;
	for (;;) {
		int done = 0;
		for (int i = 0; i < started; i++)
			done += READ_ONCE(workers[i].finished);
		if (done == started || time_since_boot_us() > end)
			break;
		msleep(2);
	}
	for (int i = 0; i < started; i++) {
		struct worker *wk = &workers[i];
		if (!KEXPECT_TRUE(READ_ONCE(wk->finished)))
			ktest_diag("worker %d did not finish within 60 s (%d rounds)", i, wk->rounds);
		KEXPECT_EQ(wk->io_errors, 0);
		KEXPECT_EQ(wk->bad_sectors, 0);
		KEXPECT_EQ(wk->rounds, ROUNDS);
	}
	blk_get_stats(b);
	KEXPECT_EQ(b->errors, a->errors);
	KEXPECT_EQ(b->requests - a->requests, (u64)started * ROUNDS * 2);
	KEXPECT_EQ(b->in_flight, 0);
}

/* With one request slot, the threads queue for it: every request still completes. */
KTEST(blk, threads_wait_for_a_free_slot)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(0);
	u32 slots = blk_test_limit_slots(1);
	struct blk_stats a, b;
	run_workers(ktest, &a, &b);
	blk_test_limit_slots(slots);
	/* Sleeping callers queue up; polling ones (no interrupt) may each finish before the next starts. */
	if (blk_uses_interrupts() && !KEXPECT_GT(b.slot_waits - a.slot_waits, 0))
		ktest_diag("three threads never found the single slot busy");
	blk_set_fail_every(old);
}

KTEST(blk, concurrent_requests_from_threads)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(0);
	struct blk_stats a, b;
	run_workers(ktest, &a, &b);
	ktest_diag("max requests in flight so far: %u, slot waits %lu", b.max_in_flight,
		   b.slot_waits - a.slot_waits);
	blk_set_fail_every(old);
}

/* ---------------------------------------------------------------- errors */

/* The device's own error status reaches the caller as -EIO and is counted. */
KTEST(blk, device_error_is_eio)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(0);
	struct page *p = alloc_page();
	KASSERT_NOT_NULL(p);
	struct blk_stats a, b;
	blk_get_stats(&a);
	/* Past the end: only the device's range check can refuse it. */
	KEXPECT_EQ(blk_read_unchecked(blk_capacity_sectors(), page_address(p), 1), -EIO);
	blk_get_stats(&b);
	KEXPECT_EQ(b.requests - a.requests, 1);
	KEXPECT_EQ(b.errors - a.errors, 1);
	KEXPECT_EQ(b.injected, a.injected);
	KEXPECT_EQ(b.in_flight, 0);
	KEXPECT_EQ(blk_read(0, page_address(p), 1), 0);        /* and the disk still works */
	free_page(p);
	blk_set_fail_every(old);
}

KTEST(blk, injected_failures_are_returned)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(3);
	char v[16];
	if (cmdline_get("blk_fail", v, sizeof v))
		KEXPECT_EQ(old, strtou64(v, NULL));     /* the command line set it */
	struct page *p = alloc_pages(order_for(BLK_MAX_REQ_SECTORS + 8));
	KASSERT_NOT_NULL(p);
	void *buf = page_address(p);
	struct blk_stats a, b;
	blk_get_stats(&a);
	int failed = 0, ok = 0, other = 0;
	for (int i = 0; i < 9; i++) {
		int r = (i & 1) ? blk_write(600 + (u64)i, buf, 1) : blk_read(600 + (u64)i, buf, 1);
		failed += r == -EIO;
		ok += r == 0;
		other += r != 0 && r != -EIO;
		if (i % 3 == 2)
			KEXPECT_EQ(r, -EIO);    /* exactly the 3rd, 6th and 9th */
	}
	KEXPECT_EQ(failed, 3);
	KEXPECT_EQ(ok, 6);
	KEXPECT_EQ(other, 0);
	blk_get_stats(&b);
	KEXPECT_EQ(b.injected - a.injected, 3);
	KEXPECT_EQ(b.errors - a.errors, 3);
	KEXPECT_EQ(b.requests - a.requests, 9);

	/* A transfer split into two requests fails when its second part does. */
	blk_set_fail_every(2);
	KEXPECT_EQ(blk_read(700, buf, BLK_MAX_REQ_SECTORS + 8), -EIO);
	blk_set_fail_every(0);
	KEXPECT_EQ(blk_read(700, buf, BLK_MAX_REQ_SECTORS + 8), 0);
	free_pages(p, order_for(BLK_MAX_REQ_SECTORS + 8));
	blk_set_fail_every(old);
}

/* ---------------------------------------------------------------- interrupts */

KTEST(blk, completions_arrive_by_interrupt)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(0);
	KEXPECT_TRUE(blk_uses_interrupts());
	struct page *p = alloc_page();
	KASSERT_NOT_NULL(p);
	struct blk_stats a, b;
	blk_get_stats(&a);
	for (int i = 0; i < 4; i++)
		KEXPECT_EQ(blk_read((u64)i * 8, page_address(p), 8), 0);
	blk_get_stats(&b);
	KEXPECT_GE(b.interrupts - a.interrupts, 1);
	KEXPECT_EQ(b.irq_completions - a.irq_completions, 4);
	KEXPECT_EQ(b.polled_completions, a.polled_completions);
	free_page(p);
	blk_set_fail_every(old);
}

KTEST(blk, interrupts_off_polls)
{
	NEED_DISK();
	u32 old = blk_set_fail_every(0);
	u32 seed = fresh_seed();
	struct page *p = alloc_page();
	KASSERT_NOT_NULL(p);
	void *buf = page_address(p);
	fill(buf, 900, 8, seed);
	struct blk_stats a, b;
	blk_get_stats(&a);
	u64 flags = irq_save();
	int w = blk_write(900, buf, 8);
	memset(buf, 0, PAGE_SIZE);
	int r = blk_read(900, buf, 8);
	irq_restore(flags);
	KEXPECT_EQ(w, 0);
	KEXPECT_EQ(r, 0);
	KEXPECT_EQ(mismatches(buf, 900, 8, seed), 0);
	blk_get_stats(&b);
	u64 polled = b.polled_completions - a.polled_completions;
	KEXPECT_EQ(polled + b.irq_completions - a.irq_completions, 2);
	if (this_cpu()->id == 0)        /* the disk interrupts CPU 0: here it could not */
		KEXPECT_EQ(polled, 2);
	free_page(p);
	blk_set_fail_every(old);
}
