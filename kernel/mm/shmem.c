/*
 * shmem.c - the pages behind MAP_SHARED|MAP_ANONYMOUS mappings.
 *
 * A shared mapping must show the same page to every process that maps
 * it, even for pages first touched after fork. So the pages belong to a
 * shmem object, by index; each VMA that uses it holds a reference, and
 * each PTE mapping one of its pages holds a page reference. The object
 * keeps one reference on each of its pages until the object dies.
 */
#include "kernel/mm/vm.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/reclaim.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"

struct shmem *shmem_create(u64 npages)
{
	struct shmem *s = kzalloc(sizeof *s);
	if (!s)
		return NULL;
	s->pages = kzalloc(npages * sizeof(struct page *));
	if (!s->pages) {
		kfree(s);
		return NULL;
	}
	spin_init(&s->lock, "shmem");
	s->npages = npages;
	s->refs = 0;
	return s;
}

void shmem_get(struct shmem *s)
{
	__atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
}

void shmem_put(struct shmem *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (u64 i = 0; i < s->npages; i++)
		if (s->pages[i])
			put_page(s->pages[i]);
	kfree(s->pages);
	kfree(s);
}

struct page *shmem_page(struct shmem *s, u64 i)
{
	if (i >= s->npages)
		return NULL;
	spin_lock(&s->lock);
	if (!s->pages[i] && (s->pages[i] = alloc_user_page()))
		memset(page_address(s->pages[i]), 0, PAGE_SIZE);
	struct page *p = s->pages[i];
	spin_unlock(&s->lock);
	return p;
}
