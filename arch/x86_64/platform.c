/*
 * platform.c - the legacy PC bits: the 8259 PIC (remapped and masked, the
 * LAPIC and IOAPIC replace it), power off, reboot and QEMU's debug exit.
 */
#include "kernel/arch.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define PIIX4_PM1A_CNT 0x604
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

void arch_poweroff(void)
{
	outw(PIIX4_PM1A_CNT, PM1_SLP_EN);       /* QEMU pc machine: ACPI S5 */
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
