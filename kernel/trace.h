/*
 * trace.h - a per-CPU ring buffer of timestamped events.
 *
 * trace_event(type, a, b) records (time, cpu, type, a, b) in this CPU's
 * ring (TRACE_RING entries; the oldest are overwritten). The shell's
 * `trace` command dumps all rings merged by time; tests use
 * trace_collect() to check the order of events of one operation, e.g.
 * range start < CPU shootdown < secondary flush < page free < range end.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H
#include "kernel/types.h"

enum trace_type {
	TRACE_NONE,
	TRACE_RANGE_START,      /* a = start, b = end */
	TRACE_RANGE_END,        /* a = start, b = end */
	TRACE_SHOOTDOWN,        /* a = start, b = end: CPU TLB flush round */
	TRACE_SECONDARY_FLUSH,  /* a = start, b = end */
	TRACE_PAGE_FREE,        /* a = physical address */
	TRACE_SECONDARY_FAULT,  /* a = virtual address */
	TRACE_SECONDARY_FILL,   /* a = virtual address, b = physical address */
	TRACE_IPI,              /* a = target CPU */
	TRACE_SWAP_OUT,         /* a = virtual address, b = physical address: PTE -> swap entry */
	TRACE_SWAP_IN,          /* a = virtual address, b = physical address: swap entry -> PTE */
	TRACE_NTYPES
};

struct trace_entry {
	u64 time;       /* TSC */
	u64 seq;        /* global order */
	u64 a, b;
	u16 type;
	u16 cpu;
};

#define TRACE_RING 4096

#ifdef SECUNDUS_HOST
void trace_event(enum trace_type type, u64 a, u64 b);
#else
extern bool trace_enabled;
void trace_record(enum trace_type type, u64 a, u64 b);
static inline void trace_event(enum trace_type type, u64 a, u64 b)
{
	if (trace_enabled)
		trace_record(type, a, b);
}
#endif
/* Copy up to max entries with seq > since, in order; returns how many. */
int trace_collect(u64 since, struct trace_entry *out, int max);
/* The sequence number of the latest event (start a test window from it). */
u64 trace_now(void);
const char *trace_type_name(enum trace_type t);
#endif
