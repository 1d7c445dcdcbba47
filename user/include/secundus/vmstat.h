/*
 * secundus/vmstat.h - the kernel's memory-management counters
 * (struct secundus_vmstat, kernel/uapi/uapi_vmstat.h). Secundus only:
 * guard uses with #ifdef __secundus__ in code that also builds on Linux.
 */
#ifndef _SECUNDUS_VMSTAT_H
#define _SECUNDUS_VMSTAT_H
#include <uapi_vmstat.h>

/* Fill *st with a snapshot of the counters (fields the running kernel does
 * not know are zero; st must point to writable memory). Returns 0, or -1
 * with errno. */
int secundus_vmstat(struct secundus_vmstat *st);
#endif
