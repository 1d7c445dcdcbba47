/*
 * test_swap_slots.c - the swap area's slot allocator (kernel/mm/swap_slots.c)
 * on the host.
 *
 * swap_slots.c is pure logic over a u16 count array, so each test gives it
 * a malloc'd array of exactly nr entries (AddressSanitizer catches any
 * access past it) and checks: set-up (slot 0 reserved, never handed out,
 * old contents cleared), allocation until full (then 0), next-fit order
 * and its wrap past the end (skipping slot 0), dup/put counts and the
 * return to free with nr_free kept right, dup/put of free, reserved or
 * out-of-range slots refused (-1) without changing anything, the
 * SWAP_COUNT_MAX limit, every slot of a large area handed out exactly
 * once, and a long randomised run (fixed seed) against a reference model
 * written from the contract in swap_slots.h.
 */
#include "tests/host/host_ktap.h"
#include "kernel/mm/swap_slots.h"
#include <stdlib.h>
#include <string.h>

struct area {
	struct swap_slots s;
	u16 *count;
};

/* An area of nr slots over a count array of exactly nr entries filled with garbage. */
static void area_init(struct area *a, u32 nr)
{
	a->count = malloc(nr * sizeof *a->count);
	HASSERT_NOT_NULL(a->count);
	memset(a->count, 0xa5, nr * sizeof *a->count);
	swap_slots_init(&a->s, a->count, nr);
}

static void area_free(struct area *a)
{
	free(a->count);
	a->count = NULL;
}

HTEST(init_reserves_slot_zero_and_clears_counts)
{
	struct area a;
	area_init(&a, 8);
	HEXPECT_EQ(a.s.nr, 8u);
	HEXPECT_EQ(a.s.nr_free, 7u);            /* every slot but 0 */
	HEXPECT_EQ(swap_slots_count(&a.s, 0), 0);      /* slot 0 reads as "no slot" */
	for (u32 i = 1; i < 8; i++)
		HEXPECT_EQ(swap_slots_count(&a.s, i), 0);      /* the garbage is gone */
	HEXPECT_EQ(swap_slots_count(&a.s, 8), -1);
	/* Slot 0 can be neither shared nor released. */
	HEXPECT_EQ(swap_slots_dup(&a.s, 0), -1);
	HEXPECT_EQ(swap_slots_put(&a.s, 0), -1);
	HEXPECT_EQ(a.s.nr_free, 7u);
	area_free(&a);
}

HTEST(alloc_until_full_then_zero)
{
	struct area a;
	area_init(&a, 8);
	for (u32 want = 1; want < 8; want++) {
		u32 slot = swap_slots_alloc(&a.s);
		HEXPECT_EQ(slot, want);                 /* a fresh area fills in order */
		HEXPECT_EQ(swap_slots_count(&a.s, slot), 1);
		HEXPECT_EQ(a.s.nr_free, 7 - want);
	}
	HEXPECT_EQ(swap_slots_alloc(&a.s), 0u);         /* full */
	HEXPECT_EQ(swap_slots_alloc(&a.s), 0u);         /* and stays so */
	HEXPECT_EQ(a.s.nr_free, 0u);
	for (u32 i = 1; i < 8; i++)
		HEXPECT_EQ(swap_slots_count(&a.s, i), 1);
	/* One freed slot is found again. */
	HEXPECT_EQ(swap_slots_put(&a.s, 5), 0);
	HEXPECT_EQ(a.s.nr_free, 1u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 5u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 0u);
	area_free(&a);
}

HTEST(tiny_areas)
{
	struct area a;
	area_init(&a, 1);                       /* slot 0 only: no room at all */
	HEXPECT_EQ(a.s.nr_free, 0u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 0u);
	HEXPECT_EQ(swap_slots_count(&a.s, 0), 0);
	HEXPECT_EQ(swap_slots_count(&a.s, 1), -1);
	HEXPECT_EQ(swap_slots_dup(&a.s, 1), -1);
	HEXPECT_EQ(swap_slots_put(&a.s, 1), -1);
	area_free(&a);

	area_init(&a, 2);                       /* one usable slot */
	HEXPECT_EQ(a.s.nr_free, 1u);
	for (int round = 0; round < 3; round++) {
		HEXPECT_EQ(swap_slots_alloc(&a.s), 1u);
		HEXPECT_EQ(swap_slots_alloc(&a.s), 0u);
		HEXPECT_EQ(swap_slots_put(&a.s, 1), 0);
		HEXPECT_EQ(a.s.nr_free, 1u);
	}
	area_free(&a);
}

