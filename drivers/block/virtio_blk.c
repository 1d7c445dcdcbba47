/*
 * virtio_blk.c - a driver for QEMU's virtio-blk PCI disk (1af4:1001), in
 * the LEGACY ("transitional", virtio 0.9.5) interface: all registers in
 * I/O BAR0, one virtqueue whose rings the driver places in memory and
 * hands to the device by page frame number.
 *
 * A virtqueue is three arrays in guest memory, shared with the device:
 *
 *     descriptor table   N x { addr (physical), len, flags, next }
 *     available ring     { flags, idx, ring[N] }   written by us: heads of chains to do
 *     used ring          { flags, idx, ring[N] of { id, len } }   written by the device
 *
 * One request is a chain of three descriptors: a 16-byte header {type,
 * reserved, sector} the device reads, the data buffer (the device writes
 * it for a read, reads it for a write), and one status byte the device
 * writes last. Request slot i always uses descriptors 3i, 3i+1, 3i+2;
 * its header and status byte live in a driver page (`dma`), so only the
 * data descriptor changes from request to request.
 *
 * THE ORDERING RULES (the device is another processor reading and writing
 * the same memory, with no lock it could share with us):
 *
 *  1. Publish in order: descriptors, then the available-ring entry, then
 *     (write barrier) avail->idx. The device may read avail->idx at any
 *     moment - QEMU's I/O thread looks whenever anything kicks it - and
 *     trusts every entry below idx, and the descriptors they name, to be
 *     complete. x86 does not reorder stores with stores, so the CPU needs
 *     nothing; the compiler does, hence virt_wmb() (a compiler barrier
 *     here, a real fence on weaker CPUs).
 *  2. avail->idx before the notify decision: we skip the kick when the
 *     device has set VRING_USED_F_NO_NOTIFY ("I am already looking"). It
 *     clears the flag and then re-reads avail->idx; we store avail->idx
 *     and then read the flag. That is store-then-load on both sides, the
 *     one reordering x86 does perform: without a full fence (virt_mb(),
 *     mfence) both could read the old value, the device goes to sleep and
 *     our request waits forever. The kick itself is an I/O port write.
 *  3. Consume the used ring in order: read used->idx, then (read barrier)
 *     the elements below it; the device wrote each element before it
 *     advanced idx. `last_used` is ours alone: every element from
 *     last_used up to used->idx is a finished request, consumed exactly
 *     once, under blk.lock - by the interrupt handler, or by a polling
 *     caller, whichever comes first.
 *  4. A request's buffers belong to the device from the moment avail->idx
 *     makes it visible until its id appears in the used ring. The device
 *     writes the data (for a read) and the status byte at any time in
 *     between, by PHYSICAL address, knowing nothing of our page tables or
 *     of whether the caller still cares. So the caller sleeps until
 *     completion, and neither the data buffer nor the slot may be freed
 *     or reused before: there is no "give up and return" in interrupt
 *     mode. When a polling caller does time out, the driver resets the
 *     device (after which it touches no guest memory), fails every
 *     request in flight and refuses new ones: it never reuses a slot the
 *     device may still write.
 *  5. Only physical addresses go to the device, and a buffer must be
 *     physically contiguous: the direct map and the kernel image are.
 *  6. Interrupts (legacy INTx, level-triggered through the IOAPIC): read
 *     the ISR register first - that acknowledges the device and drops the
 *     line - then consume the used ring, then EOI. EOI with the line still
 *     up would deliver the interrupt again at once. ISR == 0 means the
 *     interrupt was another device's on a shared line: do nothing.
 *  7. Completion hand-off: the consumer copies the status into the
 *     caller's on-stack waiter, sets its `done` flag LAST, and never
 *     touches the waiter again (the caller may already have returned);
 *     then it wakes the wait queue. The caller tests `done` after
 *     queuing itself (waitq.h), so the wake-up cannot be lost.
 *  8. blk.lock (a spinlock taken with interrupts off, since the handler
 *     takes it too) covers the slots, the available ring, last_used and
 *     the counters. Nobody sleeps holding it.
 *
 * The polling fallback: virtio_blk_init() sends one read and waits up to
 * a second for its interrupt. If none comes (no INTx line, an IOAPIC that
 * cannot route it, a broken route), the driver turns INTx off at the
 * device and completes every request by polling the used ring instead,
 * and says so on the console and in `blk`. A caller with interrupts
 * disabled also polls, since it cannot sleep.
 */
