/*
 * ktest_selftest.c - tests of the test framework itself and of the
 * exception path: catch_fault() must see each exception with the right
 * vector, error code and address, and nothing may be left behind.
 *
 * Also the boot-time hooks the harness self-tests use to prove that a
 * triple fault, a hang or a panic outside a test is never taken for a pass:
 *   ktest_triple_fault, ktest_hang, ktest_panic_at_boot (command line words)
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/catch.h"
#include "kernel/panic.h"
#include "kernel/lib/string.h"

void ktest_boot_hooks(void)
{
	if (cmdline_has("ktest_panic_at_boot"))
		panic("deliberate panic before the tests (ktest_panic_at_boot)");
	if (cmdline_has("ktest_hang"))
		for (;;)
			cpu_relax();
	if (cmdline_has("ktest_triple_fault"))
		arch_reboot();  /* keyboard-controller reset, else an empty IDT: QEMU exits 0 */
}

KTEST(ktest_selftest, expectations_pass)
{
	KEXPECT_EQ(2 + 2, 4);
	KEXPECT_NE(1, 2);
	KEXPECT_LT(1, 2);
	KEXPECT_TRUE(1);
	KEXPECT_STREQ("abc", "abc");
}

/* Enabled only by `ktest_fail_demo` on the command line (make test KTEST_FAIL_DEMO=1). */
KTEST(ktest_selftest, deliberate_failure)
{
	if (!cmdline_has("ktest_fail_demo"))
		KTEST_SKIP("enable with ktest_fail_demo (make test KTEST_FAIL_DEMO=1)");
	KEXPECT_EQ(1 + 1, 3);
}

KTEST(ktest_selftest, check_reports_failure_without_stopping)
{
	struct ktest_ctx inner = { 0 };
	bool r = ktest_check(&inner, false, __FILE__, __LINE__, "this diagnostic is expected");
	KEXPECT_FALSE(r);
	KEXPECT_EQ(inner.failures, 1);
}

static __attribute__((noinline)) int divide(volatile int a, volatile int b) { return a / b; }

KTEST(ktest_selftest, catches_divide_error)
{
	struct fault_catch fc;
	volatile int r = 0;
	KASSERT_TRUE(catch_fault(&fc, r = divide(1, 0)));
	KEXPECT_EQ(fc.vector, 0);
	KEXPECT_EQ(r, 0);
}

KTEST(ktest_selftest, catches_invalid_opcode)
{
	struct fault_catch fc;
	KASSERT_TRUE(catch_fault(&fc, __asm__ volatile("ud2")));
	KEXPECT_EQ(fc.vector, 6);
}

KTEST(ktest_selftest, catches_breakpoint)
{
	struct fault_catch fc;
	KASSERT_TRUE(catch_fault(&fc, __asm__ volatile("int3")));
	KEXPECT_EQ(fc.vector, 3);
}

KTEST(ktest_selftest, catches_page_fault_with_address)
{
	struct fault_catch fc;
	volatile u64 *unmapped = (volatile u64 *)0x0000700000000000ull;        /* nothing mapped there */
	KASSERT_TRUE(catch_fault(&fc, (void)*unmapped));
	KEXPECT_EQ(fc.vector, 14);
	KEXPECT_EQ(fc.addr, (u64)unmapped);
	KEXPECT_EQ(fc.error & 1, 0);    /* not-present */
	KEXPECT_EQ(fc.error & 2, 0);    /* a read */
}

KTEST(ktest_selftest, catches_general_protection_on_noncanonical)
{
	struct fault_catch fc;
	volatile u64 *bad = (volatile u64 *)0x8000000000000000ull;
	KASSERT_TRUE(catch_fault(&fc, (void)*bad));
	KEXPECT_EQ(fc.vector, 13);
}

KTEST(ktest_selftest, catch_nests_and_unwinds)
{
	struct fault_catch outer, inner;
	volatile int inner_caught = 0;
	bool outer_caught = catch_fault(&outer, {
		inner_caught = catch_fault(&inner, __asm__ volatile("ud2"));
		__asm__ volatile("int3");
	});
	KEXPECT_TRUE(inner_caught);
	KEXPECT_TRUE(outer_caught);
	KEXPECT_EQ(outer.vector, 3);
	KEXPECT_NULL(this_cpu()->fault_catch);
}

KTEST(ktest_selftest, no_fault_no_catch_and_irq_state_kept)
{
	struct fault_catch fc;
	bool was_on = irqs_enabled();
	volatile int x = 0;
	KEXPECT_FALSE(catch_fault(&fc, x = 5));
	KEXPECT_EQ(x, 5);
	KEXPECT_TRUE(catch_fault(&fc, __asm__ volatile("ud2")));
	KEXPECT_EQ(irqs_enabled(), was_on);
	KEXPECT_NULL(this_cpu()->fault_catch);
}

KTEST(ktest_selftest, null_pointer_faults_in_the_kernel)
{
	struct fault_catch fc;
	static volatile u64 *volatile null;    /* hidden from the compiler's bounds checks */
	null = (volatile u64 *)8;
	KASSERT_TRUE(catch_fault(&fc, (void)*null));    /* the boot identity map is gone */
	KEXPECT_EQ(fc.vector, 14);
	KEXPECT_EQ(fc.addr, 8);
}
