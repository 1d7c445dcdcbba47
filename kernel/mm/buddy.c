/* buddy.c - binary buddy allocator (see buddy.h for the idea). */
#include "kernel/mm/buddy.h"

void buddy_init(struct buddy *b, struct page *pages, u64 base_pfn, u64 npages)
{
	b->pages = pages;
	b->base_pfn = base_pfn;
	b->npages = npages;
	b->free_pages = 0;
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		list_init(&b->free[k]);
		b->nfree[k] = 0;
	}
	for (u64 i = 0; i < npages; i++) {
		pages[i] = (struct page){ .flags = PG_reserved };
		list_init(&pages[i].list);
	}
}

static struct page *pfn_page(struct buddy *b, u64 pfn)
{
	if (pfn < b->base_pfn || pfn - b->base_pfn >= b->npages)
		return NULL;
	return &b->pages[pfn - b->base_pfn];
}

static void push_free(struct buddy *b, struct page *p, unsigned order)
{
	p->flags = PG_buddy;
	p->order = (u8)order;
	p->refcount = 0;
	list_add(&p->list, &b->free[order]);
	b->nfree[order]++;
}

static void pop_free(struct buddy *b, struct page *p)
{
	list_del(&p->list);
	b->nfree[p->order]--;
	p->flags = 0;
}

/* Insert a free block, merging with free buddies of the same order. */
static void free_block(struct buddy *b, u64 pfn, unsigned order)
{
	b->free_pages += 1ull << order;
	while (order + 1 < BUDDY_MAX_ORDER) {
		struct page *buddy = pfn_page(b, pfn ^ (1ull << order));
		if (!buddy || !(buddy->flags & PG_buddy) || buddy->order != order)
			break;
		pop_free(b, buddy);
		pfn &= ~(1ull << order);
		order++;
	}
	push_free(b, pfn_page(b, pfn), order);
}

void buddy_add_range(struct buddy *b, u64 pfn, u64 n)
{
	u64 end = pfn + n;
	while (pfn < end) {
		unsigned order = 0;
		/* the largest aligned block that starts at pfn and fits */
		while (order + 1 < BUDDY_MAX_ORDER && (pfn & ((2ull << order) - 1)) == 0 &&
		       pfn + (2ull << order) <= end)
			order++;
		for (u64 i = 0; i < (1ull << order); i++)
			pfn_page(b, pfn + i)->flags = 0;
		free_block(b, pfn, order);
		pfn += 1ull << order;
	}
}

struct page *buddy_alloc(struct buddy *b, unsigned order)
{
	if (order >= BUDDY_MAX_ORDER)
		return NULL;
	unsigned k = order;
	while (k < BUDDY_MAX_ORDER && list_empty(&b->free[k]))
		k++;
	if (k == BUDDY_MAX_ORDER)
		return NULL;
	struct page *p = list_first_entry(&b->free[k], struct page, list);
	pop_free(b, p);
	u64 pfn = buddy_pfn(b, p);
	while (k > order) {     /* split: keep the lower half, free the upper */
		k--;
		push_free(b, pfn_page(b, pfn + (1ull << k)), k);
	}
	b->free_pages -= 1ull << order;
	p->flags = PG_allocated;
	p->order = (u8)order;
	p->refcount = 1;
	p->mapcount = 0;
	return p;
}

void buddy_free(struct buddy *b, struct page *p, unsigned order)
{
	p->flags = 0;
	p->refcount = 0;
	free_block(b, buddy_pfn(b, p), order);
}

int buddy_check(const struct buddy *b)
{
	u64 total = 0;
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		u64 n = 0;
		struct list_head *pos;
		list_for_each(pos, &b->free[k]) {
			const struct page *p = list_entry(pos, struct page, list);
			u64 pfn = b->base_pfn + (u64)(p - b->pages);
			if (!(p->flags & PG_buddy) || p->order != k)
				return 1;       /* list and flags disagree */
			if (pfn & ((1ull << k) - 1))
				return 2;       /* misaligned block */
			n++;
		}
		if (n != b->nfree[k])
			return 3;
		total += n << k;
	}
	return total == b->free_pages ? 0 : 4;
}