#include "drivers/block/virtio_blk.h"
#include "drivers/pci/pci.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/shell.h"
#include "kernel/mm/pmm.h"
#include "kernel/sched/waitq.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_BLK_LEGACY_ID 0x1001

/* Legacy virtio PCI registers, offsets in I/O BAR0. */
#define VIRTIO_DEVICE_FEATURES 0x00     /* u32, read-only */
#define VIRTIO_GUEST_FEATURES 0x04      /* u32 */
#define VIRTIO_QUEUE_PFN 0x08           /* u32: ring address >> 12; 0 = none */
#define VIRTIO_QUEUE_SIZE 0x0c          /* u16, read-only: entries in the selected queue */
#define VIRTIO_QUEUE_SELECT 0x0e        /* u16 */
#define VIRTIO_QUEUE_NOTIFY 0x10        /* u16: write a queue index to kick it */
#define VIRTIO_DEVICE_STATUS 0x12       /* u8; writing 0 resets the device */
#define VIRTIO_ISR 0x13                 /* u8; reading clears it and drops INTx */
#define VIRTIO_BLK_CAPACITY 0x14        /* device config (no MSI-X): u64 sectors */

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FAILED 128
#define ISR_QUEUE 1
#define ISR_CONFIG 2

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2            /* the device writes this buffer */
#define VRING_USED_F_NO_NOTIFY 1
#define VRING_ALIGN 4096                /* the legacy interface's ring alignment */

#define VIRTIO_BLK_T_IN 0               /* read */
#define VIRTIO_BLK_T_OUT 1              /* write */
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define STATUS_PENDING 0xff             /* our marker: the device has not written it yet */

#define MAX_SLOTS 64                    /* requests in flight at once (bits of free_mask) */
#define PROBE_TIMEOUT_US 1000000        /* wait this long for the first interrupt */
#define POLL_TIMEOUT_US 10000000        /* a polled request not done by then: device dead */

#define virt_wmb() barrier()            /* x86: stores are not reordered with stores */
#define virt_rmb() barrier()            /* x86: loads are not reordered with loads */
#define virt_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)     /* mfence: store -> load */

struct vring_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
} __attribute__((packed));

struct vring_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
} __attribute__((packed));

struct vring_used_elem {
	u32 id;                 /* head descriptor of the finished chain */
	u32 len;                /* bytes the device wrote into the chain */
} __attribute__((packed));

struct vring_used {
	u16 flags;
	u16 idx;
	struct vring_used_elem ring[];
} __attribute__((packed));

struct virtio_blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
} __attribute__((packed));

/* The device-visible part of a request slot (in the `dma` page). */
struct dma_slot {
	struct virtio_blk_hdr hdr;
	volatile u8 status;
	u8 pad[15];
};

/* A caller waiting for its request (on its stack; see rule 7). */
struct blk_waiter {
	volatile bool done;
	u8 status;
};

static struct {
	struct spinlock lock;
	struct waitq wq;                /* callers waiting for completion or a free slot */
	bool present;
	bool irq_mode;                  /* completions by interrupt; else polling */
	bool dead;                      /* a polled request timed out: the device was reset */
	struct pci_dev *pci;
	u16 io;                         /* I/O BAR0 */
	int gsi;                        /* -1: no INTx */
	u32 device_features;
	u64 capacity;                   /* sectors */
	u16 qsize;
	int nslots;
	unsigned ring_order;
	struct page *ring_pages, *dma_page;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	struct dma_slot *slots;         /* nslots of them, in dma_page */
	u8 *scratch;                    /* one sector for the probe read, in dma_page */
	u16 avail_idx;                  /* our copy of avail->idx */
	u16 last_used;                  /* next used-ring element to consume */
	u64 free_mask;                  /* bit i: slot i is free */
	u64 usable_mask;                /* slots new requests may take (blk_test_limit_slots) */
	struct blk_waiter *waiter[MAX_SLOTS];
	u32 fail_every, fail_count;     /* fault injection */
	struct blk_stats st;
} blk = { .lock = SPINLOCK_INIT("virtio-blk"), .wq = WAITQ_INIT(blk.wq), .gsi = -1 };

