/*
 * elf.c - load a static ELF64 x86-64 executable into a fresh mm.
 *
 * Each PT_LOAD segment becomes a private VMA with the segment's rights
 * (R, W, X); its file bytes are copied in now, the rest (.bss) is left to
 * demand zero-fill. Everything in the file is checked against its size
 * and against user space before use: a bad file gives -ENOEXEC, never a
 * fault.
 */
#include "kernel/proc/elf.h"
#include "kernel/mm/vm.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"

struct elf64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

static int prot_of(u32 flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

static bool header_ok(const struct elf64_ehdr *h, u64 size)
{
	return size >= sizeof *h && memcmp(h->ident, "\177ELF", 4) == 0 && h->ident[4] == 2 /* 64-bit */ &&
	       h->type == 2 /* EXEC */ && h->machine == 62 /* x86-64 */ &&
	       h->phentsize == sizeof(struct elf64_phdr) && h->phoff < size &&
	       h->phnum <= (size - h->phoff) / sizeof(struct elf64_phdr);
}

static int load_segment(struct mm *mm, const u8 *file, u64 size, const struct elf64_phdr *ph)
{
	if (ph->filesz > ph->memsz || ph->offset > size || ph->filesz > size - ph->offset)
		return -ENOEXEC;
	if (ph->memsz == 0)
		return 0;
	vaddr_t start = ALIGN_DOWN(ph->vaddr, PAGE_SIZE);
	if (ph->vaddr < PAGE_SIZE || ph->memsz > USER_TOP || ph->vaddr > USER_TOP - ph->memsz)
		return -ENOEXEC;
	vaddr_t end = ALIGN_UP(ph->vaddr + ph->memsz, PAGE_SIZE);
	mutex_lock(&mm->lock);
	int r = vma_find(mm, start) || vma_find(mm, end - 1) ? -ENOEXEC
		: vma_add(mm, start, end, prot_of(ph->flags), 0, NULL, 0);
	mutex_unlock(&mm->lock);
	if (r)
		return r;
	return vm_install_data(mm, ph->vaddr, file + ph->offset, ph->filesz);
}

int elf_load(struct mm *mm, const u8 *file, u64 size, vaddr_t *entry)
{
	const struct elf64_ehdr *h = (const struct elf64_ehdr *)file;
	if (!header_ok(h, size))
		return -ENOEXEC;
	const struct elf64_phdr *ph = (const struct elf64_phdr *)(file + h->phoff);
	bool loaded = false;
	for (u16 i = 0; i < h->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		int r = load_segment(mm, file, size, &ph[i]);
		if (r)
			return r;
		loaded = true;
	}
	if (!loaded || h->entry >= USER_TOP)
		return -ENOEXEC;
	*entry = h->entry;
	return 0;
}
