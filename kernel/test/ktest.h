/*
 * ktest.h - the in-kernel test framework.
 *
 *     KTEST(pmm, alloc_free_returns_to_baseline)
 *     {
 *             u64 before = pmm_free_pages();
 *             struct page *p = alloc_page();
 *             KASSERT_NOT_NULL(p);
 *             free_page(p);
 *             KEXPECT_EQ(pmm_free_pages(), before);
 *     }
 *
 * KTEST places a descriptor in the `ktests` linker section; the runner
 * (ktest.c) groups tests by suite in link order and prints KTAP v1 on the
 * console when the kernel command line says `test` (or `test=suite,...`).
 * Comparisons are made on the values converted to u64 (so -1 > 0 there).
 * KEXPECT_* record a failure with file, line and both values and go on;
 * KASSERT_* also end the test. KTEST_SKIP(reason) ends it as skipped.
 * At the end the kernel leaves QEMU through isa-debug-exit:
 * KTEST_EXIT_PASS when everything passed, KTEST_EXIT_FAIL otherwise.
 */
#ifndef TEST_KTEST_H
#define TEST_KTEST_H
#include "kernel/types.h"

#define KTEST_EXIT_PASS 0x10    /* QEMU exits with status 33 */
#define KTEST_EXIT_FAIL 0x11    /* QEMU exits with status 35 */

struct ktest_ctx {
	int failures;
	bool skipped;
	char skip_reason[96];
};

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(struct ktest_ctx *ktest);
};

#define KTEST(suite, name)                                                          \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *ktest);             \
	static const struct ktest ktest_desc_##suite##_##name                       \
		__attribute__((section("ktests"), used, aligned(8))) = {            \
			#suite, #name, ktest_fn_##suite##_##name };                 \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *ktest)

bool ktest_check(struct ktest_ctx *t, bool ok, const char *file, int line, const char *fmt, ...)
	__printf(5, 6);
bool ktest_check_cmp(struct ktest_ctx *t, const char *op, bool ok, u64 a, u64 b, const char *ea,
		     const char *eb, const char *file, int line);
void ktest_skip(struct ktest_ctx *t, const char *reason);
/* Print a "# ..." diagnostic line inside the current test. */
void ktest_diag(const char *fmt, ...) __printf(1, 2);

#define KTEST_CMP_(op, a, b)                                                                \
	({                                                                                  \
		u64 a__ = (u64)(a), b__ = (u64)(b);                                         \
		ktest_check_cmp(ktest, #op, a__ op b__, a__, b__, #a, #b, __FILE__, __LINE__); \
	})
#define KEXPECT_EQ(a, b) KTEST_CMP_(==, a, b)
#define KEXPECT_NE(a, b) KTEST_CMP_(!=, a, b)
#define KEXPECT_LT(a, b) KTEST_CMP_(<, a, b)
#define KEXPECT_LE(a, b) KTEST_CMP_(<=, a, b)
#define KEXPECT_GT(a, b) KTEST_CMP_(>, a, b)
#define KEXPECT_GE(a, b) KTEST_CMP_(>=, a, b)
#define KEXPECT_TRUE(c) ktest_check(ktest, !!(c), __FILE__, __LINE__, "expected %s to be true", #c)
#define KEXPECT_FALSE(c) ktest_check(ktest, !(c), __FILE__, __LINE__, "expected %s to be false", #c)
#define KEXPECT_NULL(p) ktest_check(ktest, (p) == NULL, __FILE__, __LINE__, "expected %s == NULL, got %p", #p, (void *)(p))
#define KEXPECT_NOT_NULL(p) ktest_check(ktest, (p) != NULL, __FILE__, __LINE__, "expected %s != NULL", #p)
#define KEXPECT_STREQ(a, b)                                                                  \
	({                                                                                   \
		const char *a__ = (a), *b__ = (b);                                           \
		ktest_check(ktest, strcmp(a__, b__) == 0, __FILE__, __LINE__,                \
			    "expected %s == %s, got \"%s\" vs \"%s\"", #a, #b, a__, b__);    \
	})

#define KASSERT_(e) do { if (!(e)) return; } while (0)
#define KASSERT_EQ(a, b) KASSERT_(KEXPECT_EQ(a, b))
#define KASSERT_NE(a, b) KASSERT_(KEXPECT_NE(a, b))
#define KASSERT_LT(a, b) KASSERT_(KEXPECT_LT(a, b))
#define KASSERT_LE(a, b) KASSERT_(KEXPECT_LE(a, b))
#define KASSERT_GT(a, b) KASSERT_(KEXPECT_GT(a, b))
#define KASSERT_GE(a, b) KASSERT_(KEXPECT_GE(a, b))
#define KASSERT_TRUE(c) KASSERT_(KEXPECT_TRUE(c))
#define KASSERT_FALSE(c) KASSERT_(KEXPECT_FALSE(c))
#define KASSERT_NULL(p) KASSERT_(KEXPECT_NULL(p))
#define KASSERT_NOT_NULL(p) KASSERT_(KEXPECT_NOT_NULL(p))
#define KASSERT_STREQ(a, b) KASSERT_(KEXPECT_STREQ(a, b))
#define KTEST_SKIP(reason) do { ktest_skip(ktest, reason); return; } while (0)

/* Harness self-test hooks (ktest_selftest.c): deliberate panic, hang or triple fault. */
void ktest_boot_hooks(void);
/* Run the tests selected by the command line, print KTAP, leave QEMU. */
void ktest_run_all(void);
/*
 * Extra suites run after the KTEST ones (user programs, usertests.c):
 * how many, and run the i-th as top-level suite number suite_index,
 * printing its own nested KTAP block and result line.
 */
int ktest_extra_suite_count(void);
bool ktest_run_extra_suite(int i, int suite_index);
/* Count one result of an extra suite in the totals. */
void ktest_count_result(bool ok);
/* Is this suite selected by the command line's test= list (every suite
 * when the command line says just `test`)? */
bool ktest_suite_selected(const char *suite);
/* Does the test= list name this suite? For suites that run only when asked
 * for by name, never in a plain `test` boot (the user suite "swap"). */
bool ktest_suite_named(const char *suite);
/* Called by panic(): if a test is running, report it failed and leave QEMU. */
void ktest_report_panic(void);
/* True while the test runner is active (tests may want quieter output). */
bool ktest_running(void);
#endif
