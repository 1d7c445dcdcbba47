/*
 * sys/mman.h - mapping anonymous memory.
 *
 * Constants (PROT_*, MAP_*, MADV_*) have Linux's values (uapi_mman.h).
 * Only anonymous mappings exist: flags must contain MAP_ANONYMOUS and
 * exactly one of MAP_PRIVATE / MAP_SHARED; fd should be -1 and off 0.
 * Addresses must be page-aligned; lengths are rounded up to whole pages.
 */
#ifndef _SYS_MMAN_H
#define _SYS_MMAN_H
#include <sys/types.h>
#include <uapi_mman.h>

/* Map len bytes of zero-filled memory with protection prot. addr is a hint
 * unless MAP_FIXED, which maps exactly there, replacing what was mapped.
 * Pages are allocated on first touch. Returns the address, or MAP_FAILED
 * with errno EINVAL (len 0, unaligned MAP_FIXED address, bad flags) or
 * ENOMEM (no room, length too large). */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
/* Remove the mappings in [addr, addr+len); unmapped parts are ignored.
 * Returns 0, or -1 with EINVAL (unaligned addr, len 0, range overflows). */
int munmap(void *addr, size_t len);
/* Change the protection of [addr, addr+len). Returns 0, or -1 with EINVAL
 * (unaligned addr, bad prot) or ENOMEM (part of the range is unmapped). */
int mprotect(void *addr, size_t len, int prot);
/* Advise the kernel about [addr, addr+len). MADV_DONTNEED drops the pages of
 * private anonymous memory: the next access reads zeros. Returns 0 or -1. */
int madvise(void *addr, size_t len, int advice);
#endif
