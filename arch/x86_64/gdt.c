/*
 * gdt.c - segment descriptors and the task state segment.
 *
 * Long mode ignores segment bases and limits for code and data, but still
 * needs: a 64-bit code descriptor per privilege level, data descriptors for
 * SS, and a TSS, which holds the stack pointers the CPU switches to on an
 * interrupt from user mode (rsp0) and on the IST vectors (double fault and
 * NMI get their own stacks so a broken kernel stack cannot triple-fault).
 * The user data/code order (0x18, 0x20) is the one sysret requires.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"
#include "kernel/lib/string.h"

#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

struct cpu cpus[MAX_CPUS];
int ncpus = 1;

static void set_tss_descriptor(u64 *gdt, struct tss *tss)
{
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;
	gdt[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[1] = base >> 32;
}

void cpu_init_segments(struct cpu *c)
{
	c->self = c;
	c->gdt[0] = 0;
	c->gdt[1] = 0x00af9a000000ffff;         /* kernel code, 64-bit, DPL 0 */
	c->gdt[2] = 0x00cf92000000ffff;         /* kernel data */
	c->gdt[3] = 0x00cff2000000ffff;         /* user data, DPL 3 */
	c->gdt[4] = 0x00affa000000ffff;         /* user code, 64-bit, DPL 3 */
	memset(&c->tss, 0, sizeof c->tss);
	c->tss.ist[0] = (u64)(c->df_stack + sizeof c->df_stack);
	c->tss.ist[1] = (u64)(c->nmi_stack + sizeof c->nmi_stack);
	c->tss.iomap_base = sizeof c->tss;
	set_tss_descriptor(&c->gdt[5], &c->tss);

	struct __attribute__((packed)) { u16 limit; u64 base; } ptr = { sizeof c->gdt - 1, (u64)c->gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %1, %%ds\n\t"
		"mov %1, %%es\n\t"
		"mov %1, %%ss\n\t"
		"pushq %2\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:"
		: : "m"(ptr), "r"((u64)SEL_KDATA), "i"(SEL_KCODE) : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
	/* Loading GS zeroes its base: load the selector first, then the MSR. */
	__asm__ volatile("mov %0, %%gs" : : "r"(0));
	wrmsr(MSR_GS_BASE, (u64)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_AC (1ull << 18)

void syscall_entry(void);

/*
 * STAR[47:32] = kernel CS (SS = CS + 8); STAR[63:48] = base for sysret's
 * user selectors (SS = base + 8, CS = base + 16: hence the 0x18/0x20
 * order in the GDT). We return with iretq, but keep STAR valid anyway.
 */
void syscall_init_cpu(void)
{
	wrmsr(MSR_STAR, ((u64)SEL_KDATA << 48) | ((u64)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
}
