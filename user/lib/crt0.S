/*
 * crt0.S - the entry point of every user program.
 *
 * The kernel enters _start with (the process start ABI):
 *   rsp  16-byte aligned, pointing into the user stack
 *   rdi  argc
 *   rsi  argv, a NULL-terminated array of pointers on that stack
 *   rbp  0 (the end of the frame-pointer chain, for debuggers)
 * __libc_start (start.c) runs constructors, calls main and exit()s with its
 * result. The `call` pushes a return address, so __libc_start sees rsp at
 * 8 mod 16 exactly as the System V ABI requires of any function entry.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	call __libc_start
	ud2                     /* __libc_start never returns */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
