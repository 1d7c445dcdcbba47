/*
 * swap_slots.h - the swap area's slot allocator (pure logic, host-tested).
 *
 * The swap area is an array of page-sized slots on the disk. Each slot has
 * a use count: the swap entries (non-present PTEs) that name it, plus one
 * while reclaim is writing a page into it. A slot with count 0 is free.
 * Slot 0 is never handed out, so 0 can mean "no slot".
 *
 * Allocation is next-fit: a cursor moves forward through the area, so
 * pages reclaimed one after another land in neighbouring slots. Every
 * operation is O(1) except alloc, which is O(slots) in the worst case.
 *
 * Locking: none here; the caller serialises (the kernel holds anon_lock).
 */
#ifndef MM_SWAP_SLOTS_H
#define MM_SWAP_SLOTS_H
#include "kernel/types.h"

#define SWAP_COUNT_MAX 0xfffeu  /* a count may not grow past this (dup fails) */

struct swap_slots {
	u32 nr;                 /* slots, slot 0 included */
	u32 nr_free;
	u32 cursor;             /* where the next search starts */
	u16 *count;             /* nr entries, provided by the caller */
};

/* Set up nr slots over count[nr] (nr >= 1); all free except slot 0. */
void swap_slots_init(struct swap_slots *s, u16 *count, u32 nr);
/* A free slot, now with count 1; 0 when the area is full. */
u32 swap_slots_alloc(struct swap_slots *s);
/* One more user of an allocated slot. -1 when slot is free, out of range or at SWAP_COUNT_MAX. */
int swap_slots_dup(struct swap_slots *s, u32 slot);
/* One user fewer; returns the count left (0: the slot is free again). -1 on a free or bad slot. */
int swap_slots_put(struct swap_slots *s, u32 slot);
/* The count of a slot (0: free; -1: out of range). */
int swap_slots_count(const struct swap_slots *s, u32 slot);
#endif
