/*
 * acpi.c - find the RSDP (from the loader, or by scanning the BIOS area),
 * walk the RSDT/XSDT to the MADT ("APIC") and read:
 *   type 0  processor local APIC (APIC id, enabled flag)
 *   type 1  I/O APIC (address, first GSI)
 *   type 2  interrupt source override (ISA IRQ -> GSI)
 * Every table's length is checked before it is read.
 */
#include "drivers/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"

struct acpi_info acpi;

struct rsdp {
	char sig[8];
	u8 checksum;
	char oem[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 xchecksum;
	u8 reserved[3];
} __attribute__((packed));

struct sdt_header {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __attribute__((packed));

static bool checksum_ok(const void *p, u64 len)
{
	u8 sum = 0;
	for (u64 i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

static const struct rsdp *scan_for_rsdp(u64 start, u64 end)
{
	for (u64 a = start; a + sizeof(struct rsdp) <= end; a += 16) {
		const struct rsdp *r = PHYS_TO_VIRT(a);
		if (memcmp(r->sig, "RSD PTR ", 8) == 0 && checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

static const struct rsdp *find_rsdp(void)
{
	if (boot_info.rsdp_phys) {
		const struct rsdp *r = PHYS_TO_VIRT(boot_info.rsdp_phys);
		if (memcmp(r->sig, "RSD PTR ", 8) == 0)
			return r;
	}
	u64 ebda = (u64)*(const u16 *)PHYS_TO_VIRT(0x40e) << 4;
	const struct rsdp *r = ebda ? scan_for_rsdp(ebda, ebda + 1024) : NULL;
	return r ? r : scan_for_rsdp(0xe0000, 0x100000);
}

static const struct sdt_header *find_table(const struct rsdp *r, const char *sig)
{
	bool x = r->revision >= 2 && r->xsdt;
	const struct sdt_header *root = PHYS_TO_VIRT(x ? r->xsdt : r->rsdt);
	if (root->length < sizeof *root)
		return NULL;
	u64 n = (root->length - sizeof *root) / (x ? 8 : 4);
	const u8 *entries = (const u8 *)(root + 1);
	for (u64 i = 0; i < n; i++) {
		u64 pa = x ? *(const u64 *)(entries + 8 * i) : *(const u32 *)(entries + 4 * i);
		const struct sdt_header *h = PHYS_TO_VIRT(pa);
		if (memcmp(h->sig, sig, 4) == 0 && h->length >= sizeof *h)
			return h;
	}
	return NULL;
}

static void parse_madt(const struct sdt_header *madt)
{
	const u8 *p = (const u8 *)madt + sizeof *madt;
	acpi.lapic_phys = *(const u32 *)p;
	const u8 *end = (const u8 *)madt + madt->length;
	for (p += 8; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		if (p[0] == 0 && p[1] >= 8 && (*(const u32 *)(p + 4) & 1) && acpi.ncpus < ACPI_MAX_CPUS)
			acpi.apic_ids[acpi.ncpus++] = p[3];
		else if (p[0] == 1 && p[1] >= 12 && !acpi.ioapic_phys) {
			acpi.ioapic_phys = *(const u32 *)(p + 4);
			acpi.ioapic_gsi_base = *(const u32 *)(p + 8);
		} else if (p[0] == 2 && p[1] >= 10 && p[3] < 16)
			acpi.isa_irq_to_gsi[p[3]] = *(const u32 *)(p + 4);
	}
}

void acpi_init(void)
{
	for (u32 i = 0; i < 16; i++)
		acpi.isa_irq_to_gsi[i] = i;
	acpi.lapic_phys = 0xfee00000;
	acpi.ioapic_phys = 0xfec00000;
	const struct rsdp *r = find_rsdp();
	const struct sdt_header *madt = r ? find_table(r, "APIC") : NULL;
	if (!madt) {
		pr_warn("acpi: no MADT found: assuming one CPU and the PC defaults\n");
		acpi.ncpus = 1;
		acpi.apic_ids[0] = 0;
		return;
	}
	u64 ioapic_default = acpi.ioapic_phys;
	acpi.ioapic_phys = 0;
	parse_madt(madt);
	if (!acpi.ioapic_phys)
		acpi.ioapic_phys = ioapic_default;
	if (acpi.ncpus == 0)
		acpi.apic_ids[acpi.ncpus++] = 0;
	acpi.found = true;
	pr_info("acpi: %d CPU(s), LAPIC %#lx, IOAPIC %#lx (GSI base %u)\n", acpi.ncpus, acpi.lapic_phys,
		acpi.ioapic_phys, acpi.ioapic_gsi_base);
}
