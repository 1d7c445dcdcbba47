/* trace.c - per-CPU event rings (see trace.h) and the `trace` shell command. */
#include "kernel/trace.h"
#include "kernel/arch.h"
#include "kernel/shell.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"

bool trace_enabled = true;
static u64 trace_seq;

struct trace_ring {
	u64 head;       /* entries written (next index = head % TRACE_RING) */
	struct trace_entry e[TRACE_RING];
};
static struct trace_ring rings[MAX_CPUS];

static const char *const names[TRACE_NTYPES] = {
	"none", "range_start", "range_end", "shootdown", "secondary_flush",
	"page_free", "secondary_fault", "secondary_fill", "ipi", "swap_out", "swap_in",
};

const char *trace_type_name(enum trace_type t)
{
	return t < TRACE_NTYPES ? names[t] : "?";
}

/* Interrupts are disabled while writing so an interrupt handler's event cannot tear ours. */
void trace_record(enum trace_type type, u64 a, u64 b)
{
	u64 flags = irq_save();
	struct cpu *c = this_cpu();
	struct trace_ring *r = &rings[c->id];
	struct trace_entry *e = &r->e[r->head % TRACE_RING];
	e->seq = __atomic_add_fetch(&trace_seq, 1, __ATOMIC_SEQ_CST);
	e->time = rdtsc();
	e->type = (u16)type;
	e->cpu = (u16)c->id;
	e->a = a;
	e->b = b;
	r->head++;
	irq_restore(flags);
}

u64 trace_now(void)
{
	return __atomic_load_n(&trace_seq, __ATOMIC_SEQ_CST);
}

/* The entry with the smallest seq > since across all rings, or NULL. */
static const struct trace_entry *next_after(u64 since)
{
	const struct trace_entry *best = NULL;
	for (int c = 0; c < MAX_CPUS; c++) {
		struct trace_ring *r = &rings[c];
		u64 n = MIN(r->head, (u64)TRACE_RING);
		for (u64 i = 0; i < n; i++) {
			const struct trace_entry *e = &r->e[(r->head - 1 - i) % TRACE_RING];
			if (e->seq > since && (!best || e->seq < best->seq))
				best = e;
		}
	}
	return best;
}

int trace_collect(u64 since, struct trace_entry *out, int max)
{
	int n = 0;
	const struct trace_entry *e;
	while (n < max && (e = next_after(since))) {
		out[n++] = *e;
		since = e->seq;
	}
	return n;
}

SHELL_COMMAND(trace, "dump the event trace: trace [N] (last N events, default 40)")
{
	u64 want = argc > 1 ? strtou64(argv[1], NULL) : 40;
	u64 now = trace_now();
	u64 since = now > want ? now - want : 0;
	const struct trace_entry *e;
	while ((e = next_after(since))) {
		console_printf("%8lu cpu%u %-16s 0x%016lx 0x%lx\n", e->seq, e->cpu,
			       trace_type_name((enum trace_type)e->type), e->a, e->b);
		since = e->seq;
	}
	return 0;
}
