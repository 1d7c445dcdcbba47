/*
 * trampoline.S - where an application processor (AP) starts.
 *
 * A startup IPI (SIPI) starts an AP in 16-bit real mode at physical
 * address vector * 4096. smp.c copies this blob to TRAMPOLINE_PHYS (in
 * the reserved first MiB) and fills the data block at its end. Since the
 * code runs at a different address than it was linked at, every address
 * is computed as (label - trampoline_start + TRAMPOLINE_PHYS).
 *
 * The AP goes real mode -> protected mode (its own tiny GDT) -> long mode
 * with the boot page tables (which identity-map low memory and map the
 * kernel high), then jumps to ap_main(struct cpu *) on its own stack.
 */
#include "arch/x86_64/boot_defs.h"
#define TRAMPOLINE_PHYS 0x8000
#define T(x) ((x) - trampoline_start + TRAMPOLINE_PHYS)

        .section .rodata
        .balign 16
        .globl  trampoline_start, trampoline_end
        .globl  trampoline_cr3, trampoline_stack, trampoline_entry, trampoline_cpu
        .code16
trampoline_start:
        cli
        cld
        xorw    %ax, %ax
        movw    %ax, %ds
        lgdtl   T(tramp_gdt_ptr)
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $0x08, $T(tramp32)

        .code32
tramp32:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    %cr4, %eax
        orl     $(CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
        movl    %eax, %cr4
        movl    T(trampoline_cr3), %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $(EFER_LME | EFER_NXE | EFER_SCE), %eax
        wrmsr
        movl    %cr0, %eax
        orl     $(CR0_PG | CR0_WP), %eax
        movl    %eax, %cr0
        ljmpl   $0x18, $T(tramp64)

        .code64
tramp64:
        movq    T(trampoline_stack), %rsp
        movq    T(trampoline_cpu), %rdi
        movq    T(trampoline_entry), %rax
        xorl    %ebp, %ebp
        pushq   $0
        jmp     *%rax

        .balign 16
tramp_gdt:
        .quad   0
        .quad   0x00cf9a000000ffff              /* 0x08: 32-bit code */
        .quad   0x00cf92000000ffff              /* 0x10: data */
        .quad   0x00af9a000000ffff              /* 0x18: 64-bit code */
tramp_gdt_ptr:
        .short  tramp_gdt_ptr - tramp_gdt - 1
        .long   T(tramp_gdt)
        .balign 8
trampoline_cr3:   .quad 0
trampoline_stack: .quad 0
trampoline_entry: .quad 0
trampoline_cpu:   .quad 0
trampoline_end:

        .section .note.GNU-stack, "", @progbits
