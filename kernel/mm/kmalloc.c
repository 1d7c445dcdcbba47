/* kmalloc.c - size-class slabs over the page allocator (see kmalloc.h). */
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"

#define NCLASSES 8      /* 16, 32, ..., 2048 */

struct free_object {
	struct free_object *next;
};

static struct {
	struct spinlock lock;
	struct list_head partial[NCLASSES];     /* slab pages with at least one free object */
	u64 live;
	u64 slab_pages;          /* pages in slabs now */
	bool ready;
} kmem = { .lock = SPINLOCK_INIT("kmalloc") };

static size_t class_size(unsigned c) { return (size_t)KMALLOC_MIN << c; }

static unsigned size_class(size_t size)
{
	unsigned c = 0;
	while (class_size(c) < size)
		c++;
	return c;
}

static unsigned order_for(size_t size)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static void kmem_init_once(void)
{
	if (kmem.ready)
		return;
	for (unsigned c = 0; c < NCLASSES; c++)
		list_init(&kmem.partial[c]);
	kmem.ready = true;
}

/* Make a new slab page for class c and put it on the partial list. Lock held. */
static struct page *slab_grow(unsigned c)
{
	struct page *p = alloc_page();
	if (!p)
		return NULL;
	p->flags |= PG_slab;
	p->slab_class = (u8)c;
	p->slab_inuse = 0;
	p->slab_free = NULL;
	char *base = page_address(p);
	size_t sz = class_size(c);
	for (size_t off = PAGE_SIZE; off >= sz; off -= sz) {   /* build the list low to high */
		struct free_object *o = (struct free_object *)(base + off - sz);
		o->next = p->slab_free;
		p->slab_free = o;
	}
	list_add(&p->list, &kmem.partial[c]);
	kmem.slab_pages++;
	return p;
}

static void *kmalloc_small(size_t size)
{
	unsigned c = size_class(size);
	u64 flags = spin_lock_irqsave(&kmem.lock);
	kmem_init_once();
	struct page *p = list_empty(&kmem.partial[c]) ? slab_grow(c)
			 : list_first_entry(&kmem.partial[c], struct page, list);
	void *obj = NULL;
	if (p) {
		struct free_object *o = p->slab_free;
		p->slab_free = o->next;
		p->slab_inuse++;
		if (!p->slab_free)
			list_del(&p->list);     /* full: off the partial list */
		kmem.live++;
		obj = o;
	}
	spin_unlock_irqrestore(&kmem.lock, flags);
	return obj;
}

void *kmalloc(size_t size)
{
	if (size == 0)
		return NULL;
	if (size <= KMALLOC_MAX_SMALL)
		return kmalloc_small(size);
	if (size > (PAGE_SIZE << 10))
		return NULL;
	struct page *p = alloc_pages(order_for(size));
	if (!p)
		return NULL;
	p->flags |= PG_large;
	u64 flags = spin_lock_irqsave(&kmem.lock);
	kmem.live++;
	spin_unlock_irqrestore(&kmem.lock, flags);
	return page_address(p);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

static void kfree_small(struct page *p, void *ptr)
{
	unsigned c = p->slab_class;
	u64 flags = spin_lock_irqsave(&kmem.lock);
	if ((u64)((char *)ptr - (char *)page_address(p)) % class_size(c))
		panic("kfree(%p): not the start of a %zu-byte object", ptr, class_size(c));
	struct free_object *o = ptr;
	bool was_full = p->slab_free == NULL;
	o->next = p->slab_free;
	p->slab_free = o;
	p->slab_inuse--;
	kmem.live--;
	if (p->slab_inuse == 0) {               /* empty: give the page back */
		if (!was_full)
			list_del(&p->list);
		p->flags &= ~PG_slab;
		kmem.slab_pages--;
		spin_unlock_irqrestore(&kmem.lock, flags);
		free_page(p);
		return;
	}
	if (was_full)
		list_add(&p->list, &kmem.partial[c]);
	spin_unlock_irqrestore(&kmem.lock, flags);
}

void kfree(void *ptr)
{
	if (!ptr)
		return;
	struct page *p = virt_to_page(ptr);
	if (p && (p->flags & PG_slab)) {
		kfree_small(p, ptr);
	} else if (p && (p->flags & PG_large) && ptr == page_address(p)) {
		u64 flags = spin_lock_irqsave(&kmem.lock);
		kmem.live--;
		spin_unlock_irqrestore(&kmem.lock, flags);
		p->flags &= ~PG_large;
		free_pages(p, p->order);
	} else {
		panic("kfree(%p): not a kmalloc pointer", ptr);
	}
}

size_t ksize(const void *ptr)
{
	struct page *p = virt_to_page(ptr);
	if (p && (p->flags & PG_slab))
		return class_size(p->slab_class);
	if (p && (p->flags & PG_large))
		return PAGE_SIZE << p->order;
	return 0;
}

u64 kmalloc_live_objects(void)
{
	return READ_ONCE(kmem.live);
}

u64 kmalloc_slab_pages(void)
{
	return READ_ONCE(kmem.slab_pages);
}
