/*
 * vmstat.h - event counters (struct secundus_vmstat in kernel/uapi).
 * VMSTAT_INC(field) is one atomic add; the shell's `vmstat` prints them
 * and SYS_vmstat copies them to user programs (tests read them).
 */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H
#include "kernel/uapi/uapi_vmstat.h"

extern struct secundus_vmstat vmstat;
#define VMSTAT_ADD(field, n) __atomic_fetch_add(&vmstat.field, (unsigned long)(n), __ATOMIC_RELAXED)
#define VMSTAT_INC(field) VMSTAT_ADD(field, 1)
/* A consistent-enough copy with the snapshot fields (free pages...) filled in. */
void vmstat_snapshot(struct secundus_vmstat *out);
#endif
