/*
 * ksyms_test.c - the kernel symbol table and backtraces (kernel/ksyms.c,
 * tools/gensyms.sh).
 *
 * Covers: ksym_lookup of a function's address gives its name at offset 0,
 * of an address inside a function gives that function and the right
 * offset (including static functions, such as this file's tests);
 * ksym_address finds functions by name and says 0 for unknown names;
 * backtrace_collect through a chain of three noinline functions returns
 * their return addresses, innermost first; addresses that are not kernel
 * text (data, the direct map, user space, null) have no name.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/ksyms.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/string.h"

void kmain(u32 magic, u64 info_phys);

/* Keep a function out of line and unrenamed (gcc would clone it as foo.constprop.0). */
#ifdef __clang__
#define TEST_NOINLINE __attribute__((noinline))
#else
#define TEST_NOINLINE __attribute__((noinline, noclone))
#endif

KTEST(ksyms, lookup_function_start)
{
	u64 off = 99;
	const char *name = ksym_lookup((u64)kmain, &off);
	KASSERT_NOT_NULL(name);
	KEXPECT_STREQ(name, "kmain");
	KEXPECT_EQ(off, 0);
	name = ksym_lookup((u64)ksym_lookup, NULL);     /* offset pointer is optional */
	KASSERT_NOT_NULL(name);
	KEXPECT_STREQ(name, "ksym_lookup");
	u64 pvh = ksym_address("pvh_entry");    /* boot code, linked at its physical address */
	KASSERT_NE(pvh, 0);
	KEXPECT_LT(pvh, (u64)kernel_text_start);
	name = ksym_lookup(pvh + 1, &off);
	KASSERT_NOT_NULL(name);
	KEXPECT_STREQ(name, "pvh_entry");
	KEXPECT_EQ(off, 1);
}

static TEST_NOINLINE u64 return_address(void)
{
	u64 ra = (u64)__builtin_return_address(0);
	barrier();
	return ra;
}

KTEST(ksyms, lookup_inside_function)
{
	u64 off = 0;
	const char *name = ksym_lookup((u64)ksym_address + 5, &off);
	KASSERT_NOT_NULL(name);
	KEXPECT_STREQ(name, "ksym_address");
	KEXPECT_EQ(off, 5);
	u64 here = return_address();    /* an address inside this (static) test function */
	name = ksym_lookup(here, &off);
	KASSERT_NOT_NULL(name);
	KEXPECT_STREQ(name, "ktest_fn_ksyms_lookup_inside_function");
	KEXPECT_EQ(off, here - (u64)ktest_fn_ksyms_lookup_inside_function);
	KEXPECT_GT(off, 0);
}

KTEST(ksyms, address_by_name)
{
	KEXPECT_EQ(ksym_address("kmain"), (u64)kmain);
	KEXPECT_EQ(ksym_address("ksym_lookup"), (u64)ksym_lookup);
	KEXPECT_EQ(ksym_address("ktest_run_all"), (u64)ktest_run_all);
	KEXPECT_EQ(ksym_address("no_such_function_xyz"), 0);
	KEXPECT_EQ(ksym_address(""), 0);
}

/* Three frames, each with a distinct name: bt_level1 -> 2 -> 3 -> collect. */
static TEST_NOINLINE int bt_collect(u64 *pcs, int max)
{
	int n = backtrace_collect(read_rbp(), pcs, max);
	barrier();      /* no tail calls: each frame must stay on the stack */
	return n;
}

static TEST_NOINLINE int bt_level3(u64 *pcs, int max)
{
	int n = bt_collect(pcs, max);
	barrier();
	return n;
}

static TEST_NOINLINE int bt_level2(u64 *pcs, int max)
{
	int n = bt_level3(pcs, max);
	barrier();
	return n;
}

static TEST_NOINLINE int bt_level1(u64 *pcs, int max)
{
	int n = bt_level2(pcs, max);
	barrier();
	return n;
}

/* Name of the function a return address belongs to ("?" if none). */
static const char *caller_name(u64 ret)
{
	const char *name = ksym_lookup(ret - 1, NULL); /* -1: inside the call instruction */
	return name ? name : "?";
}

KTEST(ksyms, backtrace_through_three_frames)
{
	u64 pcs[16] = { 0 };
	int n = bt_level1(pcs, 16);
	KASSERT_GE(n, 4);
	KEXPECT_STREQ(caller_name(pcs[0]), "bt_level3");
	KEXPECT_STREQ(caller_name(pcs[1]), "bt_level2");
	KEXPECT_STREQ(caller_name(pcs[2]), "bt_level1");
	KEXPECT_STREQ(caller_name(pcs[3]), "ktest_fn_ksyms_backtrace_through_three_frames");
	bool reached_runner = false;    /* further up: the test runner, in the init thread */
	for (int i = 4; i < n; i++) {
		KEXPECT_NOT_NULL(ksym_lookup(pcs[i] - 1, NULL));
		reached_runner |= strcmp(caller_name(pcs[i]), "ktest_run_all") == 0;
	}
	KEXPECT_TRUE(reached_runner);
}

KTEST(ksyms, backtrace_respects_max)
{
	u64 pcs[2] = { 0, 0 };
	KEXPECT_EQ(bt_level1(pcs, 2), 2);
	KEXPECT_STREQ(caller_name(pcs[1]), "bt_level2");
	KEXPECT_EQ(backtrace_collect(0, pcs, 2), 0);    /* an implausible frame pointer */
}

static u64 some_data;

KTEST(ksyms, non_text_addresses_have_no_name)
{
	KEXPECT_NULL(ksym_lookup((u64)&some_data, NULL));
	KEXPECT_NULL(ksym_lookup((u64)&boot_info, NULL));
	KEXPECT_NULL(ksym_lookup((u64)kernel_text_end, NULL));
	KEXPECT_NULL(ksym_lookup(0, NULL));
	KEXPECT_NULL(ksym_lookup(0x400000, NULL));              /* user space */
	void *heap = kmalloc(64);                               /* the direct map */
	KASSERT_NOT_NULL(heap);
	const char *name = ksym_lookup((u64)heap, NULL);
	kfree(heap);
	if (!KEXPECT_NULL(name))
		ktest_diag("%p looked up as \"%s\"", heap, name);
}
