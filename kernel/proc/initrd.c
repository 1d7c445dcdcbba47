/*
 * initrd.c - read a ustar archive in place.
 *
 * A ustar archive is a sequence of 512-byte headers, each followed by the
 * member's data rounded up to 512 bytes, ended by two zero blocks. The
 * header holds the name (100 bytes, plus a 155-byte prefix), the size in
 * octal ASCII at offset 124, and the type flag at 156 ('0' or NUL for a
 * regular file).
 */
#include "kernel/proc/initrd.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"

#define BLOCK 512
static const u8 *archive;
static u64 archive_size;

struct member {
	char name[256];
	const u8 *data;
	u64 size;
};

static u64 octal(const char *s, int n)
{
	u64 v = 0;
	for (int i = 0; i < n && s[i] >= '0' && s[i] <= '7'; i++)
		v = v * 8 + (u64)(s[i] - '0');
	return v;
}

/* Parse the header at *off into m and advance *off; false at the end or on a bad header. */
static bool next_member(u64 *off, struct member *m)
{
	while (*off + BLOCK <= archive_size) {
		const char *h = (const char *)archive + *off;
		if (h[0] == 0)
			return false;
		u64 size = octal(h + 124, 12);
		char type = h[156];
		const u8 *data = archive + *off + BLOCK;
		*off += BLOCK + ALIGN_UP(size, (u64)BLOCK);
		if (data + size > archive + archive_size)
			return false;
		if (type != '0' && type != 0)
			continue;       /* directories and the like */
		m->name[0] = 0;
		if (memcmp(h + 257, "ustar", 5) == 0 && h[345]) {
			strlcpy(m->name, h + 345, 156);
			size_t n = strlen(m->name);
			m->name[n] = '/';
			m->name[n + 1] = 0;
		}
		size_t n = strlen(m->name);
		memcpy(m->name + n, h, 100);
		m->name[n + 100] = 0;
		const char *nm = m->name;
		if (nm[0] == '.' && nm[1] == '/')
			memmove(m->name, nm + 2, strlen(nm + 2) + 1);
		m->data = data;
		m->size = size;
		return true;
	}
	return false;
}

void initrd_init(void)
{
	for (int i = 0; i < boot_info.nmodules; i++) {
		const struct boot_module *mod = &boot_info.modules[i];
		const u8 *p = PHYS_TO_VIRT(mod->start);
		if (mod->end - mod->start >= BLOCK && memcmp(p + 257, "ustar", 5) == 0) {
			archive = p;
			archive_size = mod->end - mod->start;
			int n = 0;
			while (initrd_nth("", n))
				n++;
			pr_info("initrd: %d programs, %lu KiB\n", n, archive_size >> 10);
			return;
		}
	}
	pr_info("initrd: none (no ustar module)\n");
}

bool initrd_present(void) { return archive != NULL; }

bool initrd_find(const char *name, const u8 **data, u64 *size)
{
	u64 off = 0;
	struct member m;
	while (archive && next_member(&off, &m)) {
		if (strcmp(m.name, name) == 0) {
			*data = m.data;
			*size = m.size;
			return true;
		}
	}
	return false;
}

const char *initrd_nth(const char *prefix, int i)
{
	static struct member m;
	u64 off = 0;
	size_t n = strlen(prefix);
	while (archive && next_member(&off, &m)) {
		if (strncmp(m.name, prefix, n) == 0 && i-- == 0) {
			/* archive member names are stable: point into a small ring of copies */
			static char names[8][256];
			static int slot;
			char *out = names[slot++ % 8];
			strlcpy(out, m.name, 256);
			return out;
		}
	}
	return NULL;
}
