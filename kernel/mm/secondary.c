/* secondary.c - the secondary-MMU invariant checker (see secondary.h). */
#include "kernel/mm/secondary.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"
#include "kernel/arch.h"

bool secondary_checking;
static struct spinlock registry_lock = SPINLOCK_INIT("secondary");
static LIST_HEAD_DECL(registry);
static u64 violations;

void secondary_mmu_register(struct secondary_mmu *s)
{
	u64 f = spin_lock_irqsave(&registry_lock);
	list_add_tail(&s->link, &registry);
	spin_unlock_irqrestore(&registry_lock, f);
}

void secondary_mmu_unregister(struct secondary_mmu *s)
{
	u64 f = spin_lock_irqsave(&registry_lock);
	list_del(&s->link);
	spin_unlock_irqrestore(&registry_lock, f);
}

u64 secondary_violations(void)
{
	return READ_ONCE(violations);
}

void secondary_check_page_free(paddr_t pa)
{
	if (!secondary_checking)
		return;
	memset(PHYS_TO_VIRT(pa), 0x6b, PAGE_SIZE);     /* poison: a stale reader sees 0x6b */
	if (list_empty(&registry))
		return;
	u64 f = spin_lock_irqsave(&registry_lock);
	struct list_head *pos;
	list_for_each(pos, &registry) {
		struct secondary_mmu *s = list_entry(pos, struct secondary_mmu, link);
		vaddr_t va = 0;
		struct mm *mm = NULL;
		if (s->maps(s, pa, &va, &mm)) {
			violations++;
			pr_err("INVARIANT VIOLATION: page %#lx freed while %s still maps it at %#lx (mm %p)\n",
			       pa, s->name, va, (void *)mm);
		}
	}
	spin_unlock_irqrestore(&registry_lock, f);
}
