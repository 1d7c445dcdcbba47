/*
 * initrd.h - the initial RAM disk: a ustar archive of user programs
 * loaded by GRUB (module2) or QEMU (-initrd). Members are named
 * bin/NAME, test/NAME, bench/NAME and extra/NAME (see user/user.mk).
 * Read-only; the data stays where the loader put it (reserved by pmm).
 */
#ifndef PROC_INITRD_H
#define PROC_INITRD_H
#include "kernel/types.h"

void initrd_init(void);
bool initrd_present(void);
/* Find a member: its data and size. */
bool initrd_find(const char *name, const u8 **data, u64 *size);
/* The i-th member whose name starts with prefix, in archive order; NULL past the end. */
const char *initrd_nth(const char *prefix, int i);
#endif
