/*
 * smp.c - starting the application processors and sending IPIs.
 *
 * Start-up of each AP (Intel SDM vol. 3, "MP initialization"):
 *   INIT IPI, wait 10 ms, STARTUP IPI with vector 0x08 (code at 0x8000),
 *   wait 200 us, a second STARTUP IPI; then wait for the AP to say it is
 *   online. One AP at a time, because they share the trampoline's data.
 *
 * All waiting loops execute `pause`: under QEMU -icount the vCPUs share
 * one host thread, and a spinning CPU must let the others run.
 */
#include "kernel/arch.h"
#include "kernel/smp.h"
#include "kernel/sched/sched.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/pmm.h"
#include "kernel/time.h"
#include "kernel/panic.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"

#define TRAMPOLINE_PHYS 0x8000
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_NMI 0x400
#define ICR_LEVEL_ASSERT 0x4000
#define ICR_ALL_BUT_SELF 0xc0000

extern char trampoline_start[], trampoline_end[];
extern u64 trampoline_cr3, trampoline_stack, trampoline_entry, trampoline_cpu;
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 v);
u32 lapic_id(void);
void timer_init_secondary(void);

static volatile bool ap_started;

static void icr_wait(void)
{
	for (int i = 0; i < 1000000 && (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING); i++)
		cpu_relax();
}

static void icr_send(u32 apic_id, u32 low)
{
	u64 flags = irq_save();
	icr_wait();
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, low);
	icr_wait();
	irq_restore(flags);
}

void arch_send_ipi(int cpu, int vector)
{
	icr_send(cpus[cpu].apic_id, (u32)vector);
}

void arch_send_nmi_all_but_self(void)
{
	icr_wait();
	lapic_write(LAPIC_ICR_HIGH, 0);
	lapic_write(LAPIC_ICR_LOW, ICR_ALL_BUT_SELF | ICR_NMI);
}

/* The first C code an AP runs (from the trampoline), on its own stack. */
static __noreturn void ap_main(struct cpu *c)
{
	cpu_init_segments(c);
	idt_load();
	lapic_init();
	syscall_init_cpu();
	sched_init_cpu(c);
	timer_init_secondary();
	smp_cpu_online(c);
	ap_started = true;
	sched_idle_loop();
}

/* Bring up the CPU with index i (struct cpu already filled). Returns false on time-out. */
static bool start_ap(int i)
{
	struct page *stack = alloc_pages(2);
	if (!stack)
		return false;
	u8 *tramp = PHYS_TO_VIRT(TRAMPOLINE_PHYS);
	memcpy(tramp, trampoline_start, (u64)(trampoline_end - trampoline_start));
	u64 off = (u64)((char *)&trampoline_cr3 - trampoline_start);
	u64 *data = (u64 *)(tramp + off);
	data[0] = kernel_pml4();
	data[1] = (u64)page_address(stack) + (PAGE_SIZE << 2);
	data[2] = (u64)ap_main;
	data[3] = (u64)&cpus[i];
	ap_started = false;
	u32 id = cpus[i].apic_id;
	icr_send(id, ICR_INIT | ICR_LEVEL_ASSERT);
	udelay(10000);
	for (int sipi = 0; sipi < 2 && !ap_started; sipi++) {
		icr_send(id, ICR_STARTUP | (TRAMPOLINE_PHYS >> 12));
		udelay(200);
	}
	u64 deadline = time_since_boot_us() + 1000000;
	while (!READ_ONCE(ap_started) && time_since_boot_us() < deadline)
		cpu_relax();
	return ap_started;
}

void smp_boot_aps(const u32 *apic_ids, int n, int max)
{
	u32 self = lapic_id();
	cpus[0].apic_id = self;
	int next = 1;
	for (int k = 0; k < n && next < max && next < MAX_CPUS; k++) {
		if (apic_ids[k] == self)
			continue;
		cpus[next].id = next;
		cpus[next].apic_id = apic_ids[k];
		if (start_ap(next))
			next++;
		else
			pr_err("smp: CPU with APIC id %u did not start\n", apic_ids[k]);
	}
	ncpus = next;
	pr_info("smp: %d CPU(s) online\n", ncpus);
}

static void flush_all_ipi(void *arg)
{
	UNUSED(arg);
	write_cr3(read_cr3());
}

/*
 * boot.S identity-maps the first 4 GiB (PML4 entry 0) so the switch to
 * long mode and the AP trampoline can run at low addresses. Once every
 * CPU is up nothing may use it: remove it, so a NULL (or any low)
 * pointer dereferenced by the kernel faults instead of reading physical
 * memory. Process page tables never had it (they copy entries 256-511).
 */
void arch_drop_identity_map(void)
{
	u64 *pml4 = PHYS_TO_VIRT(kernel_pml4());
	pml4[0] = 0;
	write_cr3(read_cr3());
	smp_call_mask(cpus_online_mask, flush_all_ipi, NULL);
}
