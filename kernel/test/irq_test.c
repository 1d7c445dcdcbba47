/*
 * irq_test.c - interrupts and time (arch/x86_64/timer.c, trap.c, lapic.c,
 * kernel/time.c, drivers/serial/uart.c).
 *
 * Covers: tests run with interrupts on; the LAPIC timer ticks (ticks
 * advances by 3 within a second) and each interrupt is counted in
 * this_cpu()->irq_count; time_since_boot_us() never goes backwards, agrees
 * with ticks * 10 ms to within 50% over 100 ms, and udelay() waits at least
 * as long as asked; the serial receive interrupt delivers bytes into the
 * input ring (uart_loopback(): the UART's loopback mode), counted by
 * uart_rx_irq_count() and read back with uart_try_getc().
 * Every wait is bounded by the TSC, so a dead timer fails instead of
 * hanging: nothing here uses hlt, which would wait for an interrupt forever.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/time.h"
#include "drivers/serial/uart.h"

#define MS_PER_TICK (1000 / HZ)

static u64 tsc_after_ms(u64 ms)
{
	return rdtsc() + tsc_hz / 1000 * ms;
}

/* Spin with interrupts on until ticks has advanced by n or ms have passed. */
static u64 wait_ticks(u64 n, u64 ms)
{
	u64 start = ticks, end = tsc_after_ms(ms);
	while (ticks - start < n && rdtsc() < end)
		cpu_relax();
	return ticks - start;
}

KTEST(irq, interrupts_enabled_for_tests)
{
	KEXPECT_TRUE(irqs_enabled());
	KEXPECT_NE(tsc_hz, 0);
	KEXPECT_EQ(this_cpu()->irq_depth, 0);
}

KTEST(irq, timer_ticks)
{
	KASSERT_TRUE(irqs_enabled());
	u64 advanced = wait_ticks(3, 1000);
	if (!KEXPECT_GE(advanced, 3))
		ktest_diag("ticks advanced by %lu in 1 s (stuck at %lu)", advanced, ticks);
}

KTEST(irq, irq_count_increases)
{
	u64 before = this_cpu()->irq_count;
	wait_ticks(2, 1000);
	KEXPECT_GE(this_cpu()->irq_count - before, 2);
}

KTEST(irq, time_is_monotonic)
{
	u64 prev = time_since_boot_us(), backwards = 0, end = tsc_after_ms(10);
	KEXPECT_GT(prev, 0);
	while (rdtsc() < end) {
		u64 now = time_since_boot_us();
		backwards += now < prev;
		prev = now;
	}
	KEXPECT_EQ(backwards, 0);
	u64 ns0 = time_since_boot_ns(), ns1 = time_since_boot_ns();
	KEXPECT_LE(ns0, ns1);
}

KTEST(irq, time_agrees_with_ticks)
{
	wait_ticks(1, 1000);    /* start right after a tick */
	u64 t0 = time_since_boot_us(), k0 = ticks;
	while (time_since_boot_us() - t0 < 100000)      /* bounded: the clock is the TSC */
		cpu_relax();
	u64 elapsed_us = time_since_boot_us() - t0, tick_us = (ticks - k0) * MS_PER_TICK * 1000;
	if (!KEXPECT_GE(2 * tick_us, elapsed_us) || !KEXPECT_LE(2 * tick_us, 3 * elapsed_us))
		ktest_diag("%lu us by the TSC, %lu ticks", elapsed_us, ticks - k0);
}

KTEST(irq, udelay_waits_long_enough)
{
	u64 t0 = time_since_boot_us();
	udelay(2000);
	u64 dt = time_since_boot_us() - t0;
	KEXPECT_GE(dt, 2000);
	KEXPECT_LT(dt, 1000000);
}

/* Empty the input ring (a test leaves nothing behind in it). */
static int drain_input(void)
{
	int n = 0;
	while (uart_try_getc() >= 0 && n < 1000)
		n++;
	return n;
}

KTEST(irq, serial_receive_by_interrupt)
{
	KASSERT_TRUE(irqs_enabled());
	drain_input();
	u64 chars = uart_rx_irq_count(), irqs = this_cpu()->irq_count;
	int r = uart_loopback('Z', 100000);
	KEXPECT_EQ(r, 0);
	KEXPECT_GT(uart_rx_irq_count(), chars);
	KEXPECT_GT(this_cpu()->irq_count, irqs);
	KEXPECT_EQ(uart_try_getc(), 'Z');
	KEXPECT_EQ(uart_try_getc(), -1);        /* nothing else came back */
}

KTEST(irq, serial_receive_special_bytes)
{
	static const u8 bytes[] = { 0x00, 0x0a, 0x0d, 0x7f, 0x80, 0xff };
	drain_input();
	for (size_t i = 0; i < ARRAY_SIZE(bytes); i++) {
		u64 chars = uart_rx_irq_count();
		KEXPECT_EQ(uart_loopback(bytes[i], 100000), 0);
		KEXPECT_EQ(uart_rx_irq_count(), chars + 1);
		KEXPECT_EQ(uart_try_getc(), bytes[i]);
	}
	KEXPECT_EQ(drain_input(), 0);
}

KTEST(irq, serial_loopback_refuses_with_interrupts_off)
{
	u64 flags = irq_save();
	int r = uart_loopback('x', 1000);
	irq_restore(flags);
	KEXPECT_EQ(r, -1);
	KEXPECT_EQ(drain_input(), 0);
}