HTEST(next_fit_order_and_wrap)
{
	struct area a;
	area_init(&a, 8);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 1u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 2u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 3u);
	HEXPECT_EQ(swap_slots_put(&a.s, 2), 0);
	/* Next fit: the search goes on after 3, it does not go back to the hole at 2. */
	HEXPECT_EQ(swap_slots_alloc(&a.s), 4u);
	HEXPECT_EQ(swap_slots_put(&a.s, 1), 0);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 5u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 6u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 7u);
	/* Past the end it wraps to slot 1 (never 0), then finds 2. */
	HEXPECT_EQ(swap_slots_alloc(&a.s), 1u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 2u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 0u);
	HEXPECT_EQ(swap_slots_count(&a.s, 0), 0);
	/* Free 7 and 3: the cursor is at 3 now, so 3 comes first, then 7. */
	HEXPECT_EQ(swap_slots_put(&a.s, 7), 0);
	HEXPECT_EQ(swap_slots_put(&a.s, 3), 0);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 3u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 7u);
	/* The last slot handed out was the last of the area: the search restarts at 1. */
	HEXPECT_EQ(swap_slots_put(&a.s, 6), 0);
	HEXPECT_EQ(swap_slots_put(&a.s, 1), 0);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 1u);
	HEXPECT_EQ(swap_slots_alloc(&a.s), 6u);
	area_free(&a);
}

HTEST(dup_and_put_count_users)
{
	struct area a;
	area_init(&a, 16);
	u32 s = swap_slots_alloc(&a.s);
	HASSERT_NE(s, 0u);
	u32 free_after_alloc = a.s.nr_free;
	HEXPECT_EQ(swap_slots_dup(&a.s, s), 0);
	HEXPECT_EQ(swap_slots_dup(&a.s, s), 0);
	HEXPECT_EQ(swap_slots_count(&a.s, s), 3);
	HEXPECT_EQ(a.s.nr_free, free_after_alloc);      /* users are not slots */
	HEXPECT_EQ(swap_slots_put(&a.s, s), 2);
	HEXPECT_EQ(swap_slots_put(&a.s, s), 1);
	HEXPECT_EQ(a.s.nr_free, free_after_alloc);
	HEXPECT_EQ(swap_slots_count(&a.s, s), 1);
	HEXPECT_EQ(swap_slots_put(&a.s, s), 0);         /* the last user: free again */
	HEXPECT_EQ(a.s.nr_free, free_after_alloc + 1);
	HEXPECT_EQ(swap_slots_count(&a.s, s), 0);
	/* A free slot can be neither put again nor shared; nothing changes. */
	HEXPECT_EQ(swap_slots_put(&a.s, s), -1);
	HEXPECT_EQ(swap_slots_dup(&a.s, s), -1);
	HEXPECT_EQ(swap_slots_count(&a.s, s), 0);
	HEXPECT_EQ(a.s.nr_free, free_after_alloc + 1);
	/* Another slot's count is independent. */
	u32 t = swap_slots_alloc(&a.s);
	HEXPECT_NE(t, s);
	HEXPECT_EQ(swap_slots_dup(&a.s, t), 0);
	HEXPECT_EQ(swap_slots_count(&a.s, t), 2);
	HEXPECT_EQ(swap_slots_count(&a.s, s), 0);
	area_free(&a);
}

HTEST(out_of_range_and_free_slots_are_refused)
{
	struct area a;
	area_init(&a, 8);
	u32 bad[] = { 8, 9, 100, 0x10000, 0x7fffffff, 0xffffffff };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		HEXPECT_EQ(swap_slots_count(&a.s, bad[i]), -1);
		HEXPECT_EQ(swap_slots_dup(&a.s, bad[i]), -1);
		HEXPECT_EQ(swap_slots_put(&a.s, bad[i]), -1);
	}
	for (u32 i = 1; i < 8; i++) {           /* never allocated */
		HEXPECT_EQ(swap_slots_dup(&a.s, i), -1);
		HEXPECT_EQ(swap_slots_put(&a.s, i), -1);
		HEXPECT_EQ(swap_slots_count(&a.s, i), 0);
	}
	HEXPECT_EQ(a.s.nr_free, 7u);            /* no put made a count wrap around */
	for (u32 want = 1; want < 8; want++)
		HEXPECT_EQ(swap_slots_alloc(&a.s), want);
	area_free(&a);
}