static u64 tsc_after_us(u64 us)
{
	return rdtsc() + tsc_hz / 1000000 * us;
}

/* ------------------------------------------------------------------ the rings */

/*
 * Consume every finished request in the used ring (rules 3 and 7).
 * blk.lock held. Returns how many completed.
 */
static int reap_used(bool from_irq)
{
	int n = 0;
	u16 used_idx = READ_ONCE(blk.used->idx);
	virt_rmb();
	while (blk.last_used != used_idx) {
		struct vring_used_elem e = blk.used->ring[blk.last_used % blk.qsize];
		blk.last_used++;
		u32 slot = e.id / 3;
		if (e.id % 3 || slot >= (u32)blk.nslots || (blk.free_mask & (1ull << slot))) {
			pr_err("virtio-blk: device returned bogus descriptor id %u\n", e.id);
			continue;
		}
		u8 status = blk.slots[slot].status;
		struct blk_waiter *w = blk.waiter[slot];
		blk.waiter[slot] = NULL;
		blk.free_mask |= 1ull << slot;
		blk.st.in_flight--;
		if (from_irq)
			blk.st.irq_completions++;
		else
			blk.st.polled_completions++;
		if (w) {
			w->status = status;
			WRITE_ONCE(w->done, true);      /* last touch of *w */
		}
		n++;
	}
	return n;
}

/*
 * Put request slot `slot` on the available ring and kick the device
 * (rules 1 and 2). blk.lock held.
 */
static void publish(int slot, u32 type, u64 sector, paddr_t data, u32 len, struct blk_waiter *w)
{
	struct dma_slot *s = &blk.slots[slot];
	s->hdr.type = type;
	s->hdr.reserved = 0;
	s->hdr.sector = sector;
	s->status = STATUS_PENDING;
	struct vring_desc *d = &blk.desc[3 * slot + 1];
	d->addr = data;
	d->len = len;
	d->flags = VRING_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0);
	blk.waiter[slot] = w;
	blk.free_mask &= ~(1ull << slot);
	if (++blk.st.in_flight > blk.st.max_in_flight)
		blk.st.max_in_flight = blk.st.in_flight;

	blk.avail->ring[blk.avail_idx % blk.qsize] = (u16)(3 * slot);
	virt_wmb();                             /* rule 1: entry and descriptors before idx */
	WRITE_ONCE(blk.avail->idx, ++blk.avail_idx);
	virt_mb();                              /* rule 2: idx before reading the flag */
	if (!(READ_ONCE(blk.used->flags) & VRING_USED_F_NO_NOTIFY))
		outw(blk.io + VIRTIO_QUEUE_NOTIFY, 0);
}

/*
 * The device stopped answering a polled request: reset it (it then
 * forgets the queue and touches no guest memory), fail every request in
 * flight and every later one. blk.lock held.
 */
static void declare_dead(void)
{
	outb(blk.io + VIRTIO_DEVICE_STATUS, 0);
	blk.dead = true;
	for (int i = 0; i < blk.nslots; i++) {
		struct blk_waiter *w = blk.waiter[i];
		blk.waiter[i] = NULL;
		if (w) {
			w->status = VIRTIO_BLK_S_IOERR;
			WRITE_ONCE(w->done, true);
		}
	}
	pr_err("virtio-blk: no completion within %u s: device reset, disk disabled\n",
	       POLL_TIMEOUT_US / 1000000);
}

/* Poll the used ring until w is done (bounded: see declare_dead). Any context. */
static void poll_until_done(struct blk_waiter *w)
{
	u64 end = tsc_after_us(POLL_TIMEOUT_US);
	while (!READ_ONCE(w->done)) {
		u64 f = spin_lock_irqsave(&blk.lock);
		int n = reap_used(false);
		if (!READ_ONCE(w->done) && rdtsc() > end)
			declare_dead(), n++;
		spin_unlock_irqrestore(&blk.lock, f);
		if (n)
			wake_up_all(&blk.wq);   /* others' requests may have finished too */
		if (!READ_ONCE(w->done))
			cpu_relax();
	}
}

