/*
 * printf_format - snprintf produces exactly what C (glibc) produces for the
 * conversions the library supports: %d %i %u %x %X %o %p %s %c %%, the
 * flags - 0 space + #, width and precision (also *), the length modifiers
 * hh h l ll z t j; returns the full length; truncates and NUL-terminates.
 * printf/puts/putchar reach stdout and printf returns the byte count.
 */
#include "test.h"
#include <limits.h>
#include <stdint.h>
#include <stddef.h>

static char buf[256];

#define EXPECT_FMT(expected, ...) do {                                          \
		memset(buf, 'Z', sizeof(buf));                                  \
		int _n = snprintf(buf, sizeof(buf), __VA_ARGS__);               \
		CHECK(!strcmp(buf, expected) && _n == (int)strlen(expected),    \
		      "snprintf(%s) gave \"%s\" (%d), expected \"%s\" (%d)",    \
		      #__VA_ARGS__, buf, _n, expected, (int)strlen(expected));  \
	} while (0)

int main(void)
{
	test_start("printf_format", "snprintf matches C's output");

	EXPECT_FMT("hello", "hello");
	EXPECT_FMT("%", "%%");
	EXPECT_FMT("42", "%d", 42);
	EXPECT_FMT("-42", "%i", -42);
	EXPECT_FMT("0", "%d", 0);
	EXPECT_FMT("-2147483648", "%d", INT_MIN);
	EXPECT_FMT("2147483647", "%d", INT_MAX);
	EXPECT_FMT("4294967295", "%u", UINT_MAX);
	EXPECT_FMT("-9223372036854775808", "%ld", LONG_MIN);
	EXPECT_FMT("9223372036854775807", "%lld", LLONG_MAX);
	EXPECT_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT_FMT("18446744073709551615", "%lu", ULONG_MAX);
	EXPECT_FMT("ffffffff", "%x", -1);
	EXPECT_FMT("ffffffffffffffff", "%lx", -1L);
	EXPECT_FMT("DEADBEEF", "%X", 0xdeadbeefu);
	EXPECT_FMT("777", "%o", 0777);
	/* hh and h convert the (int) argument down; clang's -Wformat objects. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
	EXPECT_FMT("44", "%hhd", 300);
	EXPECT_FMT("-56", "%hhd", 200);
	EXPECT_FMT("4464", "%hd", 70000);
	EXPECT_FMT("65535", "%hu", -1);
#pragma GCC diagnostic pop
	EXPECT_FMT("123456789012", "%zu", (size_t)123456789012UL);
	EXPECT_FMT("-5", "%zd", (ssize_t)-5);
	EXPECT_FMT("-7", "%td", (ptrdiff_t)-7);
	EXPECT_FMT("99", "%jd", (intmax_t)99);
	EXPECT_FMT("x", "%c", 'x');
	EXPECT_FMT("a b", "%c%c%c", 'a', ' ', 'b');
	EXPECT_FMT("str", "%s", "str");
	EXPECT_FMT("", "%s", "");

	/* width, flags */
	EXPECT_FMT("   42", "%5d", 42);
	EXPECT_FMT("42   |", "%-5d|", 42);
	EXPECT_FMT("00042", "%05d", 42);
	EXPECT_FMT("-0042", "%05d", -42);
	EXPECT_FMT("+42", "%+d", 42);
	EXPECT_FMT(" 42", "% d", 42);
	EXPECT_FMT("-42", "% d", -42);
	EXPECT_FMT("+0", "%+d", 0);
	EXPECT_FMT("0x1f", "%#x", 31);
	EXPECT_FMT("0X1F", "%#X", 31);
	EXPECT_FMT("0", "%#x", 0);
	EXPECT_FMT("017", "%#o", 15);
	EXPECT_FMT("0x00001f", "%#08x", 31);
	EXPECT_FMT("    0x1f", "%#8x", 31);
	EXPECT_FMT("   ab", "%5s", "ab");
	EXPECT_FMT("ab   |", "%-5s|", "ab");
	EXPECT_FMT("    c", "%5c", 'c');
	EXPECT_FMT("c    |", "%-5c|", 'c');

	/* precision */
	EXPECT_FMT("00042", "%.5d", 42);
	EXPECT_FMT("-00042", "%.5d", -42);
	EXPECT_FMT("   00042", "%8.5d", 42);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
	EXPECT_FMT("     042", "%08.3d", 42);       /* '0' is ignored with a precision */
#pragma GCC diagnostic pop
	EXPECT_FMT("", "%.0d", 0);
	EXPECT_FMT("     ", "%5.0d", 0);
	EXPECT_FMT("abc", "%.3s", "abcdef");
	EXPECT_FMT("  abc", "%5.3s", "abcdef");
	EXPECT_FMT("ab", "%.5s", "ab");
	EXPECT_FMT("0000ff", "%.6x", 255);

	/* '*' */
	EXPECT_FMT("   42", "%*d", 5, 42);
	EXPECT_FMT("42   |", "%*d|", -5, 42);
	EXPECT_FMT("42   |", "%-*d|", 5, 42);
	EXPECT_FMT("00042", "%.*d", 5, 42);
	EXPECT_FMT("ab", "%.*s", 2, "abcdef");
	EXPECT_FMT("  abc", "%*.*s", 5, 3, "abcdef");

	/* %p of a non-NULL pointer (NULL differs: glibc prints "(nil)") */
	EXPECT_FMT("0x1234", "%p", (void *)0x1234);
	EXPECT_FMT("0xffffffff80000000", "%p", (void *)0xffffffff80000000UL);

	/* mixed */
	EXPECT_FMT("pid 7: 3 pages at 0x1000 (ok)", "pid %d: %u pages at %#lx (%s)", 7, 3u, 0x1000UL, "ok");
	EXPECT_FMT("[ -1|1    |  +1]", "[%3d|%-5u|%+4d]", -1, 1u, 1);

	/* truncation and the return value */
	char small[5];
	volatile size_t size5 = sizeof(small), size1 = 1;  /* volatile: gcc warns about certain truncation */
	memset(small, 'Z', sizeof(small));
	int n = snprintf(small, size5, "hello world");
	CHECK(n == 11 && !strcmp(small, "hell"), "truncation: %d \"%s\"", n, small);
	n = snprintf(small, size1, "abc");
	CHECK(n == 3 && small[0] == 0, "size 1: %d, first byte %d", n, small[0]);
	small[0] = 'Q';
	n = snprintf(small, 0, "abcdef%d", 12);
	CHECK(n == 8 && small[0] == 'Q', "size 0: %d, buffer touched: %c", n, small[0]);
	n = snprintf(NULL, 0, "%d-%s", 12345, "xy");
	CHECK(n == 8, "snprintf(NULL, 0) = %d", n);
	n = snprintf(small, sizeof(small), "%d", 1234);
	CHECK(n == 4 && !strcmp(small, "1234"), "exact fit: %d \"%s\"", n, small);

	/* A long output through printf (longer than any internal buffer). */
	char line[700];
	memset(line, '=', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	n = printf("%s\n", line);
	CHECK(n == (int)sizeof(line), "printf of a %zu-byte line returned %d", sizeof(line), n);
	n = printf("printf_format: printf returns %s\n", "the byte count");
	CHECK(n == 45, "printf returned %d", n);
	CHECK(puts("printf_format: puts works") >= 0, "puts");
	CHECK(putchar('!') == '!' && putchar('\n') == '\n', "putchar");
	CHECK(fprintf(stderr, "printf_format: to stderr %d\n", 2) == 27, "fprintf(stderr)");
	CHECK(fflush(stdout) == 0, "fflush");
	return test_done();
}
