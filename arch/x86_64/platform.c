/*
 * platform.c - the legacy PC bits: the 8259 PIC (remapped and masked, the
 * LAPIC and IOAPIC replace it), power off, reboot and QEMU's debug exit.
 */
#include "kernel/arch.h"
#include "drivers/pci/pci.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define QEMU_DEBUG_EXIT_PORT 0xf4
/* PM1a control port when no PIIX4 is found: where q35/ICH9 has it under SeaBIOS. */
#define ICH9_PM1A_CNT 0x604
#define PM1_SLP_EN 0x2000
#define KBC_CMD 0x64

void pic_disable(void)
{
	/* Remap to 0xe0-0xef so a spurious 8259 interrupt cannot look like an exception. */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0xe0);
	outb(PIC2_DATA, 0xe8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff);  /* mask everything */
	outb(PIC2_DATA, 0xff);
}

void arch_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void arch_qemu_exit(u8 value)
{
	outb(QEMU_DEBUG_EXIT_PORT, value);
}

/*
 * The PIIX4 power-management function (00:01.3) holds its I/O base in
 * register 0x40 (a chipset register, not a BAR). Configuration space is
 * read through the PCI layer (drivers/pci), whose lock keeps the 0xcf8 /
 * 0xcfc pair from interleaving with another CPU's access.
 */
static u16 piix4_pm1a_cnt_port(void)
{
	u32 id = pci_read32(0, 1, 3, PCI_VENDOR_ID);
	if (id != 0x71138086)   /* Intel 82371AB PIIX4 ACPI */
		return 0;
	u32 base = pci_read32(0, 1, 3, 0x40) & 0xffc0;
	return base ? (u16)(base + 4) : 0;
}

void arch_poweroff(void)
{
	u16 port = piix4_pm1a_cnt_port();
	outw(port ? port : ICH9_PM1A_CNT, PM1_SLP_EN);  /* S5: SLP_TYP 0 on QEMU */
	/* QEMU handles the shutdown request asynchronously: give it time. */
	for (u64 end = rdtsc() + 2000000000ull; rdtsc() < end;)
		cpu_relax();
	arch_qemu_exit(0);                      /* fallback: isa-debug-exit, if present */
	arch_halt_forever();
}

void arch_reboot(void)
{
	outb(KBC_CMD, 0xfe);                    /* pulse the CPU reset line */
	/* If that did not work, a triple fault will: load an empty IDT and trap. */
	struct __attribute__((packed)) { u16 limit; u64 base; } null_idt = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(null_idt));
	arch_halt_forever();
}