/* Sleep until completion is possible: interrupt mode, interrupts on, not in a handler. */
static bool can_sleep(void)
{
	return blk.irq_mode && irqs_enabled() && this_cpu()->irq_depth == 0;
}

/* Take a free slot, sleeping or polling while all are busy. blk.lock held (may be dropped); -1 if dead. */
static int get_slot(u64 *flags)
{
	bool counted = false;
	while (!blk.dead && !(blk.free_mask & blk.usable_mask)) {
		if (!counted)
			blk.st.slot_waits++, counted = true;
		if (can_sleep()) {
			spin_unlock_irqrestore(&blk.lock, *flags);
			wait_event(&blk.wq, (READ_ONCE(blk.free_mask) & READ_ONCE(blk.usable_mask)) ||
					    READ_ONCE(blk.dead));
		} else {
			int n = reap_used(false);
			spin_unlock_irqrestore(&blk.lock, *flags);
			if (n)
				wake_up_all(&blk.wq);
			cpu_relax();
		}
		*flags = spin_lock_irqsave(&blk.lock);
	}
	if (blk.dead)
		return -1;
	return __builtin_ctzll(blk.free_mask & blk.usable_mask);
}

/* One device request of at most BLK_MAX_REQ_SECTORS. 0 or -EIO. */
static int do_request(u32 type, u64 sector, paddr_t data, u32 nsect)
{
	struct blk_waiter w = { false, STATUS_PENDING };
	u64 f = spin_lock_irqsave(&blk.lock);
	blk.st.requests++;
	if (type == VIRTIO_BLK_T_IN)
		blk.st.reads++;
	else
		blk.st.writes++;
	if (blk.fail_every && ++blk.fail_count % blk.fail_every == 0) {
		blk.st.injected++;
		blk.st.errors++;
		spin_unlock_irqrestore(&blk.lock, f);
		return -EIO;
	}
	int slot = get_slot(&f);
	if (slot < 0) {
		blk.st.errors++;
		spin_unlock_irqrestore(&blk.lock, f);
		return -EIO;
	}
	publish(slot, type, sector, data, nsect * BLK_SECTOR_SIZE, &w);
	spin_unlock_irqrestore(&blk.lock, f);

	if (can_sleep())
		wait_event(&blk.wq, READ_ONCE(w.done));
	else
		poll_until_done(&w);

	/* Here the device has finished with the buffer (rule 4). */
	f = spin_lock_irqsave(&blk.lock);
	int ret = 0;
	if (w.status != VIRTIO_BLK_S_OK) {
		blk.st.errors++;
		ret = -EIO;
	} else if (type == VIRTIO_BLK_T_IN) {
		blk.st.sectors_read += nsect;
	} else {
		blk.st.sectors_written += nsect;
	}
	spin_unlock_irqrestore(&blk.lock, f);
	if (ret)
		pr_warn("virtio-blk: %s of %u sectors at %lu failed (status %u)\n",
			type == VIRTIO_BLK_T_IN ? "read" : "write", nsect, sector, w.status);
	return ret;
}

/* The physical address of a contiguous kernel buffer, or 0 if it is not one (rule 5). */
static paddr_t buffer_phys(const void *buf, u64 len)
{
	u64 va = (u64)buf;
	u64 img_lo = KERNEL_VMA + (u64)kernel_phys_start, img_hi = KERNEL_VMA + (u64)kernel_phys_end;
	if (va >= KERNEL_VMA)
		return va >= img_lo && va + len <= img_hi ? KERNEL_SYM_PHYS(va) : 0;
	if (va < DIRECT_MAP_BASE)
		return 0;
	paddr_t pa = VIRT_TO_PHYS(buf);
	u64 ram_end = pmm_max_pfn() << PAGE_SHIFT;
	return pa + len <= ram_end && pa + len > pa ? pa : 0;
}

