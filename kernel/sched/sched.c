/*
 * sched.c - threads, the run queue and the context switch.
 *
 * Locking: sched_lock protects every thread's state, on_cpu and run_link,
 * and the run queue. It is held across swtch(): the thread switched to
 * releases it in sched_finish_switch(). A thread is never picked while
 * on_cpu is set for another CPU, so its stack is not used twice.
 *
 * Address spaces: switching to a user thread loads its mm's page table
 * (arch_switch_mm); a kernel thread keeps whatever was loaded (lazy TLB:
 * it only touches kernel addresses). this_cpu()->active_mm holds a
 * reference so that mm is not freed while loaded (vm.c: mm_grab/mm_drop).
 */
#include "kernel/sched/sched.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/tlb.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/lib/format.h"
#include "kernel/lib/printk.h"
#include "kernel/panic.h"

void swtch(u64 *save_rsp, u64 load_rsp);
void thread_start_trampoline(void);

static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static LIST_HEAD_DECL(run_queue);
static LIST_HEAD_DECL(all_threads);
static int next_tid = 1;
static u64 switch_count;
static struct thread idle_threads[MAX_CPUS];
static u8 fpu_initial[512] __attribute__((aligned(16)));
u64 cpus_online_mask = 1;

static void fpu_save(u8 *area) { __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory"); }
static void fpu_restore(const u8 *area) { __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory"); }

__attribute__((weak)) void sched_kick_cpus(u64 mask)
{
	UNUSED(mask);
}

u64 sched_switch_count(void) { return READ_ONCE(switch_count); }

static void init_idle(struct cpu *c)
{
	struct thread *t = &idle_threads[c->id];
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "idle%d", c->id);
	t->state = T_RUNNING;
	t->on_cpu = true;
	t->cpu = c->id;
	t->affinity = 1ull << c->id;
	list_init(&t->run_link);
	list_init(&t->proc_link);
	c->idle = t;
	c->current = t;
}

void sched_init(void)
{
	__asm__ volatile("fninit");
	u32 mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	fpu_save(fpu_initial);
	init_idle(&cpus[0]);
	cpus[0].online = true;
}

void sched_init_cpu(struct cpu *c)
{
	init_idle(c);
}

struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = kzalloc(sizeof *t);
	struct page *stack = alloc_pages(KSTACK_ORDER);
	if (!t || !stack) {
		kfree(t);
		free_pages(stack, KSTACK_ORDER);
		return NULL;
	}
	t->kstack = page_address(stack);
	strlcpy(t->name, name, sizeof t->name);
	t->affinity = CPU_MASK_ALL;
	t->fault_catch = NULL;
	t->state = T_SLEEPING;  /* not runnable until thread_start() */
	list_init(&t->run_link);
	list_init(&t->proc_link);
	memcpy(t->fpu, fpu_initial, sizeof t->fpu);
	/* The first swtch() into t pops six registers and returns to the trampoline. */
	u64 *sp = (u64 *)((char *)t->kstack + KSTACK_SIZE - sizeof(struct trapframe));
	t->user_tf = (struct trapframe *)sp;
	*--sp = 0;                                      /* alignment: rsp%16 == 8 at entry */
	*--sp = (u64)thread_start_trampoline;           /* return address */
	*--sp = 0;                                      /* rbp */
	*--sp = 0;                                      /* rbx */
	*--sp = (u64)fn;                                /* r12 */
	*--sp = (u64)arg;                               /* r13 */
	*--sp = 0;                                      /* r14 */
	*--sp = 0;                                      /* r15 */
	t->saved_rsp = (u64)sp;
	u64 flags = spin_lock_irqsave(&sched_lock);
	t->tid = next_tid++;
	list_add_tail(&t->all_link, &all_threads);
	spin_unlock_irqrestore(&sched_lock, flags);
	return t;
}

/* sched_lock held. */
static void enqueue(struct thread *t)
{
	if (list_empty(&t->run_link))
		list_add_tail(&t->run_link, &run_queue);
}

