/*
 * timer.c - calibrate the TSC and the LAPIC timer against the PIT, then
 * start a periodic HZ tick on the LAPIC timer.
 *
 * The PIT (8254) counts at a fixed 1193182 Hz. Channel 2 can be gated
 * from port 0x61 and its output read back there, which gives a reliable
 * 10 ms reference without interrupts.
 */
#include "kernel/arch.h"
#include "kernel/time.h"
#include "kernel/lib/printk.h"

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define CALIBRATE_MS 10

void lapic_timer_oneshot(u32 init);
u32 lapic_timer_current(void);
void lapic_timer_periodic(int vector, u32 count);

u64 tsc_hz;
static u64 tsc_at_boot;
static u32 lapic_ticks_per_hz;

/* Spin until the PIT's channel 2 has counted down `ms` milliseconds. */
static void pit_wait_ms(u32 ms)
{
	u32 count = PIT_HZ * ms / 1000;
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);    /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);                                /* ch2, lo/hi, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, (count >> 8) & 0xff);
	outb(PIT_GATE, inb(PIT_GATE) & ~0x01);              /* restart the count */
	outb(PIT_GATE, inb(PIT_GATE) | 0x01);
	while (!(inb(PIT_GATE) & 0x20))                     /* OUT2 goes high at zero */
		cpu_relax();
}

static void timer_irq(struct trapframe *tf)
{
	UNUSED(tf);
	lapic_eoi();
	timer_tick();
}

void timer_init(void)
{
	tsc_at_boot = rdtsc();
	lapic_timer_oneshot(0xffffffff);
	u64 t0 = rdtsc();
	pit_wait_ms(CALIBRATE_MS);
	u64 t1 = rdtsc();
	u32 lapic_elapsed = 0xffffffff - lapic_timer_current();
	tsc_hz = (t1 - t0) * (1000 / CALIBRATE_MS);
	if (tsc_hz == 0)
		tsc_hz = 1000000000;
	lapic_ticks_per_hz = (u32)((u64)lapic_elapsed * (1000 / CALIBRATE_MS) / HZ);
	if (lapic_ticks_per_hz == 0)
		lapic_ticks_per_hz = 100000;
	irq_register(VEC_TIMER, timer_irq);
	lapic_timer_periodic(VEC_TIMER, lapic_ticks_per_hz);
	pr_info("timer: TSC %lu kHz, LAPIC timer %u counts per tick (HZ=%d)\n",
		tsc_hz / 1000, lapic_ticks_per_hz, HZ);
}

/* Start this (secondary) CPU's tick with the calibration done on CPU 0. */
void timer_init_secondary(void)
{
	lapic_timer_periodic(VEC_TIMER, lapic_ticks_per_hz);
}

u64 time_since_boot_ns(void)
{
	if (!tsc_hz)
		return 0;
	u64 d = rdtsc() - tsc_at_boot;
	/* split to avoid a 128-bit division (no libgcc in the kernel) */
	return d / tsc_hz * 1000000000u + d % tsc_hz * 1000000000u / tsc_hz;
}

u64 time_since_boot_us(void)
{
	return time_since_boot_ns() / 1000;
}

void udelay(u64 us)
{
	u64 end = time_since_boot_us() + us;
	while (time_since_boot_us() < end)
		cpu_relax();
}
