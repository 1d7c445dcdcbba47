/*
 * host_panic.c - the kernel's panic() for host tests: print the message as
 * a KTAP diagnostic, report the running test failed and bail out (exit 1).
 */
#include "tests/host/host_ktap.h"
#include "kernel/panic.h"
#include <stdarg.h>
#include <stdio.h>

volatile bool panicking;

void smp_stop_other_cpus(void) { }

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	panicking = true;
	htest_diag("PANIC at %s:%d: %s", file, line, msg);
	htest_bail("kernel panic");
}
