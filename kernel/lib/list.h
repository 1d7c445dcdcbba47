/* list.h - intrusive circular doubly linked lists (as in Linux and xv6's successors). */
#ifndef LIB_LIST_H
#define LIB_LIST_H
#include "kernel/types.h"

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD_DECL(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void list_insert_between(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Add n right after head (stack order). */
static inline void list_add(struct list_head *n, struct list_head *head) { list_insert_between(n, head, head->next); }
/* Add n right before head (queue order). */
static inline void list_add_tail(struct list_head *n, struct list_head *head) { list_insert_between(n, head->prev, head); }

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)
#endif
