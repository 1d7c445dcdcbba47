/*
 * thread_entry.S - where a new pthread starts.
 *
 * SYS_thread_create(entry, arg, stack_top) starts the thread here with
 * rip = __thread_entry, rdi = arg (the library's struct thread *) and
 * rsp = stack_top, which pthread_create made 16-byte aligned. The call
 * leaves rsp at 8 mod 16 at __pthread_run's entry, as the ABI requires.
 * __pthread_run (pthread.c) calls the start routine and returns its value,
 * which becomes the thread's exit value (SYS_thread_exit ends this thread
 * only; the stack is unmapped later by pthread_join).
 */
#include <uapi_syscall.h>

	.text
	.globl __thread_entry
	.type __thread_entry, @function
__thread_entry:
	xorl %ebp, %ebp
	call __pthread_run
	movq %rax, %rdi
	movl $SYS_thread_exit, %eax
	syscall
	ud2                     /* SYS_thread_exit does not return */
	.size __thread_entry, . - __thread_entry

	.section .note.GNU-stack, "", @progbits
