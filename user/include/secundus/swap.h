/*
 * secundus/swap.h - the swap area: a snapshot of its state and, for tests,
 * fault injection (SYS_swapctl, kernel/uapi/uapi_swap.h). Secundus only:
 * guard uses with #ifdef __secundus__ in code that also builds on Linux.
 */
#ifndef _SECUNDUS_SWAP_H
#define _SECUNDUS_SWAP_H
#include <uapi_swap.h>

/* Fill *info with a snapshot: slots in the swap area (total, free), pages
 * in the swap cache and on the reclaim list, free and managed physical
 * pages, the reclaim watermarks and the fault injection in force. Fields
 * the running kernel does not know read 0. Returns 0, or -1 with errno. */
int secundus_swapinfo(struct secundus_swapinfo *info);

/* Fault injection, for tests: from now on every read_every-th swap read
 * and every write_every-th swap write fails with an I/O error (0 = off).
 * A failed write leaves the page in memory; a failed read kills the
 * process that needed the page with SIGBUS. Returns 0, or -1 with errno. */
int secundus_swap_fail(unsigned long read_every, unsigned long write_every);
#endif
