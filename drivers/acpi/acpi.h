/*
 * acpi.h - the little of ACPI Secundus needs: the MADT (which CPUs exist,
 * where the I/O APIC is, how ISA IRQs are wired) found through the RSDP.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H
#include "kernel/types.h"

#define ACPI_MAX_CPUS 16

struct acpi_info {
	bool found;
	int ncpus;
	u32 apic_ids[ACPI_MAX_CPUS];    /* enabled processors, in MADT order (BSP first on QEMU) */
	u64 lapic_phys;
	u64 ioapic_phys;
	u32 ioapic_gsi_base;
	u32 isa_irq_to_gsi[16];         /* after interrupt source overrides */
};

extern struct acpi_info acpi;
/* Find and parse the MADT; falls back to one CPU and the PC defaults when absent. */
void acpi_init(void);
#endif
