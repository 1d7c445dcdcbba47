/*
 * smp.h - several CPUs: bring-up, IPIs and the cross-call.
 *
 * smp_call_mask(mask, fn, arg) runs fn(arg) on every CPU in mask except
 * the caller's, by IPI, and returns when all of them have run it. It is
 * the transport of the TLB shootdown (kernel/mm/shootdown.c). One
 * cross-call is in flight at a time (call_lock); the caller must have
 * interrupts enabled, so that while it waits for call_lock it can still
 * answer another CPU's cross-call (otherwise two CPUs calling each other
 * would wait forever).
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H
#include "kernel/arch.h"

#define VEC_RESCHED 0xf1        /* "look at the run queue" (idle CPUs) */
#define VEC_CALL 0xf2           /* cross-call: run the posted function */

/* arch/x86_64/smp.c */
void smp_boot_aps(const u32 *apic_ids, int n, int max);
void arch_send_ipi(int cpu, int vector);
void arch_send_nmi_all_but_self(void);
/* Remove boot.S's identity map of low memory on every CPU (after the APs are up). */
void arch_drop_identity_map(void);

/* kernel/smp.c */
void smp_init(void);                    /* register the IPI handlers (on CPU 0, before APs start) */
void smp_cpu_online(struct cpu *c);     /* called by each CPU when it is ready */
void smp_call_mask(u64 mask, void (*fn)(void *), void *arg);
/* Cross-call IPIs sent and received since boot, per CPU (tests, vmstat). */
u64 smp_cross_calls_received(int cpu);
#endif
