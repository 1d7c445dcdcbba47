/*
 * pci.h - the PCI bus: configuration space, enumeration, a device table.
 *
 * Configuration space is reached through the legacy "configuration
 * mechanism #1": write the address of a 32-bit register to port 0xcf8,
 * then read or write it at port 0xcfc. The two steps are one operation
 * under a lock (pci.c), so any CPU may use the accessors at any time,
 * interrupt handlers included.
 *
 * pci_init() scans every bus (0-255), device (0-31) and function (0-7, the
 * others only when function 0 says it is multifunction) once at boot and
 * records what it finds in a table; lookups go through the table. The
 * firmware (SeaBIOS, under GRUB and under QEMU -kernel alike) has already
 * assigned the BARs and the interrupt lines: pci_init() reads them and
 * changes nothing except the BAR sizing probe, which it undoes.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H
#include "kernel/types.h"

/* Standard configuration header offsets (type 0). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0a
#define PCI_CLASS 0x0b
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

/* Command register bits. */
#define PCI_CMD_IO 0x0001               /* respond to I/O-space BARs */
#define PCI_CMD_MEMORY 0x0002           /* respond to memory-space BARs */
#define PCI_CMD_MASTER 0x0004           /* may issue bus-master (DMA) cycles */
#define PCI_CMD_INTX_DISABLE 0x0400     /* INTx# line held deasserted when set */

#define PCI_MAX_DEVICES 64
#define PCI_NUM_BARS 6
#define PCI_IRQ_NONE 0xff               /* interrupt line value: not connected */

struct pci_dev {
	u8 bus, dev, fn;
	u16 vendor, device;
	u16 subsys_vendor, subsys_id;
	u8 class, subclass, prog_if, revision;
	u8 header_type;                 /* bit 7 (multifunction) cleared */
	u32 bar[PCI_NUM_BARS];          /* raw BAR values as the firmware left them */
	u64 bar_base[PCI_NUM_BARS];     /* decoded address (I/O port or physical), 0: unused */
	u64 bar_size[PCI_NUM_BARS];     /* bytes, 0: unused (a 64-bit BAR's upper half too) */
	bool bar_io[PCI_NUM_BARS];      /* I/O-space BAR (else memory) */
	u8 irq_line;                    /* ISA IRQ the firmware routed INTx to, or PCI_IRQ_NONE */
	u8 irq_pin;                     /* 0: no INTx; 1-4: INTA#-INTD# */
};

/* Raw configuration-space access. reg is a byte offset; narrower accesses use its low bits. */
u32 pci_read32(u8 bus, u8 dev, u8 fn, u8 reg);
u16 pci_read16(u8 bus, u8 dev, u8 fn, u8 reg);
u8 pci_read8(u8 bus, u8 dev, u8 fn, u8 reg);
void pci_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v);
void pci_write16(u8 bus, u8 dev, u8 fn, u8 reg, u16 v);

/* Scan the buses and fill the device table. Once, at boot, before any driver looks. */
void pci_init(void);
/* Devices found: pci_device(i) for 0 <= i < pci_device_count(). */
int pci_device_count(void);
struct pci_dev *pci_device(int i);
/* The first device with this vendor and device ID, or NULL. */
struct pci_dev *pci_find(u16 vendor, u16 device);
/* Set bits (PCI_CMD_IO / MEMORY / MASTER) in the command register; clears INTX_DISABLE. */
void pci_enable(struct pci_dev *d, u16 cmd_bits);
/*
 * The global system interrupt (IOAPIC input) the device's INTx arrives at,
 * or -1 if it has none. On the PC the firmware routes INTx through the
 * chipset's PIRQ router to an ISA IRQ (the interrupt line register); the
 * ACPI MADT's overrides map that ISA IRQ to a GSI.
 */
int pci_irq_gsi(const struct pci_dev *d);
/* Short name of a class code ("storage", "bridge", ...). */
const char *pci_class_name(u8 class);
#endif
