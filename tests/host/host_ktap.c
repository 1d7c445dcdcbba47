/*
 * host_ktap.c - the runner of the host unit tests (see host_ktap.h):
 * registration, checks, KTAP v1 output and the exit status, plus the
 * ways a test can end the program (timeout, sanitizer error, abort, panic)
 * reported as "not ok" and "# Bail out!" so the harness sees what happened.
 */
#include "tests/host/host_ktap.h"
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DIAGS 20            /* failure reports shown per test */
#define TEST_TIMEOUT 60         /* seconds a test may run before the program bails out */
#define HTEST_STR_(x) #x
#define HTEST_STR(x) HTEST_STR_(x)

#if defined(__has_include)
#if __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define HAVE_SANITIZER_CALLBACK 1
#endif
#endif

static struct htest *first, **last = &first;

static struct {
	const char *suite;
	const struct htest *current;
	int index;              /* of the current test, from 1 */
	int failures;           /* in the current test */
	const char *skip_reason;
	jmp_buf end_test;
	int pass, fail, skip;
} run;

void htest_register(struct htest *t)
{
	t->next = NULL;
	*last = t;
	last = &t->next;
}

struct htest_val htest_val_s(intmax_t v)
{
	return (struct htest_val){ .kind = HTEST_SIGNED, .s = v };
}

struct htest_val htest_val_u(uintmax_t v)
{
	return (struct htest_val){ .kind = HTEST_UNSIGNED, .u = v };
}

struct htest_val htest_val_p(const volatile void *v)
{
	return (struct htest_val){ .kind = HTEST_POINTER, .p = (const void *)v };
}

static int sign_of(struct htest_val v)
{
	if (v.kind == HTEST_SIGNED)
		return v.s < 0 ? -1 : v.s > 0;
	if (v.kind == HTEST_UNSIGNED)
		return v.u > 0;
	return v.p != NULL;
}

/* Magnitude of a value (pointers as their address). */
static uintmax_t magnitude(struct htest_val v)
{
	if (v.kind == HTEST_SIGNED)
		return v.s < 0 ? -(uintmax_t)v.s : (uintmax_t)v.s;
	if (v.kind == HTEST_UNSIGNED)
		return v.u;
	return (uintptr_t)v.p;
}

int htest_cmp(struct htest_val a, struct htest_val b)
{
	int sa = sign_of(a), sb = sign_of(b);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	uintmax_t ma = magnitude(a), mb = magnitude(b);
	int c = ma < mb ? -1 : ma > mb;
	return sa < 0 ? -c : c;
}

void htest_diag(const char *fmt, ...)
{
	if (run.current && run.failures > MAX_DIAGS)
		return;         /* quiet after too many failures */
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	printf("    # %s\n", buf);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

bool htest_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	if (ok)
		return true;
	if (++run.failures > MAX_DIAGS) {
		if (run.failures == MAX_DIAGS + 1)
			printf("    # (further failures in this test are not shown)\n");
		return false;
	}
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	htest_diag("%s:%d: %s", base_name(file), line, buf);
	return false;
}

static void format_val(char *buf, size_t n, struct htest_val v)
{
	if (v.kind == HTEST_SIGNED)
		snprintf(buf, n, "%jd (%#jx)", v.s, (uintmax_t)v.s);
	else if (v.kind == HTEST_UNSIGNED)
		snprintf(buf, n, "%ju (%#jx)", v.u, v.u);
	else
		snprintf(buf, n, "%p", v.p);
}

bool htest_check_cmp(const char *op, bool ok, struct htest_val a, struct htest_val b,
		     const char *ea, const char *eb, const char *file, int line)
{
	if (ok)
		return true;
	char va[64], vb[64];
	format_val(va, sizeof va, a);
	format_val(vb, sizeof vb, b);
	return htest_check(false, file, line, "expected %s %s %s, got %s vs %s", ea, op, eb, va, vb);
}

bool htest_check_str(bool eq, const char *a, const char *b, const char *ea, const char *eb,
		     const char *file, int line)
{
	return htest_check(eq, file, line, "expected %s == %s, got \"%s\" vs \"%s\"", ea, eb,
			   a ? a : "(null)", b ? b : "(null)");
}

int htest_failures(void) { return run.failures; }

void htest_abort_test(void)
{
	longjmp(run.end_test, 1);
}

void htest_skip(const char *reason)
{
	run.skip_reason = reason;
	longjmp(run.end_test, 1);
}

static void print_suite_end(bool ok)
{
	printf("%s 1 %s\n", ok ? "ok" : "not ok", run.suite);
}

void htest_bail(const char *why)
{
	if (run.current) {
		printf("    # %s during this test\n", why);
		printf("    not ok %d %s\n", run.index, run.current->name);
		print_suite_end(false);
	}
	printf("# Bail out! %s\n", why);
	fflush(stdout);
	_Exit(1);
}

/* A test ran too long (a loop in the code under test?). Not async-signal-safe,
 * but the program ends here anyway. */
static void timed_out(int sig)
{
	(void)sig;
	htest_bail("timeout after " HTEST_STR(TEST_TIMEOUT) " s");
}

#ifdef HAVE_SANITIZER_CALLBACK
/* A sanitizer found an error and is about to end the program. */
static void sanitizer_died(void)
{
	htest_bail("sanitizer error (report above)");
}
#endif

/* UndefinedBehaviorSanitizer: show where the error happened, then abort(). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) { return "print_stacktrace=1:abort_on_error=1"; }

/* abort(): where gcc's separate UBSan runtime ends the program (abort_on_error
 * above), or an assert() failed. */
static void aborted(int sig)
{
	(void)sig;
	htest_bail("abort (see the report above)");
}

/* Run one test; returns true when it passed or was skipped. */
static bool run_one(const struct htest *t)
{
	run.current = t;
	run.index++;
	run.failures = 0;
	run.skip_reason = NULL;
	alarm(TEST_TIMEOUT);
	if (setjmp(run.end_test) == 0)
		t->fn();
	alarm(0);
	run.current = NULL;
	if (run.skip_reason && run.failures == 0) {
		printf("    ok %d %s # SKIP %s\n", run.index, t->name, run.skip_reason);
		run.skip++;
		return true;
	}
	printf("    %s %d %s\n", run.failures ? "not ok" : "ok", run.index, t->name);
	if (run.failures)
		run.fail++;
	else
		run.pass++;
	return run.failures == 0;
}

static int count_tests(void)
{
	int n = 0;
	for (const struct htest *t = first; t; t = t->next)
		n++;
	return n;
}

int htest_run_all(const char *suite)
{
	setvbuf(stdout, NULL, _IOLBF, 0);       /* keep order with sanitizer reports */
#ifdef HAVE_SANITIZER_CALLBACK
	__sanitizer_set_death_callback(sanitizer_died);
#endif
	signal(SIGALRM, timed_out);
	signal(SIGABRT, aborted);
	run.suite = suite;
	printf("KTAP version 1\n1..1\n");
	printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", suite, count_tests());
	bool ok = true;
	for (const struct htest *t = first; t; t = t->next)
		ok &= run_one(t);
	print_suite_end(ok);
	printf("# Totals: pass:%d fail:%d skip:%d\n", run.pass, run.fail, run.skip);
	fflush(stdout);
	if (!ok)        /* a test ended early may leak: skip the leak check at exit */
		_Exit(1);
	return 0;
}
