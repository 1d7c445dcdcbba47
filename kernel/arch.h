/*
 * arch.h - the only door from the portable kernel into arch/x86_64.
 * kernel/ and drivers/ include this, never an arch/ header directly.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H
#include "kernel/types.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/boot_defs.h"

/* Physical <-> direct-map virtual addresses. */
#define PHYS_TO_VIRT(pa) ((void *)((u64)(pa) + DIRECT_MAP_BASE))
#define VIRT_TO_PHYS(va) ((paddr_t)((u64)(va) - DIRECT_MAP_BASE))
/* Physical address of a symbol in the kernel image. */
#define KERNEL_SYM_PHYS(va) ((paddr_t)((u64)(va) - KERNEL_VMA))

/* Stop this CPU for good (interrupts off). */
__noreturn void arch_halt_forever(void);
/* Leave QEMU through isa-debug-exit with the given value (exit status (v<<1)|1). */
void arch_qemu_exit(u8 value);
/* ACPI power off (QEMU's PIIX4 PM port), then isa-debug-exit as a fallback. */
__noreturn void arch_poweroff(void);
/* Reset the machine through the keyboard controller. */
__noreturn void arch_reboot(void);

/* Frame pointers are on: the caller's rbp starts a backtrace. */
#define arch_current_frame() read_rbp()

/* Interrupt vectors used by the kernel. */
#define IRQ_VECTOR_BASE   32
#define VEC_TIMER         32
#define VEC_SERIAL        36
#define VEC_BLK           40    /* virtio-blk, a PCI INTx line */
#define VEC_SPURIOUS      255

/* Register a handler for an interrupt vector (>= 32). */
struct trapframe;
typedef void (*irq_handler_t)(struct trapframe *tf);
void irq_register(int vector, irq_handler_t h);
/* Route an ISA IRQ through the IOAPIC to a vector on the boot CPU. */
void ioapic_route_isa(int irq, int vector);
/*
 * Route a PCI INTx line arriving at IOAPIC input `gsi` to a vector on the
 * boot CPU: level-triggered, active-low. The handler must quiet the device
 * (and so the line) before lapic_eoi(). Call on the boot CPU; see lapic.c.
 * 0, or -1 if gsi is not an input of the IOAPIC.
 */
int ioapic_route_pci(int gsi, int vector);
/* Acknowledge the current interrupt at the local APIC. */
void lapic_eoi(void);

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trapframe.h"

/* CPU and interrupt set-up, called from kmain in this order. */
void idt_init(void);
void idt_load(void);
void pic_disable(void);
void lapic_init(void);
void ioapic_init(u64 phys, u32 gsi_base, const u32 *isa_to_gsi);
/* Calibrate the TSC and LAPIC timer against the PIT and start the periodic tick. */
void timer_init(void);
extern u64 tsc_hz;

/* Linker-script symbols (kernel.ld). */
extern char kernel_text_start[], kernel_text_end[];
extern char kernel_phys_start[], kernel_phys_end[];
#endif
