/*
 * uaccess.h - copying between the kernel and user memory.
 *
 * The kernel never trusts a user pointer. These check that the whole
 * range lies in user space (else -EFAULT without touching it), then copy
 * with the CPU's MMU: a page not yet faulted in is faulted in as if the
 * process had touched it (handle_mm_fault), and an access the process
 * could not make itself (unmapped, PROT_NONE, read-only for a write) ends
 * the copy with -EFAULT. Never call them with mm->lock held.
 */
#ifndef MM_UACCESS_H
#define MM_UACCESS_H
#include "kernel/types.h"

bool user_range_ok(u64 uaddr, u64 len);
int copy_from_user(void *dst, u64 usrc, size_t len);
int copy_to_user(u64 udst, const void *src, size_t len);
#endif
