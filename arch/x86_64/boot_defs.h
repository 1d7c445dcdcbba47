/* Constants shared by boot.S and C (keep it free of C-only syntax). */
#ifndef ARCH_BOOT_DEFS_H
#define ARCH_BOOT_DEFS_H

#define MB2_HEADER_MAGIC        0xe85250d6
#define MB2_BOOTLOADER_MAGIC    0x36d76289
#define PVH_START_MAGIC         0x336ec578

#define KERNEL_VMA              0xffffffff80000000
#define DIRECT_MAP_BASE         0xffff800000000000

#define BOOT_STACK_SIZE         16384
#define BOOT_CS64               0x08
#define BOOT_DS                 0x10

#define CR0_PE                  (1 << 0)
#define CR0_EM                  (1 << 2)
#define CR0_NW                  (1 << 29)
#define CR0_CD                  (1 << 30)
#define CR0_WP                  (1 << 16)
#define CR0_PG                  (1 << 31)
#define CR4_PAE                 (1 << 5)
#define CR4_PGE                 (1 << 7)
#define CR4_OSFXSR              (1 << 9)
#define CR4_OSXMMEXCPT          (1 << 10)
#define MSR_EFER                0xc0000080
#define EFER_SCE                (1 << 0)
#define EFER_LME                (1 << 8)
#define EFER_NXE                (1 << 11)

#endif
