/*
 * mirror.h - the mirror device's kernel interface (mirror.c has the
 * rules). User programs use user/include/secundus/mirror.h.
 */
#ifndef DRIVERS_MIRROR_H
#define DRIVERS_MIRROR_H
#include "kernel/types.h"

struct proc;
struct mirror;

struct mirror_stat_k {
	u64 faults;             /* device misses resolved (entries installed) */
	u64 invalidations;      /* invalidation callbacks that removed entries */
	u64 entries;            /* entries present now */
	u64 range_starts, range_ends, secondary_flushes;
	u64 fill_retries;       /* fills thrown away because an invalidation raced */
	u64 refusals;           /* non-blocking starts refused (test control) */
};

#define MIRROR_CTL_REFUSE_NONBLOCK 1
#define MIRROR_CTL_STAT_REFUSALS 2

/* Register the system calls and the invariant-checker hook. */
void mirror_init(void);
/* Bind a new context to p (kernel tests use this directly). NULL and *err on failure. */
struct mirror *mirror_open_for(struct proc *p, int *err);
int mirror_handle(struct mirror *m);
void mirror_get_stat(struct mirror *m, struct mirror_stat_k *st);
#endif
