/*
 * boot.S - the first instructions Secundus runs.
 *
 * Two loaders can start us, and both leave the CPU in 32-bit protected
 * mode with paging off:
 *
 *   GRUB (multiboot2): eax = 0x36d76289, ebx = physical address of the
 *                      multiboot2 information structure.
 *   QEMU -kernel (PVH): ebx = physical address of struct hvm_start_info.
 *                       Found through the Xen ELF note below.
 *
 * Both paths converge on boot32_common, which:
 *   1. loads statically built page tables (see the bottom of this file) that
 *      map the first 4 GiB three times: identity (needed while we switch),
 *      at the direct map 0xffff800000000000, and the first 1 GiB at the
 *      kernel's link address 0xffffffff80000000;
 *   2. enables PAE, long mode (EFER.LME) and no-execute (EFER.NXE), then
 *      paging, which activates long mode;
 *   3. far-jumps into 64-bit code, then jumps to the higher half and calls
 *      kmain(boot_magic, boot_info_phys).
 *
 * Everything here lives in .boot.* sections linked at their physical
 * address (VMA == LMA, around 1 MiB) because it runs before paging.
 */
#include "boot_defs.h"

/* ---------------------------------------------------------------- */
/* multiboot2 header: must be 8-byte aligned in the first 32 KiB.   */
/* ---------------------------------------------------------------- */
        .section .multiboot2, "a"
        .balign 8
mb2_header_start:
        .long   MB2_HEADER_MAGIC
        .long   0                               /* architecture: i386 (32-bit protected mode) */
        .long   mb2_header_end - mb2_header_start
        .long   -(MB2_HEADER_MAGIC + 0 + (mb2_header_end - mb2_header_start))
        /* entry address tag (type 3): where GRUB jumps */
        .balign 8
        .short  3, 0
        .long   12
        .long   mb2_entry
        /* end tag */
        .balign 8
        .short  0, 0
        .long   8
mb2_header_end:

/* ---------------------------------------------------------------- */
/* PVH ELF note (Xen note type 18, XEN_ELFNOTE_PHYS32_ENTRY).       */
/* ---------------------------------------------------------------- */
        .section .note.pvh, "a", @note
        .balign 4
        .long   4                               /* name size: "Xen\0" */
        .long   4                               /* descriptor size */
        .long   18                              /* XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz  "Xen"
        .balign 4
        .long   pvh_entry

/* ---------------------------------------------------------------- */
/* 32-bit entry points                                              */
/* ---------------------------------------------------------------- */
        .section .boot.text, "ax"
        .code32

        .globl  pvh_entry
pvh_entry:
        /* PVH does not pass a magic in eax: make one up so kmain can tell. */
        movl    $PVH_START_MAGIC, %eax
        jmp     boot32_common

        .globl  mb2_entry
mb2_entry:
        /* eax already holds the multiboot2 bootloader magic. */

boot32_common:
        cli
        cld
        movl    %eax, %edi                      /* kmain arg 1: magic */
        movl    %ebx, %esi                      /* kmain arg 2: info (phys) */
        movl    $boot_stack32_top, %esp

        /* Page tables: CR3 = boot PML4 (physical == link address here). */
        movl    $boot_pml4, %eax
        movl    %eax, %cr3

        /* CR4.PAE | CR4.PGE | CR4.OSFXSR | CR4.OSXMMEXCPT */
        movl    %cr4, %eax
        orl     $(CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
        movl    %eax, %cr4

        /* EFER.LME (long mode) | EFER.NXE (no-execute) | EFER.SCE (syscall) */
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $(EFER_LME | EFER_NXE | EFER_SCE), %eax
        wrmsr

        /* CR0.PG | CR0.WP | CR0.PE: turning paging on activates long mode. */
        movl    %cr0, %eax
        orl     $(CR0_PG | CR0_WP | CR0_PE), %eax
        andl    $~(CR0_EM | CR0_CD | CR0_NW), %eax
        movl    %eax, %cr0

        lgdt    boot_gdt_ptr
        ljmp    $BOOT_CS64, $boot64_low

        .code64
boot64_low:
        /* Still executing at the low identity-mapped address. */
        movw    $BOOT_DS, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        xorw    %ax, %ax
        movw    %ax, %fs
        movw    %ax, %gs
        movabsq $boot64_high, %rax
        jmp     *%rax

/* A GDT good enough to enter long mode; gdt.c installs the real one. */
        .section .boot.data, "aw"
        .balign 16
boot_gdt:
        .quad   0                               /* null */
        .quad   0x00af9a000000ffff              /* 0x08: 64-bit code, DPL0 */
        .quad   0x00cf92000000ffff              /* 0x10: data, DPL0 */
boot_gdt_end:
boot_gdt_ptr:
        .short  boot_gdt_end - boot_gdt - 1
        .long   boot_gdt

/*
 * Boot page tables, built by the assembler so no code is needed:
 *   boot_pd[0..2047]: 2 MiB pages covering physical 0 .. 4 GiB.
 *   boot_pdpt_low[0..3] -> the four PDs (used for identity and direct map).
 *   boot_pdpt_high[510] -> boot_pd (first 1 GiB at 0xffffffff80000000).
 * Flags: P|RW (0x3) for tables, P|RW|PS (0x83) for 2 MiB pages.
 */
        .balign 4096
        .globl  boot_pml4
boot_pml4:
        .quad   boot_pdpt_low + 0x3             /* [0]   identity 0..512 GiB */
        .fill   255, 8, 0
        .quad   boot_pdpt_low + 0x3             /* [256] direct map 0xffff800000000000 */
        .fill   254, 8, 0
        .quad   boot_pdpt_high + 0x3            /* [511] kernel image */
boot_pdpt_low:
        .quad   boot_pd + 0x0000 + 0x3
        .quad   boot_pd + 0x1000 + 0x3
        .quad   boot_pd + 0x2000 + 0x3
        .quad   boot_pd + 0x3000 + 0x3
        .fill   508, 8, 0
boot_pdpt_high:
        .fill   510, 8, 0
        .quad   boot_pd + 0x3                   /* [510] -2 GiB */
        .quad   0
boot_pd:
        .set    i, 0
        .rept   2048
        .quad   (i << 21) + 0x83
        .set    i, i + 1
        .endr

        .section .boot.bss, "aw", @nobits
        .balign 16
        .space  1024
boot_stack32_top:

/* ---------------------------------------------------------------- */
/* 64-bit, higher half                                              */
/* ---------------------------------------------------------------- */
        .text
        .code64
        .globl  boot64_high
boot64_high:
        movabsq $boot_stack_top, %rsp
        xorl    %ebp, %ebp                      /* end of the frame-pointer chain */
        movl    %edi, %edi                      /* upper halves are undefined: zero-extend */
        movl    %esi, %esi
        pushq   $0                              /* fake return address: backtraces stop here */
        call    kmain
1:      cli
        hlt
        jmp     1b

        .bss
        .balign 16
        .globl  boot_stack, boot_stack_top
boot_stack:
        .space  BOOT_STACK_SIZE
boot_stack_top:

        .section .note.GNU-stack, "", @progbits
