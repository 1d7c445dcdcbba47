/*
 * pci.c - PCI configuration space, bus enumeration and the device table.
 *
 * Configuration mechanism #1 (the PC's legacy one): port 0xcf8 takes an
 * address
 *
 *     bit 31      enable
 *     bits 23-16  bus          bits 15-11  device      bits 10-8  function
 *     bits 7-2    register (dword-aligned)
 *
 * and port 0xcfc then reads or writes that dword (bytes 0xcfc-0xcff for
 * narrower accesses). Address and data are two port accesses, so two CPUs
 * (or a CPU and an interrupt handler) interleaving them would talk to the
 * wrong register: config_lock makes the pair one operation.
 *
 * Enumeration is the brute-force scan: every bus, every device; function 0
 * answers with vendor 0xffff when nothing is there, and only a
 * multifunction device (header type bit 7) has functions 1-7 worth asking.
 * A BAR's size is found the classic way: with decoding turned off in the
 * command register, write all ones, read back which address bits stuck,
 * restore the old value and the command register.
 */
#include "drivers/pci/pci.h"
#include "drivers/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/shell.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/spinlock.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc

static struct spinlock config_lock = SPINLOCK_INIT("pci-config");
static struct pci_dev devices[PCI_MAX_DEVICES];
static int ndevices;
static int nskipped;            /* found but not recorded: the table was full */

static u32 config_address(u8 bus, u8 dev, u8 fn, u8 reg)
{
	return 0x80000000u | (u32)bus << 16 | (u32)(dev & 31) << 11 | (u32)(fn & 7) << 8 | (reg & 0xfc);
}

u32 pci_read32(u8 bus, u8 dev, u8 fn, u8 reg)
{
	u64 flags = spin_lock_irqsave(&config_lock);
	outl(CONFIG_ADDRESS, config_address(bus, dev, fn, reg));
	u32 v = inl(CONFIG_DATA);
	spin_unlock_irqrestore(&config_lock, flags);
	return v;
}

u16 pci_read16(u8 bus, u8 dev, u8 fn, u8 reg)
{
	return (u16)(pci_read32(bus, dev, fn, reg) >> ((reg & 2) * 8));
}

u8 pci_read8(u8 bus, u8 dev, u8 fn, u8 reg)
{
	return (u8)(pci_read32(bus, dev, fn, reg) >> ((reg & 3) * 8));
}

void pci_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v)
{
	u64 flags = spin_lock_irqsave(&config_lock);
	outl(CONFIG_ADDRESS, config_address(bus, dev, fn, reg));
	outl(CONFIG_DATA, v);
	spin_unlock_irqrestore(&config_lock, flags);
}

/* A 16-bit write touches only its own two bytes (port 0xcfc + offset within the dword). */
void pci_write16(u8 bus, u8 dev, u8 fn, u8 reg, u16 v)
{
	u64 flags = spin_lock_irqsave(&config_lock);
	outl(CONFIG_ADDRESS, config_address(bus, dev, fn, reg));
	outw((u16)(CONFIG_DATA + (reg & 2)), v);
	spin_unlock_irqrestore(&config_lock, flags);
}

