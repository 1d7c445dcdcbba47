/*
 * virtio_blk.h - the disk: QEMU's virtio-blk PCI device (-drive if=virtio).
 *
 * Sectors are 512 bytes. Every call is synchronous: it returns when the
 * device has finished (or failed) the transfer. Several threads may call
 * at once; their requests are in flight together.
 *
 * Buffers: `buf` is a kernel address that is physically contiguous for
 * the whole transfer - a direct-map address (page_address() of pages from
 * alloc_pages(), kmalloc memory, a kernel stack) or an address in the
 * kernel image (.data/.bss). The device writes to and reads from physical
 * memory, so a user address or any other mapping is refused (-EINVAL).
 *
 * Errors are returned, never hidden:
 *   -ENODEV  no disk
 *   -EINVAL  nsectors == 0, sector + nsectors beyond the capacity, or an
 *            unusable buffer; nothing was sent to the device
 *   -EIO     the device reported an error (status != OK), the request was
 *            failed by fault injection (blk_fail=N), or the device stopped
 *            answering (polling mode only; it is then marked dead)
 * A transfer longer than BLK_MAX_REQ_SECTORS is split into several device
 * requests; on -EIO some of the earlier parts may have been transferred.
 *
 * Context: thread context with interrupts on and no spinlock held, where
 * the caller sleeps until the completion interrupt. With interrupts off
 * (or when the device has no working interrupt) the call polls instead.
 * Never from an interrupt handler.
 */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H
#include "kernel/types.h"

#define BLK_SECTOR_SIZE 512
#define BLK_SECTORS_PER_PAGE (PAGE_SIZE / BLK_SECTOR_SIZE)
#define BLK_MAX_REQ_SECTORS 128         /* one device request at most (64 KiB) */

/* Find the device on the PCI bus and set it up. After pci_init(), with interrupts on. */
void virtio_blk_init(void);

/* Is there a usable disk? */
bool blk_present(void);
/* Its size in 512-byte sectors (0 when none). */
u64 blk_capacity_sectors(void);
/* Read nsectors sectors starting at `sector` into buf. 0, -EINVAL, -EIO or -ENODEV. */
int blk_read(u64 sector, void *buf, u32 nsectors);
/* Write nsectors sectors from buf starting at `sector`. 0, -EINVAL, -EIO or -ENODEV. */
int blk_write(u64 sector, const void *buf, u32 nsectors);
/*
 * Tests only: blk_read() without the driver's range check, so a test can
 * watch the DEVICE refuse a sector past the end (status IOERR -> -EIO).
 */
int blk_read_unchecked(u64 sector, void *buf, u32 nsectors);
/*
 * Tests only: let new requests use only n request slots (0: all), so a
 * few threads can exhaust them and wait for one. Returns the previous number.
 */
u32 blk_test_limit_slots(u32 n);
/* True when completions arrive by interrupt (false: the polling fallback). */
bool blk_uses_interrupts(void);

/*
 * Fault injection: every n-th device request from now on fails with -EIO
 * without reaching the device (n = 0: off). Returns the previous n. The
 * kernel command line option blk_fail=N sets it at boot.
 */
u32 blk_set_fail_every(u32 n);

struct blk_stats {
	u64 requests;           /* device requests, injected failures included */
	u64 reads, writes;      /* of which reads / writes */
	u64 sectors_read, sectors_written;      /* successfully transferred */
	u64 errors;             /* requests that ended in -EIO (injected included) */
	u64 injected;           /* of which failed by blk_fail */
	u64 interrupts;         /* interrupts that were ours (ISR != 0) */
	u64 spurious;           /* interrupts on the line with ISR == 0 (shared line) */
	u64 irq_completions;    /* requests completed by the interrupt handler */
	u64 polled_completions; /* requests completed by a polling caller */
	u64 slot_waits;         /* callers that slept for a free request slot */
	u32 in_flight, max_in_flight;
};
/* A consistent copy of the counters. */
void blk_get_stats(struct blk_stats *s);
#endif
