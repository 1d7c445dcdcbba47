/*
 * host_ktap.h - a tiny test framework for the host unit tests (tests/host/).
 *
 * It prints KTAP v1 in the same nested shape as the kernel's ktest.c, so
 * tools/harness.py parse_ktap() reads both the same way:
 *
 *     KTAP version 1
 *     1..1
 *         KTAP version 1
 *         # Subtest: buddy
 *         1..2
 *         ok 1 init
 *         # test_buddy.c:40: expected a == b, got 3 (0x3) vs 4 (0x4)
 *         not ok 2 split
 *     not ok 1 buddy
 *     # Totals: pass:1 fail:1 skip:0
 *
 * A test file defines its tests and its suite:
 *
 *     HTEST(alloc_free) { HEXPECT_EQ(1 + 1, 2); }
 *     HTEST_MAIN(buddy)
 *
 * Tests run in source order. HEXPECT_* record a failure with file, line,
 * both expressions and both values, and go on; HASSERT_* also end the test
 * (from any depth: they longjmp back to the runner). Integer comparisons are
 * exact across signedness (-1 < 0u holds); pointers compare as addresses.
 * A test stops reporting after 20 failures. The binary exits 0 only when no
 * test failed. A test running over 60 s, a sanitizer error, abort() or the
 * kernel's panic() (host_panic.c) report the running test "not ok", print
 * "# Bail out!" and exit 1.
 */
#ifndef TESTS_HOST_KTAP_H
#define TESTS_HOST_KTAP_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct htest {
	const char *name;
	void (*fn)(void);
	struct htest *next;
};

/* Add a test to the end of the list (HTEST does it from a constructor). */
void htest_register(struct htest *t);
/* Run every registered test as suite `suite`, print KTAP; returns the exit status. */
int htest_run_all(const char *suite);

#define HTEST(name)                                                                 \
	static void htest_fn_##name(void);                                          \
	static struct htest htest_desc_##name = { #name, htest_fn_##name, NULL };   \
	__attribute__((constructor)) static void htest_reg_##name(void)             \
	{                                                                           \
		htest_register(&htest_desc_##name);                                 \
	}                                                                           \
	static void htest_fn_##name(void)

#define HTEST_MAIN(suite) \
	int main(void) { return htest_run_all(#suite); }

/* A value to compare and print: the kind says how to read it. */
enum htest_kind { HTEST_SIGNED, HTEST_UNSIGNED, HTEST_POINTER };
struct htest_val {
	enum htest_kind kind;
	intmax_t s;
	uintmax_t u;
	const void *p;
};

struct htest_val htest_val_s(intmax_t v);
struct htest_val htest_val_u(uintmax_t v);
struct htest_val htest_val_p(const volatile void *v);
/* <0, 0, >0 as a < b, a == b, a > b (mathematically, whatever the signedness). */
int htest_cmp(struct htest_val a, struct htest_val b);

#define HTEST_VAL(x) _Generic((x),                                                          \
	char: htest_val_s, signed char: htest_val_s, short: htest_val_s, int: htest_val_s,     \
	long: htest_val_s, long long: htest_val_s,                                               \
	bool: htest_val_u, unsigned char: htest_val_u, unsigned short: htest_val_u,              \
	unsigned int: htest_val_u, unsigned long: htest_val_u, unsigned long long: htest_val_u, \
	default: htest_val_p)(x)

/* Record a failure (printing a diagnostic) unless ok; returns ok. */
bool htest_check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool htest_check_cmp(const char *op, bool ok, struct htest_val a, struct htest_val b,
		     const char *ea, const char *eb, const char *file, int line);
bool htest_check_str(bool eq, const char *a, const char *b, const char *ea, const char *eb,
		     const char *file, int line);
/* Print a "# ..." diagnostic line inside the current test. */
void htest_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the current test now (after a failed HASSERT_*). */
__attribute__((noreturn)) void htest_abort_test(void);
/* End the current test as skipped. */
__attribute__((noreturn)) void htest_skip(const char *reason);
/* The program cannot go on (e.g. a kernel panic): report the test failed, bail out, exit 1. */
__attribute__((noreturn)) void htest_bail(const char *why);
/* Failures recorded so far in the current test. */
int htest_failures(void);

#define HTEST_CMP_(op, a, b)                                                            \
	({                                                                              \
		struct htest_val a__ = HTEST_VAL(a), b__ = HTEST_VAL(b);                \
		htest_check_cmp(#op, htest_cmp(a__, b__) op 0, a__, b__, #a, #b,        \
				__FILE__, __LINE__);                                    \
	})
#define HEXPECT_EQ(a, b) HTEST_CMP_(==, a, b)
#define HEXPECT_NE(a, b) HTEST_CMP_(!=, a, b)
#define HEXPECT_LT(a, b) HTEST_CMP_(<, a, b)
#define HEXPECT_LE(a, b) HTEST_CMP_(<=, a, b)
#define HEXPECT_GT(a, b) HTEST_CMP_(>, a, b)
#define HEXPECT_GE(a, b) HTEST_CMP_(>=, a, b)
#define HEXPECT_TRUE(c) htest_check(!!(c), __FILE__, __LINE__, "expected %s to be true", #c)
#define HEXPECT_FALSE(c) htest_check(!(c), __FILE__, __LINE__, "expected %s to be false", #c)
#define HEXPECT_NULL(x)                                                                      \
	({                                                                                   \
		const volatile void *p__ = (x);                                              \
		htest_check(p__ == NULL, __FILE__, __LINE__, "expected %s == NULL, got %p",  \
			    #x, (const void *)p__);                                          \
	})
#define HEXPECT_NOT_NULL(x) \
	htest_check((x) != NULL, __FILE__, __LINE__, "expected %s != NULL", #x)
#define HEXPECT_STREQ(a, b)                                                                  \
	({                                                                                   \
		const char *a__ = (a), *b__ = (b);                                           \
		bool eq__ = a__ && b__ ? __builtin_strcmp(a__, b__) == 0 : a__ == b__;       \
		htest_check_str(eq__, a__, b__, #a, #b, __FILE__, __LINE__);                 \
	})

#define HASSERT_(e) do { if (!(e)) htest_abort_test(); } while (0)
#define HASSERT_EQ(a, b) HASSERT_(HEXPECT_EQ(a, b))
#define HASSERT_NE(a, b) HASSERT_(HEXPECT_NE(a, b))
#define HASSERT_LT(a, b) HASSERT_(HEXPECT_LT(a, b))
#define HASSERT_LE(a, b) HASSERT_(HEXPECT_LE(a, b))
#define HASSERT_GT(a, b) HASSERT_(HEXPECT_GT(a, b))
#define HASSERT_GE(a, b) HASSERT_(HEXPECT_GE(a, b))
#define HASSERT_TRUE(c) HASSERT_(HEXPECT_TRUE(c))
#define HASSERT_FALSE(c) HASSERT_(HEXPECT_FALSE(c))
#define HASSERT_NULL(p) HASSERT_(HEXPECT_NULL(p))
#define HASSERT_NOT_NULL(p) HASSERT_(HEXPECT_NOT_NULL(p))
#define HASSERT_STREQ(a, b) HASSERT_(HEXPECT_STREQ(a, b))
#define HTEST_SKIP(reason) htest_skip(reason)
#endif
