/*
 * secundus/mirror.h - the mirror device: a software secondary MMU that
 * reads and writes this process's memory through its own page table,
 * kept coherent by the kernel's MMU notifiers (drivers/mirror/mirror.c).
 *
 * Each call returns 0 (or the handle) on success, else -1 with errno:
 * EFAULT when va..va+len is not mapped or not readable (PROT_NONE, kernel
 * addresses), EPERM when writing a read-only mapping, EBADF for a bad
 * handle, EINVAL for an overflowing length, EIO when a page could not be
 * read back from swap (the device's fault; the process is not killed),
 * ENOMEM when no memory could be found for a page.
 */
#ifndef _SECUNDUS_MIRROR_H
#define _SECUNDUS_MIRROR_H
#include <stddef.h>

int mirror_open(void);                 /* bind a new device context to the calling process; handle >= 0 */
int mirror_read(int h, const void *va, void *buf, size_t len);   /* device reads process memory at va */
int mirror_write(int h, void *va, const void *buf, size_t len);  /* device writes process memory at va */
int mirror_close(int h);
struct mirror_stat { unsigned long faults, invalidations, entries; };
int mirror_stat(int h, struct mirror_stat *st);

/* Secundus test controls (not part of the device's user interface proper). */
#define MIRROR_CTL_REFUSE_NONBLOCK 1    /* arg 1: refuse non-blocking invalidations */
#define MIRROR_CTL_STAT_REFUSALS 2      /* returns how many were refused */
long mirror_ctl(int h, int op, long arg);
/* Move the page at addr to a new frame (a MIGRATE event); 0 or -1 with errno. */
int secundus_move_page(void *addr);
#endif
