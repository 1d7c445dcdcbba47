/*
 * secundus/syscall.h - raw system calls (the ABI in kernel/uapi/uapi_syscall.h).
 *
 * __syscallN(nr, args...) executes `syscall` with rax = nr and the
 * arguments in rdi, rsi, rdx, r10, r8, r9, and returns rax unchanged:
 * >= 0 on success, -errno on failure (errno is NOT set). rcx and r11 are
 * clobbered by the instruction. __syscall_ret(r) converts such a result
 * to the C library convention (-1 and errno).
 */
#ifndef _SECUNDUS_SYSCALL_H
#define _SECUNDUS_SYSCALL_H
#include <uapi_syscall.h>

static inline long __syscall0(long n)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
	return r;
}

static inline long __syscall1(long n, long a)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a) : "rcx", "r11", "memory");
	return r;
}

static inline long __syscall2(long n, long a, long b)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

static inline long __syscall3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long __syscall4(long n, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/* -errno results are in -4095..-1; anything else is a value (e.g. an address). */
static inline int __syscall_failed(long r)
{
	return (unsigned long)r > -4096UL;
}

/* r >= 0 (or a value): r. -errno: set errno, return -1. */
long __syscall_ret(long r);
#endif
