/*
 * catch.h - turn a kernel-mode exception into an error return.
 *
 *     struct fault_catch fc;
 *     if (catch_fault(&fc, *(volatile int *)bad_pointer)) {
 *             // a fault happened: fc.vector, fc.error, fc.addr (CR2), fc.rip
 *     }
 *
 * While the body runs, an exception on this CPU does not panic: trap()
 * records it in the innermost active fault_catch and resumes after the
 * body with catch_fault() evaluating to true. Catches nest. The body must
 * not return or jump out of the macro. Tests use it to prove a fault
 * happened; the user-memory copy routines use it to return EFAULT.
 */
#ifndef KERNEL_CATCH_H
#define KERNEL_CATCH_H
#include "kernel/types.h"

struct jmpbuf {
	u64 rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};
int arch_setjmp(struct jmpbuf *jb) __attribute__((returns_twice));
__noreturn void arch_longjmp(struct jmpbuf *jb, int v);

struct fault_catch {
	struct jmpbuf jb;
	struct fault_catch *prev;
	u64 vector, error, addr, rip;
	bool uaccess;   /* a user-memory copy: page faults on user addresses are resolved first */
};

void fault_catch_push(struct fault_catch *fc, bool uaccess);
void fault_catch_pop(struct fault_catch *fc);
/* Called by trap(): true if an active catch took the fault (does not return then). */
struct trapframe;
void fault_catch_deliver(struct trapframe *tf);

#define catch_fault(fc, body) catch_fault_(fc, false, body)
/* The same for copies to or from user memory (kernel/mm/uaccess.c). */
#define catch_uaccess_fault(fc, body) catch_fault_(fc, true, body)

#define catch_fault_(fc, ua, body)                              \
	({                                                      \
		volatile bool faulted__ = true;                 \
		fault_catch_push(fc, ua);                       \
		if (arch_setjmp(&(fc)->jb) == 0) {              \
			body;                                   \
			fault_catch_pop(fc);                    \
			faulted__ = false;                      \
		}                                               \
		faulted__;                                      \
	})
#endif
