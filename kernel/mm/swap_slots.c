/* swap_slots.c - the slot allocator of the swap area (read swap_slots.h). */
#include "kernel/mm/swap_slots.h"

void swap_slots_init(struct swap_slots *s, u16 *count, u32 nr)
{
	s->nr = nr;
	s->count = count;
	for (u32 i = 0; i < nr; i++)
		count[i] = 0;
	count[0] = SWAP_COUNT_MAX;      /* reserved: never free, never handed out */
	s->nr_free = nr - 1;
	s->cursor = 1;
}

u32 swap_slots_alloc(struct swap_slots *s)
{
	if (s->nr_free == 0)
		return 0;
	for (u32 n = 0; n < s->nr; n++) {
		u32 slot = s->cursor;
		s->cursor = slot + 1 < s->nr ? slot + 1 : 1;
		if (slot != 0 && s->count[slot] == 0) {
			s->count[slot] = 1;
			s->nr_free--;
			return slot;
		}
	}
	return 0;       /* unreachable while nr_free is right */
}

static bool in_use(const struct swap_slots *s, u32 slot)
{
	return slot != 0 && slot < s->nr && s->count[slot] != 0;
}

int swap_slots_dup(struct swap_slots *s, u32 slot)
{
	if (!in_use(s, slot) || s->count[slot] >= SWAP_COUNT_MAX)
		return -1;
	s->count[slot]++;
	return 0;
}

int swap_slots_put(struct swap_slots *s, u32 slot)
{
	if (!in_use(s, slot))
		return -1;
	if (--s->count[slot] == 0)
		s->nr_free++;
	return s->count[slot];
}

int swap_slots_count(const struct swap_slots *s, u32 slot)
{
	if (slot >= s->nr)
		return -1;
	return slot == 0 ? 0 : s->count[slot];
}
