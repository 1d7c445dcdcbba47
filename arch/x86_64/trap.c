/*
 * trap.c - where every interrupt and exception arrives (from trapentry.S).
 *
 * Exceptions (vectors 0-31) from kernel mode are either caught by an
 * active catch_fault() (kernel/catch.h) or are fatal: the kernel prints the
 * exception, error code, registers, CR2 for page faults and a symbolized
 * backtrace, then stops (panic_trap). Device interrupts (32-255) go to
 * the handler registered with irq_register(); the handler sends the EOI.
 */
#include "kernel/arch.h"
#include "kernel/catch.h"
#include "kernel/panic.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/format.h"

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

static irq_handler_t irq_handlers[256];

void irq_register(int vector, irq_handler_t h)
{
	irq_handlers[vector] = h;
}

const char *exception_name(u64 vector)
{
	return vector < 32 ? exception_names[vector] : "interrupt";
}

/* Describe a page-fault error code: "write, not-present, kernel". */
static void describe_pf_error(u64 err, char *buf, size_t n)
{
	snprintf(buf, n, "%s, %s, %s%s%s", err & 2 ? "write" : "read",
		 err & 1 ? "protection violation" : "not-present", err & 4 ? "user" : "kernel",
		 err & 16 ? ", instruction fetch" : "", err & 8 ? ", reserved bit set" : "");
}

static __noreturn void fatal_exception(struct trapframe *tf)
{
	char what[160];
	if (tf->vector == 14) {
		char pf[96];
		describe_pf_error(tf->error, pf, sizeof pf);
		snprintf(what, sizeof what, "exception %s (vector 14), error 0x%lx [%s], CR2 %016lx",
			 exception_names[14], tf->error, pf, read_cr2());
	} else {
		snprintf(what, sizeof what, "exception %s (vector %lu), error 0x%lx",
			 exception_name(tf->vector), tf->vector, tf->error);
	}
	panic_trap(tf, what);
}

/* Hook for user-mode exceptions (the process layer overrides it). */
__attribute__((weak)) void user_exception(struct trapframe *tf)
{
	fatal_exception(tf);
}

/* Hook: resolve a kernel-mode fault on a user address during a user copy (proc layer). */
__attribute__((weak)) bool uaccess_fault(struct trapframe *tf, u64 addr)
{
	UNUSED(tf), UNUSED(addr);
	return false;
}

/* Hook: work before returning to user mode (reschedule, exit if killed). */
__attribute__((weak)) void user_return_work(struct trapframe *tf)
{
	UNUSED(tf);
}

static void handle_exception(struct trapframe *tf)
{
	if (tf->vector == 2 && panicking)
		arch_halt_forever();    /* another CPU panicked and stopped us (smp_stop_other_cpus) */
	if (trapframe_from_user(tf)) {
		user_exception(tf);
		return;
	}
	if (tf->vector == 14) {
		struct fault_catch *fc = this_cpu()->fault_catch;
		if (fc && fc->uaccess && uaccess_fault(tf, read_cr2()))
			return;         /* the page is there now: retry the access */
	}
	if (tf->vector != 2 && tf->vector != 8)
		fault_catch_deliver(tf);        /* does not return if a catch is active */
	fatal_exception(tf);
}

void trap(struct trapframe *tf)
{
	struct cpu *c = this_cpu();
	if (tf->vector < IRQ_VECTOR_BASE) {
		handle_exception(tf);
		return;
	}
	c->irq_depth++;
	c->irq_count++;
	irq_handler_t h = irq_handlers[tf->vector];
	if (h)
		h(tf);
	else if (tf->vector != VEC_SPURIOUS && tf->vector < 0xe0)
		lapic_eoi();    /* unexpected device vector: acknowledge and go on */
	c->irq_depth--;
	if (trapframe_from_user(tf))
		user_return_work(tf);
}

void fault_catch_push(struct fault_catch *fc, bool uaccess)
{
	struct cpu *c = this_cpu();
	fc->prev = c->fault_catch;
	fc->vector = fc->error = fc->addr = fc->rip = 0;
	fc->uaccess = uaccess;
	c->fault_catch = fc;
}

void fault_catch_pop(struct fault_catch *fc)
{
	this_cpu()->fault_catch = fc->prev;
}

void fault_catch_deliver(struct trapframe *tf)
{
	struct cpu *c = this_cpu();
	struct fault_catch *fc = c->fault_catch;
	if (!fc)
		return;
	c->fault_catch = fc->prev;
	fc->vector = tf->vector;
	fc->error = tf->error;
	fc->addr = tf->vector == 14 ? read_cr2() : 0;
	fc->rip = tf->rip;
	arch_longjmp(&fc->jb, 1);
}
