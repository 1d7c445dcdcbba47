/*
 * bootinfo.c - parse multiboot2 (GRUB) or PVH start_info (QEMU -kernel).
 *
 * multiboot2: a list of 8-byte-aligned tags after an 8-byte header.
 *   type 1 command line, 3 module, 6 memory map, 14/15 ACPI RSDP copy.
 * PVH: struct hvm_start_info with physical pointers to the command line,
 *   a module list and (version >= 1) an E820-style memory map.
 */
#include "kernel/bootinfo.h"
#include "kernel/arch.h"
#include "kernel/lib/string.h"

struct boot_info boot_info;

struct mb2_tag {
	u32 type, size;
};

struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
};

struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};

static void add_region(u64 base, u64 len, u32 type)
{
	if (boot_info.nregions < BOOT_MAX_REGIONS)
		boot_info.regions[boot_info.nregions++] = (struct mem_region){ base, len, type };
}

static void add_module(u64 start, u64 end, const char *name)
{
	if (boot_info.nmodules >= BOOT_MAX_MODULES)
		return;
	struct boot_module *m = &boot_info.modules[boot_info.nmodules++];
	m->start = start;
	m->end = end;
	strlcpy(m->name, name ? name : "", sizeof m->name);
}

static void parse_mb2_tag(const struct mb2_tag *t, u64 tag_phys)
{
	const u8 *body = (const u8 *)(t + 1);
	switch (t->type) {
	case 1:
		strlcpy(boot_info.cmdline, (const char *)body, sizeof boot_info.cmdline);
		break;
	case 3: {
		const u32 *m = (const u32 *)body;
		add_module(m[0], m[1], (const char *)(m + 2));
		break;
	}
	case 6: {
		u32 entry_size = ((const u32 *)body)[0];
		for (u32 off = 8; off + entry_size <= t->size - 8; off += entry_size) {
			const u8 *e = body + off;
			add_region(*(const u64 *)e, *(const u64 *)(e + 8), *(const u32 *)(e + 16));
		}
		break;
	}
	case 14:
	case 15:
		if (!boot_info.rsdp_phys || t->type == 15)
			boot_info.rsdp_phys = tag_phys + sizeof(*t);
		break;
	}
}

static void parse_multiboot2(u64 info_phys)
{
	const u8 *info = PHYS_TO_VIRT(info_phys);
	u32 total = *(const u32 *)info;
	boot_info.protocol = "multiboot2";
	boot_info.info_phys = info_phys;
	boot_info.info_len = total;
	for (u32 off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const struct mb2_tag *)(info + off);
		if (t->type == 0)
			break;
		parse_mb2_tag(t, info_phys + off);
		off += ALIGN_UP(t->size, 8u);
	}
}

static void parse_pvh(u64 info_phys)
{
	const struct hvm_start_info *si = PHYS_TO_VIRT(info_phys);
	boot_info.protocol = "pvh";
	boot_info.info_phys = info_phys;
	boot_info.info_len = sizeof *si;
	if (si->cmdline_paddr)
		strlcpy(boot_info.cmdline, PHYS_TO_VIRT(si->cmdline_paddr), sizeof boot_info.cmdline);
	const struct hvm_modlist_entry *mods = PHYS_TO_VIRT(si->modlist_paddr);
	for (u32 i = 0; si->modlist_paddr && i < si->nr_modules; i++)
		add_module(mods[i].paddr, mods[i].paddr + mods[i].size,
			   mods[i].cmdline_paddr ? PHYS_TO_VIRT(mods[i].cmdline_paddr) : "");
	boot_info.rsdp_phys = si->rsdp_paddr;
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_entry *mm = PHYS_TO_VIRT(si->memmap_paddr);
		for (u32 i = 0; i < si->memmap_entries; i++)
			add_region(mm[i].addr, mm[i].size, mm[i].type);
	}
}

int bootinfo_parse(u32 magic, u64 info_phys)
{
	if (magic == MB2_BOOTLOADER_MAGIC)
		parse_multiboot2(info_phys);
	else if (magic == PVH_START_MAGIC && *(const u32 *)PHYS_TO_VIRT(info_phys) == PVH_START_MAGIC)
		parse_pvh(info_phys);
	else
		return -1;
	return 0;
}

/* Find `key` as a whole word; returns a pointer just past it, or NULL. */
static const char *cmdline_find(const char *key)
{
	size_t n = strlen(key);
	for (const char *p = boot_info.cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, n) == 0 && (p[n] == 0 || p[n] == ' ' || p[n] == '='))
			return p + n;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool cmdline_has(const char *word)
{
	return cmdline_find(word) != NULL;
}

bool cmdline_get(const char *key, char *buf, size_t size)
{
	const char *p = cmdline_find(key);
	if (!p || *p != '=')
		return false;
	p++;
	size_t n = 0;
	while (p[n] && p[n] != ' ')
		n++;
	if (size) {
		size_t c = MIN(n, size - 1);
		memcpy(buf, p, c);
		buf[c] = 0;
	}
	return true;
}
