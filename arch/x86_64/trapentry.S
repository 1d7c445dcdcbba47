/*
 * trapentry.S - one entry stub per interrupt vector, and the common path.
 *
 * Each stub pushes a zero error code when the CPU does not push one, then
 * its vector number, and jumps to trap_common, which saves the general
 * registers into a struct trapframe (trapframe.h) and calls trap(tf).
 * On return the registers are restored and iretq resumes the interrupted
 * code. Coming from user mode, swapgs swaps in the kernel's GS base (the
 * per-CPU pointer) on entry and swaps it back on exit.
 */
        .text
        .code64

/*
 * 256 stubs, each aligned to 16 bytes, so stub n is at vector_stubs + 16*n
 * (idt.c relies on it). Vectors 8, 10-14, 17, 21, 29 and 30 get an error
 * code from the CPU; the others push a zero so the frame looks the same.
 */
        .balign 16
        .globl  vector_stubs
vector_stubs:
        .set    vec, 0
        .rept   256
        .balign 16
        .if !((vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
        pushq   $0
        .endif
        pushq   $vec
        jmp     trap_common
        .set    vec, vec + 1
        .endr

trap_common:
        /* cs is at 24(%rsp) (vector, error, rip, cs): user mode if RPL == 3 */
        testb   $3, 24(%rsp)
        jz      1f
        swapgs
1:      pushq   %rax
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
        cld
        movq    %rsp, %rdi
        call    trap
        .globl  trap_return
trap_return:
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        testb   $3, 24(%rsp)
        jz      2f
        swapgs
2:      addq    $16, %rsp               /* vector and error code */
        iretq

        .section .note.GNU-stack, "", @progbits
