/*
 * bootinfo.h - what the loader told us, in one loader-neutral shape.
 *
 * kmain() calls bootinfo_parse() first, before any allocation, and it
 * copies everything it needs out of the loader's structures (which live
 * in memory the page allocator will later hand out).
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H
#include "kernel/types.h"

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 8
#define BOOT_CMDLINE_MAX 256

enum mem_type { MEM_USABLE = 1, MEM_RESERVED = 2, MEM_ACPI = 3, MEM_NVS = 4, MEM_BAD = 5 };

struct mem_region {
	u64 base, len;
	u32 type;
};

struct boot_module {
	u64 start, end;         /* physical, end exclusive */
	char name[64];
};

struct boot_info {
	const char *protocol;   /* "multiboot2" or "pvh" */
	char cmdline[BOOT_CMDLINE_MAX];
	int nregions;
	struct mem_region regions[BOOT_MAX_REGIONS];
	int nmodules;
	struct boot_module modules[BOOT_MAX_MODULES];
	u64 rsdp_phys;          /* ACPI RSDP (0 if the loader gave none) */
	u64 info_phys, info_len;        /* the loader's own structure, kept reserved */
};

extern struct boot_info boot_info;

/* Parse the loader's information; returns 0, or -1 if the magic is unknown. */
int bootinfo_parse(u32 magic, u64 info_phys);
/* True if the kernel command line contains the word `word` (or `word=...`). */
bool cmdline_has(const char *word);
/* The value of `key=value` on the command line, copied into buf; false if absent. */
bool cmdline_get(const char *key, char *buf, size_t size);
#endif
