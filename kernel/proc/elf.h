/* elf.h - the ELF64 loader (elf.c). */
#ifndef PROC_ELF_H
#define PROC_ELF_H
#include "kernel/types.h"
struct mm;
/* Map the PT_LOAD segments of file into mm; the entry point to *entry. 0 or -ENOEXEC/-ENOMEM. */
int elf_load(struct mm *mm, const u8 *file, u64 size, vaddr_t *entry);
#endif
