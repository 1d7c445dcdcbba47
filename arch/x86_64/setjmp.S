/*
 * setjmp.S - save and restore a kernel execution context.
 *
 * arch_setjmp(jb) saves the callee-saved registers, the stack pointer, the
 * return address and RFLAGS, and returns 0. arch_longjmp(jb, v) returns
 * again from that arch_setjmp with value v (1 if v is 0), restoring the
 * interrupt flag saved with it. catch_fault() (kernel/catch.h) builds on
 * this to turn a kernel exception into an error return.
 *
 * struct jmpbuf layout: rbx rbp r12 r13 r14 r15 rsp rip rflags
 */
        .text
        .globl  arch_setjmp
arch_setjmp:
        movq    %rbx, 0(%rdi)
        movq    %rbp, 8(%rdi)
        movq    %r12, 16(%rdi)
        movq    %r13, 24(%rdi)
        movq    %r14, 32(%rdi)
        movq    %r15, 40(%rdi)
        leaq    8(%rsp), %rax           /* the caller's rsp after we return */
        movq    %rax, 48(%rdi)
        movq    (%rsp), %rax            /* our return address */
        movq    %rax, 56(%rdi)
        pushfq
        popq    %rax
        movq    %rax, 64(%rdi)
        xorl    %eax, %eax
        ret

        .globl  arch_longjmp
arch_longjmp:
        movl    %esi, %eax
        testl   %eax, %eax
        jnz     1f
        movl    $1, %eax
1:      movq    0(%rdi), %rbx
        movq    8(%rdi), %rbp
        movq    16(%rdi), %r12
        movq    24(%rdi), %r13
        movq    32(%rdi), %r14
        movq    40(%rdi), %r15
        movq    48(%rdi), %rsp
        pushq   64(%rdi)
        popfq
        jmpq    *56(%rdi)

        .section .note.GNU-stack, "", @progbits
