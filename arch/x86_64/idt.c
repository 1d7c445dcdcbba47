/*
 * idt.c - the interrupt descriptor table: 256 interrupt gates pointing at
 * the stubs of trapentry.S. Gates clear IF on entry. The double fault uses
 * IST1 and NMI uses IST2 (see gdt.c) so they run on known-good stacks.
 * Vector 0x80 is not used: system calls enter through `syscall`.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 zero;
} __attribute__((packed));

static struct idt_gate idt[256];
extern char vector_stubs[];
#define STUB_SIZE 16

static void set_gate(int vec, u64 handler, int ist, int dpl)
{
	idt[vec] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = SEL_KCODE,
		.ist = (u8)ist,
		.type_attr = (u8)(0x8e | (dpl << 5)),   /* present, 64-bit interrupt gate */
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_high = (u32)(handler >> 32),
	};
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, (u64)vector_stubs + (u64)v * STUB_SIZE, 0, 0);
	set_gate(2, (u64)vector_stubs + 2 * STUB_SIZE, 2, 0);  /* NMI on IST2 */
	set_gate(8, (u64)vector_stubs + 8 * STUB_SIZE, 1, 0);  /* #DF on IST1 */
	set_gate(3, (u64)vector_stubs + 3 * STUB_SIZE, 0, 3);  /* int3 allowed from user */
}

/* Load the IDT on this CPU (every CPU shares the one table). */
void idt_load(void)
{
	struct __attribute__((packed)) { u16 limit; u64 base; } ptr = { sizeof idt - 1, (u64)idt };
	__asm__ volatile("lidt %0" : : "m"(ptr));
}
