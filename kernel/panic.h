/*
 * panic.h - stop the kernel with a diagnosis.
 *
 * panic(fmt, ...) prints "PANIC at file:line: message", stops the other
 * CPUs, prints a symbolized backtrace and how to reproduce the failure in
 * GDB, then halts. In test mode (`test` on the command line) it instead
 * reports the running test, if any, as failed and always leaves QEMU with
 * the failure status, so the harness does not wait for its time limit.
 * It never returns.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H
#include "kernel/types.h"

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
__noreturn void panic_at(const char *file, int line, const char *fmt, ...) __printf(3, 4);

struct trapframe;
/* panic() for an unexpected exception: prints the registers and the backtrace from tf. */
__noreturn void panic_trap(struct trapframe *tf, const char *what);

#define BUG_ON(cond) do { if (unlikely(cond)) panic("BUG_ON(%s)", #cond); } while (0)
#define KASSERT(cond) BUG_ON(!(cond))

/* Set while the kernel is panicking (other code may check it to stay quiet). */
extern volatile bool panicking;
/* Hook for SMP (issue 4): stop every other CPU. A no-op on one CPU. */
void smp_stop_other_cpus(void);
#endif
