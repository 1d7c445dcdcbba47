/* printk.c - formatted console output with levels and timestamps. */
#include "kernel/lib/printk.h"
#include "kernel/lib/format.h"
#include "kernel/lib/spinlock.h"
#include "kernel/time.h"
#include "drivers/serial/uart.h"

int console_loglevel = LOG_INFO;
static struct spinlock console_lock = SPINLOCK_INIT("console");
static bool console_lock_broken;

static u64 console_lock_take(void)
{
	u64 flags = irq_save();
	if (!console_lock_broken)
		spin_lock(&console_lock);
	return flags;
}

static void console_lock_release(u64 flags)
{
	if (!console_lock_broken)
		spin_unlock(&console_lock);
	irq_restore(flags);
}

void console_break_locks(void)
{
	console_lock_broken = true;
}

void console_write(const char *s, size_t n)
{
	u64 flags = console_lock_take();
	for (size_t i = 0; i < n; i++)
		uart_putc(s[i]);
	console_lock_release(flags);
}

int console_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	console_write(buf, MIN((size_t)n, sizeof buf - 1));
	return n;
}

int console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = console_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int printk(int level, const char *fmt, ...)
{
	if (level > console_loglevel)
		return 0;
	char buf[512];
	u64 us = time_since_boot_us();
	int p = snprintf(buf, sizeof buf, "[%5lu.%06lu] ", (unsigned long)(us / 1000000),
			 (unsigned long)(us % 1000000));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + p, sizeof buf - (size_t)p, fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)(p + n), sizeof buf - 1));
	return n;
}

int console_getc(void)
{
	return uart_getc_blocking();
}
