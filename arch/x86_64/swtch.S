/*
 * swtch.S - the context switch.
 *
 * swtch(u64 *save_rsp, u64 load_rsp): push the callee-saved registers on
 * the current kernel stack, store rsp in *save_rsp, load load_rsp and pop
 * the next thread's registers; `ret` then continues wherever that thread
 * called swtch (or at its start trampoline, for a new thread). The
 * caller-saved registers need no saving: the C compiler already assumes
 * swtch() clobbers them, as any call does.
 */
        .text
        .globl  swtch
swtch:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret

/*
 * A new thread's first `ret` from swtch lands here, with r12 = the C
 * function to run and r13 = its argument (set up by thread_alloc()).
 */
        .globl  thread_start_trampoline
thread_start_trampoline:
        call    sched_finish_switch     /* release the scheduler lock like swtch's callers do */
        movq    %r13, %rdi
        call    *%r12
        ud2                             /* the function must not return */

        .section .note.GNU-stack, "", @progbits
