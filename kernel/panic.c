/* panic.c - the kernel's last words. */
#include "kernel/panic.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/ksyms.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/format.h"
#include "kernel/test/ktest.h"

volatile bool panicking;

__attribute__((weak)) void smp_stop_other_cpus(void)
{
}

static void print_gdb_recipe(const char *file, int line)
{
	console_printf("To reproduce in GDB:\n"
		       "  make gdb            # QEMU halted, GDB attached, symbols loaded\n"
		       "  (gdb) hbreak %s:%d\n"
		       "  (gdb) continue       # then `bt`, `info registers`, `sec-pmm`\n",
		       file, line);
}

/*
 * The very end, once everything is printed. In test mode (`test` on the
 * command line) QEMU always leaves with the failure status, also for a
 * panic before the tests start or after they end, so the harness never
 * waits for its time limit. Otherwise the CPU halts and the report stays
 * on the screen.
 */
static __noreturn void panic_stop(void)
{
	ktest_report_panic();   /* a test was running: report it and leave QEMU */
	if (cmdline_has("test")) {
		console_printf("ktest: kernel panic outside any test: leaving QEMU with the failure status\n");
		arch_qemu_exit(KTEST_EXIT_FAIL);
		console_printf("ktest: isa-debug-exit is not present\n");
	}
	console_printf("System halted.\n");
	arch_halt_forever();
}

/* Common tail: backtrace, recipe, then halt or report to the test harness. */
static __noreturn void panic_finish(u64 rbp, const char *file, int line)
{
	console_printf("Backtrace (CPU %d):\n", this_cpu()->id);
	backtrace_print(rbp);
	print_gdb_recipe(file, line);
	panic_stop();
}

/* Enter panic state once: a second panic (e.g. while printing) just halts. */
static void panic_enter(void)
{
	cli();
	if (__atomic_exchange_n(&panicking, true, __ATOMIC_SEQ_CST)) {
		console_printf("\nnested panic on CPU %d: halting\n", this_cpu()->id);
		arch_halt_forever();
	}
	console_break_locks();
	smp_stop_other_cpus();
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	panic_enter();
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	console_printf("\nKERNEL PANIC at %s:%d: %s\n", file, line, msg);
	panic_finish(read_rbp(), file, line);
}

static void print_registers(const struct trapframe *tf)
{
	console_printf("RIP %016lx CS %04lx RFLAGS %016lx\n", tf->rip, tf->cs, tf->rflags);
	console_printf("RSP %016lx SS %04lx ERR %016lx\n", tf->rsp, tf->ss, tf->error);
	console_printf("RAX %016lx RBX %016lx RCX %016lx\n", tf->rax, tf->rbx, tf->rcx);
	console_printf("RDX %016lx RSI %016lx RDI %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	console_printf("RBP %016lx R8  %016lx R9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	console_printf("R10 %016lx R11 %016lx R12 %016lx\n", tf->r10, tf->r11, tf->r12);
	console_printf("R13 %016lx R14 %016lx R15 %016lx\n", tf->r13, tf->r14, tf->r15);
	console_printf("CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n", read_cr0(), read_cr2(),
		       read_cr3(), read_cr4());
}

void panic_trap(struct trapframe *tf, const char *what)
{
	panic_enter();
	console_printf("\nKERNEL PANIC: %s on CPU %d\n", what, this_cpu()->id);
	print_registers(tf);
	ksym_print_address("Faulting instruction: ", tf->rip);
	u64 off = 0;
	const char *fn = ksym_lookup(tf->rip, &off);
	char where[96];
	snprintf(where, sizeof where, "*0x%lx", tf->rip);
	console_printf("Backtrace (CPU %d):\n", this_cpu()->id);
	ksym_print_address("  ", tf->rip);
	backtrace_print(tf->rbp);
	console_printf("To reproduce in GDB:\n"
		       "  make gdb\n"
		       "  (gdb) hbreak %s   # %s+0x%lx\n"
		       "  (gdb) continue\n", where, fn ? fn : "?", off);
	panic_stop();
}

