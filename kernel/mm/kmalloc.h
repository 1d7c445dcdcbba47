/*
 * kmalloc.h - small-object allocation for the kernel.
 *
 * Sizes up to KMALLOC_MAX_SMALL come from slab pages: a page dedicated to
 * one power-of-two size class, carved into objects chained on a free list.
 * Larger sizes get whole pages (2^order). A slab page whose objects are all
 * free goes back to the page allocator. kmalloc returns NULL when memory
 * is exhausted and for size 0; kfree(NULL) does nothing. Both may be called
 * with interrupts on or off; they take a spinlock with interrupts off.
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H
#include "kernel/types.h"

#define KMALLOC_MIN 16
#define KMALLOC_MAX_SMALL 2048

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Bytes usable at p (its size class or its pages). */
size_t ksize(const void *p);
/* Objects currently allocated (for leak checks in tests). */
u64 kmalloc_live_objects(void);
/* Pages holding small objects now (tests subtract them from page counts). */
u64 kmalloc_slab_pages(void);
#endif