static int transfer(u32 type, u64 sector, const void *buf, u32 nsectors, bool check_range)
{
	if (!blk.present)
		return -ENODEV;
	if (nsectors == 0)
		return -EINVAL;
	if (check_range && (sector >= blk.capacity || nsectors > blk.capacity - sector))
		return -EINVAL;
	paddr_t pa = buffer_phys(buf, (u64)nsectors * BLK_SECTOR_SIZE);
	if (!pa)
		return -EINVAL;
	while (nsectors) {
		u32 n = MIN(nsectors, BLK_MAX_REQ_SECTORS);
		int r = do_request(type, sector, pa, n);
		if (r)
			return r;
		sector += n, nsectors -= n, pa += (u64)n * BLK_SECTOR_SIZE;
	}
	return 0;
}

int blk_read(u64 sector, void *buf, u32 nsectors)
{
	return transfer(VIRTIO_BLK_T_IN, sector, buf, nsectors, true);
}

int blk_write(u64 sector, const void *buf, u32 nsectors)
{
	return transfer(VIRTIO_BLK_T_OUT, sector, buf, nsectors, true);
}

int blk_read_unchecked(u64 sector, void *buf, u32 nsectors)
{
	return transfer(VIRTIO_BLK_T_IN, sector, buf, nsectors, false);
}

bool blk_present(void) { return blk.present; }
u64 blk_capacity_sectors(void) { return blk.present ? blk.capacity : 0; }
bool blk_uses_interrupts(void) { return blk.present && blk.irq_mode; }

u32 blk_set_fail_every(u32 n)
{
	u64 f = spin_lock_irqsave(&blk.lock);
	u32 old = blk.fail_every;
	blk.fail_every = n;
	blk.fail_count = 0;
	spin_unlock_irqrestore(&blk.lock, f);
	return old;
}

u32 blk_test_limit_slots(u32 n)
{
	u64 f = spin_lock_irqsave(&blk.lock);
	u32 old = (u32)popcount64(blk.usable_mask);
	u64 all = blk.nslots == 64 ? ~0ull : (1ull << blk.nslots) - 1;
	blk.usable_mask = n && n < (u32)blk.nslots ? (1ull << n) - 1 : all;
	spin_unlock_irqrestore(&blk.lock, f);
	if (blk.usable_mask == all)
		wake_up_all(&blk.wq);   /* callers waiting for a slot the limit hid */
	return old;
}

void blk_get_stats(struct blk_stats *s)
{
	u64 f = spin_lock_irqsave(&blk.lock);
	*s = blk.st;
	spin_unlock_irqrestore(&blk.lock, f);
}

/* ------------------------------------------------------------------ interrupt */

static void blk_irq(struct trapframe *tf)
{
	UNUSED(tf);
	u8 isr = inb(blk.io + VIRTIO_ISR);      /* rule 6: acknowledge first */
	int n = 0;
	spin_lock(&blk.lock);
	if (!isr) {
		blk.st.spurious++;
	} else {
		blk.st.interrupts++;
		if (isr & ISR_QUEUE)
			n = reap_used(true);
	}
	spin_unlock(&blk.lock);
	if (n)
		wake_up_all(&blk.wq);
	lapic_eoi();
}

/* ------------------------------------------------------------------ set-up */