void thread_start(struct thread *t)
{
	u64 flags = spin_lock_irqsave(&sched_lock);
	t->state = T_RUNNABLE;
	enqueue(t);
	spin_unlock_irqrestore(&sched_lock, flags);
	sched_kick_cpus(t->affinity);
}

static void kthread_entry(void *arg)
{
	struct { void (*fn)(void *); void *arg; } *start = arg;
	void (*fn)(void *) = start->fn;
	void *a = start->arg;
	kfree(start);
	sti();
	fn(a);
	thread_exit_current();
}

struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct { void (*fn)(void *); void *arg; } *start = kmalloc(sizeof *start);
	if (!start)
		return NULL;
	start->fn = fn;
	start->arg = arg;
	struct thread *t = thread_alloc(name, kthread_entry, start);
	if (!t) {
		kfree(start);
		return NULL;
	}
	thread_start(t);
	return t;
}

void thread_free(struct thread *t)
{
	u64 flags = spin_lock_irqsave(&sched_lock);
	list_del(&t->all_link);
	spin_unlock_irqrestore(&sched_lock, flags);
	free_pages(virt_to_page(t->kstack), KSTACK_ORDER);
	kfree(t);
}

/* Pick the next thread for this CPU. sched_lock held. */
static struct thread *pick_next(struct cpu *c)
{
	struct list_head *pos;
	list_for_each(pos, &run_queue) {
		struct thread *t = list_entry(pos, struct thread, run_link);
		if (!(t->affinity & (1ull << c->id)))
			continue;
		if (t->on_cpu && t != c->current)
			continue;       /* still switching away on another CPU */
		list_del(&t->run_link);
		return t;
	}
	return c->idle;
}

/*
 * Load next's address space. A kernel thread keeps whatever is loaded
 * (lazy TLB, see shootdown.c rule 4); coming back from lazy mode to the
 * same mm checks whether a flush was skipped meanwhile.
 */
static void switch_address_space(struct cpu *c, struct thread *next)
{
	struct mm *mm = next->proc ? next->proc->mm : NULL;
	if (!mm) {
		__atomic_store_n(&c->lazy, c->active_mm != NULL, __ATOMIC_SEQ_CST);
		return;
	}
	if (mm == c->active_mm) {
		if (c->lazy)
			tlb_lazy_return(mm);
		return;
	}
	struct mm *old = c->active_mm;
	__atomic_store_n(&c->lazy, false, __ATOMIC_SEQ_CST);
	mm_grab(mm);
	mm_activate(mm, c);     /* sets our bit in mm->cpu_mask, then loads CR3 (a full flush) */
	c->tlb_gen_seen = __atomic_load_n(&mm->tlb_gen, __ATOMIC_SEQ_CST);
	c->active_mm = mm;
	if (old) {
		mm_deactivate(old, c);
		c->switch_mm_drop = old;        /* dropped after the switch (sched_finish_switch) */
	}
}

void schedule(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;
	u64 flags = spin_lock_irqsave(&sched_lock);
	if (prev->state == T_RUNNING)
		prev->state = T_RUNNABLE;
	if (prev->state == T_RUNNABLE && prev != c->idle)
		enqueue(prev);
	struct thread *next = pick_next(c);
	c->need_resched = false;
	if (next == prev) {
		prev->state = T_RUNNING;
		spin_unlock_irqrestore(&sched_lock, flags);
		return;
	}
	next->state = T_RUNNING;
	next->on_cpu = true;
	next->cpu = c->id;
	next->switches++;
	switch_count++;
	if (prev->proc)
		fpu_save(prev->fpu);
	if (next->proc)
		fpu_restore(next->fpu);
	switch_address_space(c, next);
	c->kernel_rsp = (u64)next->kstack + KSTACK_SIZE;
	c->tss.rsp[0] = c->kernel_rsp;
	c->switch_prev = prev;
	c->current = next;
	prev->fault_catch = c->fault_catch;     /* the catch chain follows its thread, not the CPU */
	c->fault_catch = next->fault_catch;
	swtch(&prev->saved_rsp, next->saved_rsp);
	/* back on prev's stack, possibly on another CPU */
	sched_finish_switch();
	irq_restore(flags);
}

