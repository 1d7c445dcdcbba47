/*
 * time.h - the tick and the clock.
 *
 * The LAPIC timer interrupts each CPU HZ times a second; CPU 0 counts
 * ticks. The clock is the TSC, calibrated against the PIT at boot, so
 * time_since_boot_us() is precise between ticks.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H
#include "kernel/types.h"

#define HZ 100
extern volatile u64 ticks;
u64 time_since_boot_us(void);
u64 time_since_boot_ns(void);
/* Busy-wait (with pause) for at least us microseconds. */
void udelay(u64 us);
/* Sleep (not spin) for at least ms milliseconds; thread context only. */
void msleep(u64 ms);
/* Called by the timer interrupt on every CPU. */
void timer_tick(void);
#endif