/* Lay the queue out per the legacy spec and give it to the device. 0 or -ENOMEM / -ENODEV. */
static int setup_queue(void)
{
	outw(blk.io + VIRTIO_QUEUE_SELECT, 0);
	blk.qsize = inw(blk.io + VIRTIO_QUEUE_SIZE);
	if (blk.qsize < 3 || (blk.qsize & (blk.qsize - 1)))
		return -ENODEV;
	u64 avail_off = 16ull * blk.qsize;
	u64 used_off = ALIGN_UP(avail_off + 6 + 2ull * blk.qsize, VRING_ALIGN);
	u64 total = used_off + ALIGN_UP(6 + 8ull * blk.qsize, VRING_ALIGN);
	unsigned order = 0;
	while ((PAGE_SIZE << order) < total)
		order++;
	blk.ring_pages = alloc_pages(order);
	blk.dma_page = alloc_page();
	if (!blk.ring_pages || !blk.dma_page) {
		if (blk.ring_pages)
			free_pages(blk.ring_pages, order);
		if (blk.dma_page)
			free_page(blk.dma_page);
		return -ENOMEM;
	}
	blk.ring_order = order;
	u8 *ring = page_address(blk.ring_pages);
	memset(ring, 0, PAGE_SIZE << order);
	memset(page_address(blk.dma_page), 0, PAGE_SIZE);
	blk.desc = (struct vring_desc *)ring;
	blk.avail = (struct vring_avail *)(ring + avail_off);
	blk.used = (struct vring_used *)(ring + used_off);

	blk.nslots = MIN(blk.qsize / 3, MAX_SLOTS);
	blk.slots = page_address(blk.dma_page);
	blk.scratch = (u8 *)page_address(blk.dma_page) + PAGE_SIZE - BLK_SECTOR_SIZE;
	paddr_t dma = page_to_phys(blk.dma_page);
	for (int i = 0; i < blk.nslots; i++) {
		paddr_t s = dma + (u64)i * sizeof(struct dma_slot);
		blk.desc[3 * i] = (struct vring_desc){ s + offsetof(struct dma_slot, hdr),
			sizeof(struct virtio_blk_hdr), VRING_DESC_F_NEXT, (u16)(3 * i + 1) };
		blk.desc[3 * i + 1] = (struct vring_desc){ 0, 0, VRING_DESC_F_NEXT, (u16)(3 * i + 2) };
		blk.desc[3 * i + 2] = (struct vring_desc){ s + offsetof(struct dma_slot, status), 1,
			VRING_DESC_F_WRITE, 0 };
	}
	blk.free_mask = blk.nslots == 64 ? ~0ull : (1ull << blk.nslots) - 1;
	blk.usable_mask = blk.free_mask;
	blk.avail_idx = blk.last_used = 0;
	outl(blk.io + VIRTIO_QUEUE_PFN, (u32)(page_to_phys(blk.ring_pages) >> 12));
	return 0;
}

/*
 * Send one read and wait (spinning, interrupts on) for the interrupt
 * handler to complete it. Without an interrupt within PROBE_TIMEOUT_US,
 * switch to polling for good. 0 or -EIO.
 */
static int probe_interrupts(void)
{
	struct blk_waiter w = { false, STATUS_PENDING };
	u64 f = spin_lock_irqsave(&blk.lock);
	blk.st.requests++, blk.st.reads++;
	int slot = get_slot(&f);
	publish(slot, VIRTIO_BLK_T_IN, 0, VIRT_TO_PHYS(blk.scratch), BLK_SECTOR_SIZE, &w);
	spin_unlock_irqrestore(&blk.lock, f);
	if (blk.irq_mode) {
		u64 end = tsc_after_us(PROBE_TIMEOUT_US);
		while (!READ_ONCE(w.done) && rdtsc() < end)
			cpu_relax();
		if (!READ_ONCE(w.done)) {
			pr_warn("virtio-blk: no interrupt from GSI %d within %u ms: polling instead\n",
				blk.gsi, PROBE_TIMEOUT_US / 1000);
			blk.irq_mode = false;
			pci_write16(blk.pci->bus, blk.pci->dev, blk.pci->fn, PCI_COMMAND,
				    pci_read16(blk.pci->bus, blk.pci->dev, blk.pci->fn, PCI_COMMAND) |
				    PCI_CMD_INTX_DISABLE);
		}
	}
	poll_until_done(&w);            /* returns at once if the interrupt completed it */
	f = spin_lock_irqsave(&blk.lock);
	if (w.status == VIRTIO_BLK_S_OK)
		blk.st.sectors_read++;
	else
		blk.st.errors++;
	spin_unlock_irqrestore(&blk.lock, f);
	return w.status == VIRTIO_BLK_S_OK ? 0 : -EIO;
}

static void fail_init(const char *why)
{
	outb(blk.io + VIRTIO_DEVICE_STATUS, STATUS_FAILED);
	pr_err("virtio-blk: %s: disk not used\n", why);
}