/*
 * The second half of every switch, run by the thread switched to: mark
 * the previous thread off the CPU, drop a lazily held mm, and release
 * sched_lock (taken by the schedule() that switched to us).
 */
void sched_finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->switch_prev;
	struct mm *drop = c->switch_mm_drop;
	c->switch_prev = NULL;
	c->switch_mm_drop = NULL;
	if (prev)
		prev->on_cpu = false;
	spin_unlock(&sched_lock);
	if (drop)
		mm_drop(drop);
	if (prev && prev->state == T_DEAD) {
		if (prev->proc)
			proc_thread_off_cpu(prev);      /* its process frees it (join or reap) */
		else
			thread_free(prev);
	}
}

void yield(void)
{
	schedule();
}

void sched_set_current_state(enum thread_state s)
{
	u64 flags = spin_lock_irqsave(&sched_lock);
	current_thread()->state = s;
	spin_unlock_irqrestore(&sched_lock, flags);
}

void thread_wake(struct thread *t)
{
	u64 flags = spin_lock_irqsave(&sched_lock);
	bool kicked = false;
	if (t->state == T_SLEEPING) {
		t->state = T_RUNNABLE;
		if (!t->on_cpu) {
			enqueue(t);
			kicked = true;
		}
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	if (kicked)
		sched_kick_cpus(t->affinity);
}

void thread_exit_current(void)
{
	cli();
	sched_set_current_state(T_DEAD);
	schedule();
	panic("a dead thread was scheduled");
}

int sched_set_affinity(struct thread *t, u64 mask)
{
	mask &= cpus_online_mask;
	if (!mask)
		return -22;     /* EINVAL: no online CPU in the mask */
	u64 flags = spin_lock_irqsave(&sched_lock);
	t->affinity = mask;
	spin_unlock_irqrestore(&sched_lock, flags);
	if (t == current_thread() && !(mask & (1ull << this_cpu()->id)))
		yield();        /* requeue: a CPU in the mask will pick it up */
	return 0;
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	if (c->current != c->idle || !list_empty(&run_queue))
		c->need_resched = true;
}

void sched_maybe_preempt(void)
{
	if (this_cpu()->need_resched)
		schedule();
}

/* Is there a queued thread this CPU may run? */
static bool work_for(struct cpu *c)
{
	bool found = false;
	u64 flags = spin_lock_irqsave(&sched_lock);
	struct list_head *pos;
	list_for_each(pos, &run_queue) {
		struct thread *t = list_entry(pos, struct thread, run_link);
		if ((t->affinity & (1ull << c->id)) && !t->on_cpu) {
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return found;
}

/*
 * Interrupts are enabled at every turn of this loop: an idle CPU must
 * answer cross-calls (TLB shootdowns) promptly, and must not hammer
 * sched_lock when the queued threads are not for it.
 */
void sched_idle_loop(void)
{
	struct cpu *c = this_cpu();
	for (;;) {
		if (work_for(c)) {
			schedule();
			sti();
			continue;
		}
		cli();
		if (!c->need_resched)
			sti_hlt();      /* the wake-up IPI or the tick ends the halt */
		sti();
		c->need_resched = false;
	}
}

void sched_leave_mm(void)
{
	u64 flags = irq_save();
	struct cpu *c = this_cpu();
	struct mm *mm = c->active_mm;
	if (mm) {
		write_cr3(kernel_pml4());
		mm_deactivate(mm, c);
		c->active_mm = NULL;
		c->lazy = false;
	}
	irq_restore(flags);
	if (mm)
		mm_drop(mm);
}