HTEST(count_stops_at_swap_count_max)
{
	struct area a;
	area_init(&a, 4);
	u32 s = swap_slots_alloc(&a.s);
	HASSERT_NE(s, 0u);
	for (u32 n = 1; n < SWAP_COUNT_MAX; n++)
		if (!HEXPECT_EQ(swap_slots_dup(&a.s, s), 0))
			break;
	HEXPECT_EQ(swap_slots_count(&a.s, s), (int)SWAP_COUNT_MAX);
	HEXPECT_EQ(swap_slots_dup(&a.s, s), -1);        /* one more would reach the reserved value */
	HEXPECT_EQ(swap_slots_dup(&a.s, s), -1);
	HEXPECT_EQ(swap_slots_count(&a.s, s), (int)SWAP_COUNT_MAX);
	HEXPECT_EQ(swap_slots_put(&a.s, s), (int)SWAP_COUNT_MAX - 1);
	HEXPECT_EQ(swap_slots_dup(&a.s, s), 0);         /* room for one again */
	HEXPECT_EQ(swap_slots_dup(&a.s, s), -1);
	HEXPECT_EQ(a.s.nr_free, 2u);
	for (int left = SWAP_COUNT_MAX - 1; left >= 0; left--)
		if (!HEXPECT_EQ(swap_slots_put(&a.s, s), left))
			break;
	HEXPECT_EQ(swap_slots_count(&a.s, s), 0);
	HEXPECT_EQ(a.s.nr_free, 3u);
	HEXPECT_EQ(swap_slots_put(&a.s, s), -1);
	area_free(&a);
}

HTEST(large_area_hands_out_every_slot_once)
{
	const u32 nr = 1u << 17;
	struct area a;
	area_init(&a, nr);
	u8 *seen = calloc(nr, 1);
	HASSERT_NOT_NULL(seen);
	/* Start the cursor in the middle so the fill wraps around. */
	for (u32 i = 1; i < nr / 2; i++)
		HASSERT_EQ(swap_slots_alloc(&a.s), i);
	for (u32 i = 1; i < nr / 2; i += 2)
		HASSERT_EQ(swap_slots_put(&a.s, i), 0);
	u32 got = 0;
	for (u32 slot; (slot = swap_slots_alloc(&a.s)) != 0; got++) {
		HASSERT_LT(slot, nr);
		HASSERT_FALSE(seen[slot]);
		seen[slot] = 1;
	}
	HEXPECT_EQ(got, nr / 2 + nr / 4);       /* the upper half, then the odd holes */
	HEXPECT_EQ(a.s.nr_free, 0u);
	HEXPECT_FALSE(seen[0]);
	for (u32 i = 1; i < nr; i++)
		if (!HEXPECT_EQ(swap_slots_count(&a.s, i), 1))
			break;
	free(seen);
	area_free(&a);
}

/* ------------------------------------------------------------------ model check */

/* The reference: counts, a free count, and next fit written as "after the last slot handed out". */
struct model {
	u32 nr, nr_free, last;
	u32 *count;
};

static u32 model_alloc(struct model *m)
{
	if (m->nr_free == 0)
		return 0;
	for (u32 s = m->last + 1; s < m->nr; s++)
		if (m->count[s] == 0)
			return m->count[s] = 1, m->nr_free--, m->last = s;
	for (u32 s = 1; s <= m->last && s < m->nr; s++)
		if (m->count[s] == 0)
			return m->count[s] = 1, m->nr_free--, m->last = s;
	return 0;
}

static int model_dup(struct model *m, u32 s)
{
	if (s == 0 || s >= m->nr || m->count[s] == 0 || m->count[s] >= SWAP_COUNT_MAX)
		return -1;
	m->count[s]++;
	return 0;
}

static int model_put(struct model *m, u32 s)
{
	if (s == 0 || s >= m->nr || m->count[s] == 0)
		return -1;
	if (--m->count[s] == 0)
		m->nr_free++;
	return (int)m->count[s];
}

