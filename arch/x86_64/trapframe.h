/* trapframe.h - the registers saved on every interrupt and exception (trapentry.S builds it). */
#ifndef ARCH_TRAPFRAME_H
#define ARCH_TRAPFRAME_H
#include "kernel/types.h"

struct trapframe {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;     /* pushed by the vector stub */
	u64 error;      /* pushed by the CPU, or 0 by the stub */
	u64 rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

static inline bool trapframe_from_user(const struct trapframe *tf) { return (tf->cs & 3) == 3; }
#endif
