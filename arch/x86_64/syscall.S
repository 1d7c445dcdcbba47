/*
 * syscall.S - the `syscall` instruction's entry point, and the first
 * entry of a thread into user mode.
 *
 * `syscall` leaves the user rip in rcx, the user rflags in r11, switches
 * to the kernel code segment and masks the flags in SFMASK (interrupts
 * off) - but keeps the user stack. So: swapgs to reach this CPU's struct
 * cpu, park the user rsp there, load the thread's kernel stack, and build
 * the same struct trapframe an interrupt from user mode builds (vector
 * SYSCALL_VECTOR), so the return path is the common one: trap_return,
 * which swapgs back and iretq's.
 */
#include "arch/x86_64/cpu.h"
#define SYSCALL_VECTOR 0x100

        .text
        .globl  syscall_entry
syscall_entry:
        swapgs
        movq    %rsp, %gs:CPU_OFF_USER_RSP
        movq    %gs:CPU_OFF_KERNEL_RSP, %rsp
        pushq   $(SEL_UDATA | 3)                /* ss */
        pushq   %gs:CPU_OFF_USER_RSP            /* rsp */
        pushq   %r11                            /* rflags */
        pushq   $(SEL_UCODE | 3)                /* cs */
        pushq   %rcx                            /* rip */
        pushq   $0                              /* error code */
        pushq   $SYSCALL_VECTOR                 /* vector */
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %rbp
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        xorl    %ebp, %ebp                      /* backtraces stop at the user boundary */
        movq    %rsp, %rdi
        call    syscall_dispatch
        jmp     trap_return

/* enter_user(tf): leave for user mode with the registers in *tf. Never returns. */
        .globl  enter_user
enter_user:
        movq    %rdi, %rsp
        jmp     trap_return

        .section .note.GNU-stack, "", @progbits