/* Decode BAR i of d (base, size, kind). Returns how many BAR slots it used (2 for 64-bit memory). */
static int probe_bar(struct pci_dev *d, int i, u16 cmd)
{
	u8 reg = (u8)(PCI_BAR0 + 4 * i);
	u32 old = pci_read32(d->bus, d->dev, d->fn, reg);
	d->bar[i] = old;
	pci_write16(d->bus, d->dev, d->fn, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	pci_write32(d->bus, d->dev, d->fn, reg, 0xffffffffu);
	u32 mask = pci_read32(d->bus, d->dev, d->fn, reg);
	pci_write32(d->bus, d->dev, d->fn, reg, old);
	int used = 1;
	if (old & 1) {                          /* I/O space: bits 31-2 are the address */
		d->bar_io[i] = true;
		d->bar_base[i] = old & ~3u;
		u32 m = mask & ~3u & 0xffff;    /* x86 ports are 16 bits; upper bits may read 0 */
		d->bar_size[i] = m ? (u64)(~m & 0xffff) + 1 : 0;
	} else {                                /* memory: bits 31-4, type in bits 2-1 */
		u64 base = old & ~0xfu;
		u64 m = mask & ~0xfu;
		if (!m) {
			/* not implemented: reads as 0 whatever is written */
		} else if (((old >> 1) & 3) == 2 && i + 1 < PCI_NUM_BARS) {    /* 64-bit */
			u8 reg_hi = (u8)(reg + 4);
			u32 old_hi = pci_read32(d->bus, d->dev, d->fn, reg_hi);
			pci_write32(d->bus, d->dev, d->fn, reg_hi, 0xffffffffu);
			u32 mask_hi = pci_read32(d->bus, d->dev, d->fn, reg_hi);
			pci_write32(d->bus, d->dev, d->fn, reg_hi, old_hi);
			d->bar[i + 1] = old_hi;
			base |= (u64)old_hi << 32;
			m |= (u64)mask_hi << 32;
			used = 2;
		} else {
			m |= 0xffffffff00000000ull;
		}
		d->bar_base[i] = base;
		d->bar_size[i] = (mask & ~0xfu) ? ~m + 1 : 0;
	}
	pci_write16(d->bus, d->dev, d->fn, PCI_COMMAND, cmd);
	if (!d->bar_size[i])
		d->bar_base[i] = 0;
	return used;
}

static void record(u8 bus, u8 dev, u8 fn)
{
	if (ndevices == PCI_MAX_DEVICES) {
		nskipped++;
		return;
	}
	struct pci_dev *d = &devices[ndevices++];
	u32 id = pci_read32(bus, dev, fn, PCI_VENDOR_ID);
	u32 cls = pci_read32(bus, dev, fn, PCI_REVISION);
	u32 sub = pci_read32(bus, dev, fn, PCI_SUBSYS_VENDOR);
	u32 irq = pci_read32(bus, dev, fn, PCI_INTERRUPT_LINE);
	d->bus = bus, d->dev = dev, d->fn = fn;
	d->vendor = (u16)id, d->device = (u16)(id >> 16);
	d->revision = (u8)cls, d->prog_if = (u8)(cls >> 8);
	d->subclass = (u8)(cls >> 16), d->class = (u8)(cls >> 24);
	d->header_type = pci_read8(bus, dev, fn, PCI_HEADER_TYPE) & 0x7f;
	d->irq_line = (u8)irq, d->irq_pin = (u8)(irq >> 8);
	if (d->header_type == 0) {
		d->subsys_vendor = (u16)sub, d->subsys_id = (u16)(sub >> 16);
	}
	/* Type 0 (devices) has 6 BARs, type 1 (PCI-to-PCI bridges) 2, type 2 (CardBus) none. */
	int nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	u16 cmd = pci_read16(bus, dev, fn, PCI_COMMAND);
	for (int i = 0; i < nbars;)
		i += probe_bar(d, i, cmd);
}

void pci_init(void)
{
	ndevices = nskipped = 0;
	for (int bus = 0; bus < 256; bus++) {
		for (u8 dev = 0; dev < 32; dev++) {
			if ((u16)pci_read32((u8)bus, dev, 0, PCI_VENDOR_ID) == 0xffff)
				continue;
			bool multi = pci_read8((u8)bus, dev, 0, PCI_HEADER_TYPE) & 0x80;
			for (u8 fn = 0; fn < (multi ? 8 : 1); fn++) {
				if ((u16)pci_read32((u8)bus, dev, fn, PCI_VENDOR_ID) != 0xffff)
					record((u8)bus, dev, fn);
			}
		}
	}
	pr_info("pci: %d devices\n", ndevices);
	if (nskipped)
		pr_warn("pci: table full, %d devices not recorded\n", nskipped);
}

int pci_device_count(void) { return ndevices; }

struct pci_dev *pci_device(int i)
{
	return i >= 0 && i < ndevices ? &devices[i] : NULL;
}

struct pci_dev *pci_find(u16 vendor, u16 device)
{
	for (int i = 0; i < ndevices; i++)
		if (devices[i].vendor == vendor && devices[i].device == device)
			return &devices[i];
	return NULL;
}

void pci_enable(struct pci_dev *d, u16 cmd_bits)
{
	u16 cmd = pci_read16(d->bus, d->dev, d->fn, PCI_COMMAND);
	cmd = (u16)((cmd | cmd_bits) & ~PCI_CMD_INTX_DISABLE);
	pci_write16(d->bus, d->dev, d->fn, PCI_COMMAND, cmd);
}

int pci_irq_gsi(const struct pci_dev *d)
{
	if (d->irq_pin == 0 || d->irq_line == PCI_IRQ_NONE)
		return -1;
	if (d->irq_line < 16)
		return (int)acpi.isa_irq_to_gsi[d->irq_line];
	return d->irq_line;
}

const char *pci_class_name(u8 class)
{
	static const char *const names[] = {
		"unclassified", "storage", "network", "display", "multimedia", "memory",
		"bridge", "communication", "system", "input", "docking", "processor",
		"serial-bus", "wireless", "intelligent-io", "satellite", "crypto", "signal",
	};
	return class < ARRAY_SIZE(names) ? names[class] : "other";
}

SHELL_COMMAND(lspci, "PCI devices: address, vendor:device, class, BARs, interrupt")
{
	UNUSED(argc), UNUSED(argv);
	for (int i = 0; i < ndevices; i++) {
		struct pci_dev *d = &devices[i];
		console_printf("%02x:%02x.%x %04x:%04x %-13s class %02x.%02x.%02x rev %02x",
			       d->bus, d->dev, d->fn, d->vendor, d->device, pci_class_name(d->class),
			       d->class, d->subclass, d->prog_if, d->revision);
		if (d->irq_pin)
			console_printf("  INT%c# irq %d", 'A' + d->irq_pin - 1,
				       d->irq_line == PCI_IRQ_NONE ? -1 : d->irq_line);
		console_printf("\n");
		for (int b = 0; b < PCI_NUM_BARS; b++)
			if (d->bar_size[b])
				console_printf("    BAR%d %s %#lx size %#lx\n", b, d->bar_io[b] ? "io " : "mem",
					       d->bar_base[b], d->bar_size[b]);
	}
	console_printf("%d devices\n", ndevices);
	return 0;
}
