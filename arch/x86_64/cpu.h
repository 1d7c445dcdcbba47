/*
 * cpu.h - per-CPU state. Each CPU's GS base points at its struct cpu, so
 * this_cpu() is one instruction and needs no lock.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#define MAX_CPUS 8
/* Segment selectors (see gdt.c). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x18
#define SEL_UCODE 0x20
#define SEL_TSS   0x28
/* Offsets used by syscall_entry (syscall.S): keep these fields first in struct cpu. */
#define CPU_OFF_KERNEL_RSP 8
#define CPU_OFF_USER_RSP 16

#ifndef __ASSEMBLER__
#include "kernel/types.h"

struct tss {
	u32 reserved0;
	u64 rsp[3];             /* rsp[0]: kernel stack on entry from user mode */
	u64 reserved1;
	u64 ist[7];             /* interrupt stack table: ist[0] is IST1 */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct fault_catch;
struct thread;
struct mm;

struct cpu {
	struct cpu *self;       /* %gs:0, so this_cpu() is a single load */
	u64 kernel_rsp;         /* %gs:8: top of the current thread's kernel stack */
	u64 user_rsp;           /* %gs:16: scratch for the user rsp in syscall_entry */
	int id;                 /* 0 .. ncpus-1 */
	struct thread *current; /* the thread running here */
	struct thread *idle;    /* this CPU's idle thread */
	struct thread *switch_prev;     /* set across a context switch (sched.c) */
	struct mm *active_mm;   /* the address space in CR3 (lazily kept by kernel threads) */
	struct mm *switch_mm_drop;      /* an mm to release once the switch is done */
	volatile bool need_resched;     /* set by the tick: reschedule before returning to user */
	volatile bool lazy;             /* running a kernel thread with active_mm kept loaded */
	u64 tlb_gen_seen;               /* active_mm->tlb_gen this CPU's TLB is known to reflect */
	bool online;
	u32 apic_id;
	u64 gdt[8];             /* null, kcode, kdata, udata, ucode, tss(2), spare */
	struct tss tss;
	struct fault_catch *fault_catch;        /* innermost active catch_fault() */
	int irq_depth;          /* > 0 while running an interrupt handler */
	u64 irq_count;
	u8 df_stack[4096] __attribute__((aligned(16)));   /* double-fault stack (IST1) */
	u8 nmi_stack[4096] __attribute__((aligned(16)));  /* NMI stack (IST2) */
};

extern struct cpu cpus[MAX_CPUS];
extern int ncpus;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Load this CPU's GDT and TSS and point GS at its struct cpu. */
void cpu_init_segments(struct cpu *c);
/* Program the syscall MSRs (STAR, LSTAR, SFMASK) on this CPU. */
void syscall_init_cpu(void);
#endif /* __ASSEMBLER__ */
#endif
