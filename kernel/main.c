/*
 * main.c - kmain, the first C function (called from boot.S).
 *
 * The order matters: the console first (so everything after can print),
 * then this CPU's segments and the IDT (so a mistake prints a report
 * instead of triple-faulting), then the boot information (before the
 * page allocator can hand out the memory it lives in), memory, the
 * scheduler (the tick needs it), interrupts and time, the PCI bus, the
 * other CPUs, and the disk (after sti: its first read checks that its
 * interrupt arrives). Then kmain starts the init thread and becomes CPU
 * 0's idle thread.
 *
 * init runs, by the command line: `test` the kernel and user tests,
 * `bench` the benchmarks, otherwise the shell.
 */
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/panic.h"
#include "kernel/shell.h"
#include "kernel/time.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/initrd.h"
#include "kernel/sched/sched.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"
#include "kernel/smp.h"
#include "drivers/serial/uart.h"
#include "drivers/acpi/acpi.h"
#include "drivers/pci/pci.h"
#include "drivers/block/virtio_blk.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/reclaim.h"
#include "drivers/mirror/mirror.h"
#include "kernel/mm/secondary.h"

void run_benchmarks(void);

static void apply_cmdline_options(void)
{
	char v[16];
	if (cmdline_get("loglevel", v, sizeof v))
		console_loglevel = (int)strtou64(v, NULL);
}

/* `maxcpus=N` on the command line limits the CPUs brought up. */
static int max_cpus(void)
{
	char v[8];
	return cmdline_get("maxcpus", v, sizeof v) ? (int)MAX(1, strtou64(v, NULL)) : MAX_CPUS;
}

static void init_main(void *arg)
{
	UNUSED(arg);
	sched_set_affinity(current_thread(), 1);        /* init (tests, shell) stays on CPU 0 */
	if (cmdline_has("test")) {
		ktest_boot_hooks();
		ktest_run_all();        /* leaves QEMU */
	}
	if (cmdline_has("bench")) {
		run_benchmarks();
		arch_qemu_exit(KTEST_EXIT_PASS);
	}
	shell_run();
}

void kmain(u32 magic, u64 info_phys)
{
	uart_init();
	cpu_init_segments(&cpus[0]);
	idt_init();
	idt_load();
	if (bootinfo_parse(magic, info_phys) < 0)
		panic("unknown boot protocol: magic %#x (expected multiboot2 %#x or PVH)", magic,
		      MB2_BOOTLOADER_MAGIC);
	apply_cmdline_options();
	pr_info("Secundus: booted by %s, command line \"%s\"\n", boot_info.protocol, boot_info.cmdline);
	pmm_init();
	initrd_init();
	secondary_checking = cmdline_has("test");      /* poison freed pages, check devices */
	mirror_init();
	sched_init();
	syscall_init_cpu();
	acpi_init();
	pic_disable();
	lapic_init();
	ioapic_init(acpi.ioapic_phys, acpi.ioapic_gsi_base, acpi.isa_irq_to_gsi);
	timer_init();
	uart_enable_rx_irq();
	pci_init();
	smp_init();
	smp_cpu_online(&cpus[0]);
	smp_boot_aps(acpi.apic_ids, acpi.ncpus, max_cpus());
	sti();                          /* cross-calls need interrupts on */
	arch_drop_identity_map();       /* from now on, low addresses fault in the kernel too */
	virtio_blk_init();              /* its first read waits for the disk's interrupt */
	swap_init();                    /* the whole disk is the swap area */
	reclaim_init();                 /* watermarks and the reclaim thread (kswapd) */
	if (!kthread_create("init", init_main, NULL))
		panic("cannot create the init thread");
	sched_idle_loop();
}
