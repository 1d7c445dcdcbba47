/*
 * ktest.c - run KTEST()s and print KTAP v1 (the format of Linux's KUnit).
 *
 *   KTAP version 1
 *   1..2                         <- one line per suite follows
 *       KTAP version 1
 *       # Subtest: pmm
 *       1..3
 *       ok 1 alloc_free
 *       # pmm_test.c:40: expected a == b: 3 (0x3) vs 4 (0x4)
 *       not ok 2 exhaustion
 *       ok 3 big # SKIP needs 1 GiB
 *   not ok 1 pmm
 *   ...
 *   # Totals: pass:N fail:N skip:N
 *
 * Command line: `test` runs every suite, `test=a,b` only suites a and b.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/lib/format.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"
#include "kernel/mm/secondary.h"

extern const struct ktest ktests_start[], ktests_end[];

static struct {
	bool running;
	const char *suite;      /* the suite being run */
	int suite_index;
	int test_index;
	const struct ktest *current;
	int pass, fail, skip;
} run;

bool ktest_running(void) { return run.running; }

void ktest_count_result(bool ok)
{
	if (ok)
		run.pass++;
	else
		run.fail++;
}

void ktest_diag(const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	console_printf("    # %s\n", buf);
}

static const char *basename(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '/')
			b = p + 1;
	return b;
}

bool ktest_check(struct ktest_ctx *t, bool ok, const char *file, int line, const char *fmt, ...)
{
	if (ok)
		return true;
	t->failures++;
	char buf[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	ktest_diag("%s:%d: %s", basename(file), line, buf);
	return false;
}

bool ktest_check_cmp(struct ktest_ctx *t, const char *op, bool ok, u64 a, u64 b, const char *ea,
		     const char *eb, const char *file, int line)
{
	return ktest_check(t, ok, file, line, "expected %s %s %s, got %ld (%#lx) vs %ld (%#lx)", ea, op,
			   eb, (s64)a, a, (s64)b, b);
}

void ktest_skip(struct ktest_ctx *t, const char *reason)
{
	t->skipped = true;
	strlcpy(t->skip_reason, reason, sizeof t->skip_reason);
}

/* Does the `test=` list name `suite`? (`test` alone names none.) */
bool ktest_suite_named(const char *suite)
{
	char list[BOOT_CMDLINE_MAX];
	if (!cmdline_get("test", list, sizeof list))
		return false;
	size_t n = strlen(suite);
	for (char *p = list; *p;) {
		char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, suite, n) == 0)
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

/* Is `suite` selected by the `test=` list (all when there is no list)? */
bool ktest_suite_selected(const char *suite)
{
	return !cmdline_get("test", NULL, 0) || ktest_suite_named(suite);
}

/* Is this the first descriptor of its suite in link order? */
static bool first_of_suite(const struct ktest *t)
{
	for (const struct ktest *u = ktests_start; u < t; u++)
		if (strcmp(u->suite, t->suite) == 0)
			return false;
	return true;
}

static int count_suites(void)
{
	int n = 0;
	for (const struct ktest *t = ktests_start; t < ktests_end; t++)
		if (first_of_suite(t) && ktest_suite_selected(t->suite))
			n++;
	return n;
}

static int count_tests(const char *suite)
{
	int n = 0;
	for (const struct ktest *t = ktests_start; t < ktests_end; t++)
		if (strcmp(t->suite, suite) == 0)
			n++;
	return n;
}

static bool run_one(const struct ktest *t)
{
	struct ktest_ctx ctx = { 0 };
	run.current = t;
	run.test_index++;
	u64 violations = secondary_violations();
	t->fn(&ctx);
	if (secondary_violations() != violations)
		ktest_check(&ctx, false, __FILE__, __LINE__, "%lu secondary-MMU invariant violation(s): see above",
			    secondary_violations() - violations);
	run.current = NULL;
	if (ctx.skipped && ctx.failures == 0) {
		console_printf("    ok %d %s # SKIP %s\n", run.test_index, t->name, ctx.skip_reason);
		run.skip++;
		return true;
	}
	console_printf("    %s %d %s\n", ctx.failures ? "not ok" : "ok", run.test_index, t->name);
	if (ctx.failures)
		run.fail++;
	else
		run.pass++;
	return ctx.failures == 0;
}

static bool run_suite(const char *suite)
{
	run.suite = suite;
	run.suite_index++;
	run.test_index = 0;
	console_printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", suite, count_tests(suite));
	bool ok = true;
	for (const struct ktest *t = ktests_start; t < ktests_end; t++)
		if (strcmp(t->suite, suite) == 0)
			ok &= run_one(t);
	console_printf("%s %d %s\n", ok ? "ok" : "not ok", run.suite_index, suite);
	return ok;
}

/* Suites of user programs (kernel/proc/usertests.c); none without a process layer. */
__attribute__((weak)) int ktest_extra_suite_count(void)
{
	return 0;
}

__attribute__((weak)) bool ktest_run_extra_suite(int i, int suite_index)
{
	UNUSED(i), UNUSED(suite_index);
	return true;
}

void ktest_run_all(void)
{
	run.running = true;
	int extra = ktest_extra_suite_count();
	console_printf("KTAP version 1\n1..%d\n", count_suites() + extra);
	bool ok = true;
	for (const struct ktest *t = ktests_start; t < ktests_end; t++)
		if (first_of_suite(t) && ktest_suite_selected(t->suite))
			ok &= run_suite(t->suite);
	for (int i = 0; i < extra; i++)
		ok &= ktest_run_extra_suite(i, ++run.suite_index);
	console_printf("# Totals: pass:%d fail:%d skip:%d\n", run.pass, run.fail, run.skip);
	run.running = false;
	arch_qemu_exit(ok ? KTEST_EXIT_PASS : KTEST_EXIT_FAIL);
	console_printf("ktest: isa-debug-exit is not present; halting\n");
	arch_halt_forever();
}

void ktest_report_panic(void)
{
	if (!run.running)
		return;
	if (run.current) {
		console_printf("    # kernel panic during this test\n");
		console_printf("    not ok %d %s\n", run.test_index, run.current->name);
		console_printf("not ok %d %s\n", run.suite_index, run.suite);
	}
	console_printf("# Bail out! kernel panic\n");
	arch_qemu_exit(KTEST_EXIT_FAIL);
}
