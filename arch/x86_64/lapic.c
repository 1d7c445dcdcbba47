/*
 * lapic.c - the local APIC (one per CPU, memory-mapped at 0xfee00000) and
 * the IOAPIC (routes device IRQs to CPUs, at 0xfec00000 on QEMU's pc
 * machine; the SMP issue reads both addresses from the ACPI MADT).
 *
 * Both are reached through the direct map. Each LAPIC register is a
 * 32-bit value at a 16-byte-aligned offset.
 */
#include "kernel/arch.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1u << 11)
#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1u << 16)
#define SVR_ENABLE (1u << 8)

#define IOAPIC_PHYS_DEFAULT 0xfec00000
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

static volatile u32 *lapic;
static volatile u32 *ioapic;
static u32 ioapic_gsi_base;
static u32 isa_gsi[16];

u32 lapic_read(u32 reg) { return lapic[reg / 4]; }
void lapic_write(u32 reg, u32 v) { lapic[reg / 4] = v; (void)lapic[LAPIC_ID / 4]; }

u32 lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Enable this CPU's LAPIC with every local interrupt masked; the timer comes later. */
void lapic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic = PHYS_TO_VIRT(base & ~0xfffull);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();
}

/* One-shot count-down from init at divider 16, for calibration. */
void lapic_timer_oneshot(u32 init)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, init);
}

u32 lapic_timer_current(void) { return lapic_read(LAPIC_TIMER_CUR); }

/* Periodic interrupts on `vector` every `count` bus ticks / 16. */
void lapic_timer_periodic(int vector, u32 count)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, (u32)vector | (1u << 17));
	lapic_write(LAPIC_TIMER_INIT, count);
}

static u32 ioapic_read(u32 reg)
{
	ioapic[IOAPIC_REGSEL / 4] = reg;
	return ioapic[IOAPIC_WIN / 4];
}

static void ioapic_write(u32 reg, u32 v)
{
	ioapic[IOAPIC_REGSEL / 4] = reg;
	ioapic[IOAPIC_WIN / 4] = v;
}

/*
 * Mask every IOAPIC input; ioapic_route_isa() unmasks the ones in use.
 * phys and gsi_base come from the ACPI MADT; isa_to_gsi[16] applies its
 * interrupt source overrides (NULL: identity).
 */
void ioapic_init(u64 phys, u32 gsi_base, const u32 *isa_to_gsi)
{
	ioapic = PHYS_TO_VIRT(phys ? phys : IOAPIC_PHYS_DEFAULT);
	ioapic_gsi_base = gsi_base;
	for (int i = 0; i < 16; i++)
		isa_gsi[i] = isa_to_gsi ? isa_to_gsi[i] : (u32)i;
	int pins = (int)((ioapic_read(1) >> 16) & 0xff) + 1;
	for (int i = 0; i < pins; i++) {
		ioapic_write(IOAPIC_REDTBL(i), LVT_MASKED);
		ioapic_write(IOAPIC_REDTBL(i) + 1, 0);
	}
}

/* Redirection-table entry, low dword. */
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL (1u << 15)

/* ISA IRQs are edge-triggered, active high; deliver to the boot CPU. */
void ioapic_route_isa(int irq, int vector)
{
	int pin = (int)(isa_gsi[irq & 15] - ioapic_gsi_base);
	ioapic_write(IOAPIC_REDTBL(pin) + 1, lapic_id() << 24);
	ioapic_write(IOAPIC_REDTBL(pin), (u32)vector);
}

/*
 * Route a PCI INTx line, which arrives at IOAPIC input `gsi` (a global
 * system interrupt: pci_irq_gsi() finds it), to `vector` on the boot CPU:
 * fixed delivery, physical destination, LEVEL-triggered, ACTIVE-LOW, as
 * PCI INTA#-INTD# are (shared, open-drain lines held low while any
 * device on them wants service).
 *
 * Level-triggered means: the IOAPIC delivers once, then sets the entry's
 * Remote IRR and delivers nothing more until the LAPIC's EOI (broadcast
 * to the IOAPIC for level vectors) clears it; if the line is still
 * asserted then, it delivers again. So the handler must make the device
 * drop the line (virtio: read its ISR register) BEFORE lapic_eoi(), or
 * the interrupt comes straight back. The line may be shared: a handler
 * must check its own device's status and return quietly if not asserted.
 *
 * Polarity: QEMU's pc machine describes its PCI link interrupts to ACPI
 * as active-high, while its IOAPIC model (and KVM's) ignores the polarity
 * bit; active-low is what the PCI specification and real chipsets use.
 * Call on the boot CPU (the destination is this CPU's LAPIC ID), with a
 * handler already registered for `vector`. Returns 0, or -1 (nothing
 * changed) when `gsi` is not an input of this IOAPIC.
 */
int ioapic_route_pci(int gsi, int vector)
{
	int pin = gsi - (int)ioapic_gsi_base;
	int pins = (int)((ioapic_read(1) >> 16) & 0xff) + 1;
	if (pin < 0 || pin >= pins)
		return -1;
	ioapic_write(IOAPIC_REDTBL(pin) + 1, lapic_id() << 24);
	ioapic_write(IOAPIC_REDTBL(pin), (u32)vector | REDIR_LEVEL | REDIR_ACTIVE_LOW);
	return 0;
}
