/*
 * mmu_notifier.c - the notifier chain.
 *
 * At this stage only the hooks exist: nothing registers yet, so every
 * list is empty and each hook is one test (mm_has_notifiers). The
 * registration API, the non-blocking path, unregister synchronisation
 * and the ordering essay come with the notifier issue.
 */
#include "kernel/mm/mmu_notifier.h"
#include "kernel/mm/vm.h"
#include "kernel/trace.h"

bool mm_has_notifiers(struct mm *mm)
{
	return !list_empty(&mm->notifiers);
}

int __mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r)
{
	trace_event(TRACE_RANGE_START, r->start, r->end);
	return 0;
}

void __mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r)
{
	trace_event(TRACE_RANGE_END, r->start, r->end);
}

void __mmu_notifier_invalidate_secondary_tlbs(struct mm *mm, vaddr_t start, vaddr_t end)
{
	UNUSED(mm);
	trace_event(TRACE_SECONDARY_FLUSH, start, end);
}

void __mmu_notifier_release(struct mm *mm)
{
	UNUSED(mm);
}