void virtio_blk_init(void)
{
	char v[16];
	if (cmdline_get("blk_fail", v, sizeof v))
		blk.fail_every = (u32)strtou64(v, NULL);
	struct pci_dev *d = pci_find(VIRTIO_VENDOR, VIRTIO_BLK_LEGACY_ID);
	if (!d) {
		pr_info("virtio-blk: no disk\n");
		return;
	}
	if (!d->bar_io[0] || !d->bar_base[0]) {
		pr_err("virtio-blk: %02x:%02x.%x has no I/O BAR0 (not a legacy device?)\n", d->bus, d->dev,
		       d->fn);
		return;
	}
	blk.pci = d;
	blk.io = (u16)d->bar_base[0];
	pci_enable(d, PCI_CMD_IO | PCI_CMD_MASTER);

	outb(blk.io + VIRTIO_DEVICE_STATUS, 0);                 /* reset */
	outb(blk.io + VIRTIO_DEVICE_STATUS, STATUS_ACKNOWLEDGE);
	outb(blk.io + VIRTIO_DEVICE_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	blk.device_features = inl(blk.io + VIRTIO_DEVICE_FEATURES);
	outl(blk.io + VIRTIO_GUEST_FEATURES, 0);        /* none needed: plain 512-byte sector I/O */
	int r = setup_queue();
	if (r) {
		fail_init(r == -ENOMEM ? "no memory for the virtqueue" : "bad queue size");
		return;
	}
	blk.capacity = (u64)inl(blk.io + VIRTIO_BLK_CAPACITY) |
		       (u64)inl(blk.io + VIRTIO_BLK_CAPACITY + 4) << 32;

	blk.gsi = pci_irq_gsi(d);
	if (blk.gsi >= 0 && irqs_enabled()) {
		irq_register(VEC_BLK, blk_irq);
		blk.irq_mode = ioapic_route_pci(blk.gsi, VEC_BLK) == 0;
	}
	if (!blk.irq_mode)
		pci_write16(d->bus, d->dev, d->fn, PCI_COMMAND,
			    pci_read16(d->bus, d->dev, d->fn, PCI_COMMAND) | PCI_CMD_INTX_DISABLE);
	outb(blk.io + VIRTIO_DEVICE_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK);
	blk.present = true;
	if (probe_interrupts() < 0) {
		blk.present = false;
		fail_init("the first read failed");
		return;
	}
	pr_info("virtio-blk: %02x:%02x.%x io %#x, %lu sectors (%lu MiB), queue %u, %s%s\n", d->bus,
		d->dev, d->fn, blk.io, blk.capacity, blk.capacity >> 11, blk.qsize,
		blk.irq_mode ? "interrupts" : "polling", blk.fail_every ? ", fault injection on" : "");
}

/* ------------------------------------------------------------------ shell */

SHELL_COMMAND(blk, "the virtio-blk disk: size, queue, request and interrupt counters")
{
	UNUSED(argc), UNUSED(argv);
	if (!blk.present) {
		console_printf("no disk%s\n", blk.dead ? " (reset after a timeout)" : "");
		return 0;
	}
	struct blk_stats s;
	blk_get_stats(&s);
	console_printf("disk: %02x:%02x.%x io %#x, %lu sectors (%lu MiB)%s\n", blk.pci->bus, blk.pci->dev,
		       blk.pci->fn, blk.io, blk.capacity, blk.capacity >> 11, blk.dead ? ", DEAD" : "");
	console_printf("queue: %u entries, %d request slots, features offered %#x, accepted 0\n",
		       blk.qsize, blk.nslots, blk.device_features);
	if (blk.irq_mode)
		console_printf("completions: interrupt, GSI %d -> vector %d\n", blk.gsi, VEC_BLK);
	else
		console_printf("completions: polling (no usable interrupt)\n");
	console_printf("requests %lu (reads %lu, writes %lu), in flight %u, max in flight %u\n",
		       s.requests, s.reads, s.writes, s.in_flight, s.max_in_flight);
	console_printf("sectors read %lu, written %lu\n", s.sectors_read, s.sectors_written);
	console_printf("errors %lu (injected %lu, blk_fail=%u)\n", s.errors, s.injected, blk.fail_every);
	console_printf("interrupts %lu (spurious %lu), completed by interrupt %lu, by polling %lu, "
		       "slot waits %lu\n", s.interrupts, s.spurious, s.irq_completions,
		       s.polled_completions, s.slot_waits);
	return 0;
}
