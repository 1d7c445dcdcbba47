/*
 * ksyms.h - the kernel's own symbol table, for symbolized backtraces.
 *
 * The build links the kernel twice: the first link's `nm` output becomes
 * a table of function addresses and names (tools/gensyms.sh) compiled into
 * the second link. Only text symbols are listed, and .text comes before
 * the table in the image, so their addresses are the same in both links.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H
#include "kernel/types.h"

/* Name of the function containing addr, and the offset into it; NULL if unknown. */
const char *ksym_lookup(u64 addr, u64 *offset);
/* Address of a function by name, 0 if none. */
u64 ksym_address(const char *name);
/* Print "  [<addr>] name+0xoff" for one address. */
void ksym_print_address(const char *prefix, u64 addr);
/* Walk the frame-pointer chain from rbp, printing each return address. */
void backtrace_print(u64 rbp);
/* Fill pcs[] with up to max return addresses from rbp; returns how many. */
int backtrace_collect(u64 rbp, u64 *pcs, int max);
#endif
