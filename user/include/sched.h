/*
 * sched.h - yielding the CPU and CPU affinity.
 */
#ifndef _SCHED_H
#define _SCHED_H
#include <sys/types.h>

#define CPU_SETSIZE 1024        /* CPUs a cpu_set_t can name */
#define __CPU_BITS (8 * sizeof(unsigned long))

/* A set of CPUs: bit n of the array is CPU n (what the kernel reads). */
typedef struct {
	unsigned long __bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;

static inline int __cpu_count(const cpu_set_t *s)
{
	int n = 0;
	for (size_t i = 0; i < sizeof(s->__bits) / sizeof(s->__bits[0]); i++)
		for (unsigned long w = s->__bits[i]; w; w &= w - 1)
			n++;
	return n;
}

#define CPU_ZERO(set)   do { cpu_set_t *__s = (set); \
	for (size_t __i = 0; __i < sizeof(__s->__bits) / sizeof(__s->__bits[0]); __i++) \
		__s->__bits[__i] = 0; } while (0)
#define CPU_SET(cpu, set)   ((void)((size_t)(cpu) < CPU_SETSIZE ? \
	((set)->__bits[(size_t)(cpu) / __CPU_BITS] |= 1UL << ((size_t)(cpu) % __CPU_BITS)) : 0))
#define CPU_CLR(cpu, set)   ((void)((size_t)(cpu) < CPU_SETSIZE ? \
	((set)->__bits[(size_t)(cpu) / __CPU_BITS] &= ~(1UL << ((size_t)(cpu) % __CPU_BITS))) : 0))
#define CPU_ISSET(cpu, set) ((size_t)(cpu) < CPU_SETSIZE && \
	((set)->__bits[(size_t)(cpu) / __CPU_BITS] >> ((size_t)(cpu) % __CPU_BITS) & 1))
#define CPU_COUNT(set)  __cpu_count(set)

/* Give the CPU to another runnable thread, if any. Returns 0. */
int sched_yield(void);
/* The CPU the calling thread runs on (it may move right after). */
int sched_getcpu(void);
/* Restrict thread pid (0: the calling thread) to the CPUs in *mask (size
 * bytes); the caller moves at once if its CPU is not in the set. Returns 0,
 * or -1 with EINVAL if the set holds no online CPU, ESRCH for a bad pid. */
int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask);
/* Store thread pid's (0: the caller's) CPU set in *mask (size bytes,
 * the rest zeroed). Returns 0 or -1. */
int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask);
#endif