static int model_count(const struct model *m, u32 s)
{
	return s >= m->nr ? -1 : (int)m->count[s];
}

static u64 rng_state;
static u32 rnd(void)    /* xorshift64*: the same sequence on every host */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (u32)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* ops random operations on an area of nr slots; false at the first difference. */
static bool model_run(u32 nr, u32 ops, u64 seed)
{
	struct area a;
	area_init(&a, nr);
	struct model m = { nr, nr - 1, 0, calloc(nr, sizeof(u32)) };
	HASSERT_NOT_NULL(m.count);
	rng_state = seed;
	bool ok = true;
	for (u32 op = 0; op < ops && ok; op++) {
		u32 r = rnd() % 100;
		/* Mostly slots in range, sometimes 0, the first bad one, or far out. */
		u32 pick = rnd() % 16;
		u32 slot = pick == 0 ? 0 : pick == 1 ? nr : pick == 2 ? nr + rnd() % 1000 : rnd() % nr;
		if (r < 35) {
			u32 x = swap_slots_alloc(&a.s), y = model_alloc(&m);
			ok = HEXPECT_EQ(x, y);
		} else if (r < 60) {
			ok = HEXPECT_EQ(swap_slots_dup(&a.s, slot), model_dup(&m, slot));
		} else if (r < 95) {
			ok = HEXPECT_EQ(swap_slots_put(&a.s, slot), model_put(&m, slot));
		} else {
			ok = HEXPECT_EQ(swap_slots_count(&a.s, slot), model_count(&m, slot));
		}
		ok = ok && HEXPECT_EQ(a.s.nr_free, m.nr_free);
		if (ok && op % 97 == 0)
			for (u32 i = 0; i < nr && ok; i++)
				ok = HEXPECT_EQ(swap_slots_count(&a.s, i), model_count(&m, i));
		if (!ok)
			htest_diag("area of %u slots, seed %#llx: first difference at operation %u (kind %u, slot %u)",
				   nr, (unsigned long long)seed, op, r, slot);
	}
	/* Release everything: the area is whole again and fills in next-fit order. */
	for (u32 i = 1; i < nr && ok; i++)
		while (ok && model_count(&m, i) > 0)
			ok = HEXPECT_EQ(swap_slots_put(&a.s, i), model_put(&m, i));
	if (ok) {
		HEXPECT_EQ(a.s.nr_free, nr - 1);
		for (u32 i = 0; i < nr - 1; i++)
			if (!HEXPECT_EQ(swap_slots_alloc(&a.s), model_alloc(&m)))
				break;
		HEXPECT_EQ(swap_slots_alloc(&a.s), 0u);
	}
	free(m.count);
	area_free(&a);
	return ok;
}

HTEST(random_operations_match_the_model)
{
	static const u32 sizes[] = { 2, 3, 5, 17, 64, 1000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (!model_run(sizes[i], 200000, 0x5eed0000ull + i))
			break;
}

/* Two slots with long lives: counts climb to SWAP_COUNT_MAX and bounce off it. */
HTEST(random_heavy_sharing_matches_the_model)
{
	struct area a;
	const u32 nr = 3;
	area_init(&a, nr);
	struct model m = { nr, nr - 1, 0, calloc(nr, sizeof(u32)) };
	HASSERT_NOT_NULL(m.count);
	rng_state = 0xc0ffee;
	u32 capped = 0;
	for (u32 op = 0; op < 1000000; op++) {
		u32 r = rnd() % 100, slot = 1 + rnd() % (nr - 1);
		bool ok;
		if (r < 10) {
			ok = HEXPECT_EQ(swap_slots_alloc(&a.s), model_alloc(&m));
		} else if (r < 65) {
			capped += m.count[slot] == SWAP_COUNT_MAX;
			ok = HEXPECT_EQ(swap_slots_dup(&a.s, slot), model_dup(&m, slot));
		} else {
			ok = HEXPECT_EQ(swap_slots_put(&a.s, slot), model_put(&m, slot));
		}
		if (!ok || !HEXPECT_EQ(a.s.nr_free, m.nr_free)) {
			htest_diag("first difference at operation %u", op);
			break;
		}
	}
	HEXPECT_GT(capped, 0u);         /* the run did reach the limit */
	free(m.count);
	area_free(&a);
}

HTEST_MAIN(swap_slots)
