/* rmap.c - reverse maps and anon_lock (read rmap.h). */
#include "kernel/mm/rmap.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/uapi/uapi_errno.h"
#include "kernel/panic.h"

struct spinlock anon_lock = SPINLOCK_INIT("anon");

struct rmap_item *rmap_item_alloc(void)
{
	return kmalloc(sizeof(struct rmap_item));
}

void rmap_item_free(struct rmap_item *it)
{
	kfree(it);
}

void page_add_anon_rmap(struct page *p, struct mm *mm, vaddr_t va, struct rmap_item *it)
{
	it->mm = mm;
	it->va = va;
	spin_lock(&anon_lock);
	if (!(p->flags & PG_anon)) {
		KASSERT(p->mapcount == 0);
		p->flags |= PG_anon;
		p->rmap = NULL;
	}
	it->next = p->rmap;
	p->rmap = it;
	p->mapcount++;
	if (!(p->flags & (PG_lru | PG_isolated)))
		lru_add_locked(p);
	spin_unlock(&anon_lock);
}

int page_add_anon(struct page *p, struct mm *mm, vaddr_t va)
{
	struct rmap_item *it = rmap_item_alloc();
	if (!it)
		return -ENOMEM;
	page_add_anon_rmap(p, mm, va, it);
	return 0;
}

struct rmap_item *page_remove_anon_rmap(struct page *p, struct mm *mm, vaddr_t va)
{
	spin_lock(&anon_lock);
	struct rmap_item **link = &p->rmap, *it = NULL;
	for (; *link; link = &(*link)->next) {
		if ((*link)->mm == mm && (*link)->va == va) {
			it = *link;
			*link = it->next;
			break;
		}
	}
	if (!it)
		panic("rmap: page %#lx has no mapping at %#lx in mm %p", page_to_phys(p), va, (void *)mm);
	p->mapcount--;
	if (p->mapcount == 0 && !(p->flags & PG_swapcache) && (p->flags & PG_lru))
		lru_del_locked(p);
	spin_unlock(&anon_lock);
	return it;
}

void page_add_shared_map(struct page *p)
{
	spin_lock(&anon_lock);
	p->mapcount++;
	spin_unlock(&anon_lock);
}

void page_remove_shared_map(struct page *p)
{
	spin_lock(&anon_lock);
	p->mapcount--;
	spin_unlock(&anon_lock);
}

void page_remove_map(struct page *p, struct mm *mm, vaddr_t va)
{
	if (p->flags & PG_anon)
		rmap_item_free(page_remove_anon_rmap(p, mm, va));
	else
		page_remove_shared_map(p);
}

int rmap_count_locked(const struct page *p)
{
	int n = 0;
	for (const struct rmap_item *it = p->rmap; it; it = it->next)
		n++;
	return n;
}
