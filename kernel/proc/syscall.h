/* syscall.h - the system-call table (syscall.c); drivers add their calls with syscall_register. */
#ifndef PROC_SYSCALL_H
#define PROC_SYSCALL_H
#include "kernel/types.h"
struct trapframe;
typedef long (*syscall_fn)(struct trapframe *tf);
/* Install fn for number nr (uapi_syscall.h) if that slot is free; at boot, before user programs run. */
void syscall_register(int nr, syscall_fn fn);
#endif
