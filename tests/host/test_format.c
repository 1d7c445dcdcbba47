/*
 * test_format.c - the kernel's vsnprintf/snprintf (kernel/lib/format.c) and
 * string routines (kernel/lib/string.c) on the host.
 *
 * Formatting is compared with the host C library: every case is formatted
 * by both into buffers of every size from 0 to the full length + 1 (each
 * buffer malloc'd to its exact size, so AddressSanitizer catches a write
 * past it), and the text and the return value must agree. The kernel's
 * functions are reached as k_vsnprintf, k_memmove, ... (host_klib.h).
 */
#include "tests/host/host_ktap.h"
#include "tests/host/host_klib.h"
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

/* Print a buffer of n chars with non-printing ones escaped, for diagnostics. */
static const char *show(const char *s, size_t n)
{
	static char out[2][600];
	static int which;
	char *o = out[which ^= 1];
	size_t j = 0;
	for (size_t i = 0; i < n && j + 5 < sizeof out[0]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 32 && c < 127)
			o[j++] = (char)c;
		else
			j += (size_t)snprintf(o + j, 5, "\\x%02x", c);
	}
	o[j] = 0;
	return o;
}

/* The kernel's output into a buffer of exactly `size` bytes against the reference. */
static void check_size(const char *file, int line, const char *fmt, const char *want, int wlen,
		       size_t size, va_list ap)
{
	char *buf = size ? malloc(size) : NULL;
	if (size)
		memset(buf, 0x5a, size);
	int n = k_vsnprintf(buf, size, fmt, ap);
	htest_check(n == wlen, file, line, "\"%s\" size %zu: returned %d, C library %d", fmt, size,
		    n, wlen);
	if (size) {
		size_t keep = (size_t)wlen < size - 1 ? (size_t)wlen : size - 1;
		bool same = memcmp(buf, want, keep) == 0 && buf[keep] == 0;
		htest_check(same, file, line, "\"%s\" size %zu: got \"%s\", C library \"%s\"", fmt,
			    size, show(buf, keep + 1), show(want, keep));
	}
	free(buf);
}

/* Compare the full outputs; then the kernel's at every buffer size, to the first failure. */
__attribute__((format(printf, 3, 4)))
static void check_fmt(const char *file, int line, const char *fmt, ...)
{
	char want[512], got[512];
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int wlen = vsnprintf(want, sizeof want, fmt, aq);
	va_end(aq);
	HASSERT_TRUE(wlen >= 0 && wlen < (int)sizeof want);
	va_copy(aq, ap);
	int glen = k_vsnprintf(got, sizeof got, fmt, aq);
	va_end(aq);
	if (!htest_check(glen == wlen && memcmp(got, want, (size_t)wlen) == 0, file, line,
			 "\"%s\": got \"%s\" (%d), C library \"%s\" (%d)", fmt,
			 show(got, (size_t)MIN(glen, 511)), glen, show(want, (size_t)wlen), wlen)) {
		va_end(ap);
		return;
	}
	int before = htest_failures();
	for (size_t size = 0; size <= (size_t)wlen + 1 && htest_failures() == before; size++) {
		va_copy(aq, ap);
		check_size(file, line, fmt, want, wlen, size, aq);
		va_end(aq);
	}
	va_end(ap);
}

#define CHECK(...) check_fmt(__FILE__, __LINE__, __VA_ARGS__)

/* The kernel alone (where the C library differs or the case is undefined in C). */
#define KFMT_EQ(want, ...)                                                   \
	({                                                                   \
		char b__[256];                                               \
		int n__ = k_snprintf(b__, sizeof b__, __VA_ARGS__);          \
		HEXPECT_EQ(n__, (int)strlen(want));                          \
		HEXPECT_STREQ(b__, want);                                    \
	})

HTEST(plain_text_and_percent)
{
	CHECK("%s", "");
	CHECK("hello, world");
	CHECK("%%");
	CHECK("a%%b%%%%c");
	CHECK("100%% sure");
}

HTEST(signed_decimal)
{
	CHECK("%d", 0);
	CHECK("%d %d", 1, -1);
	CHECK("%d", INT_MAX);
	CHECK("%d", INT_MIN);
	CHECK("%i|%i", 42, -42);
	CHECK("[%d][%d][%d]", 7, -80, 900);
}

HTEST(unsigned_hex_octal)
{
	CHECK("%u %u %u", 0u, 1u, UINT_MAX);
	CHECK("%x %x %x", 0u, 0xdeadbeefu, UINT_MAX);
	CHECK("%X %X", 0xabcdefu, 0x0u);
	CHECK("%x", (unsigned)-1);
	CHECK("%o %o %o %o", 0u, 7u, 8u, 0777u);
	CHECK("%#x %#X %#x", 0x1fu, 0x1fu, 0u);
	CHECK("%#o %#o", 8u, 0u);
}

HTEST(flags)
{
	CHECK("[%-5d][%5d]", 42, 42);
	CHECK("[%05d][%05d]", 42, -42);
	CHECK("[% d][% d]", 42, -42);
	CHECK("[%+d][%+d][%+d]", 42, -42, 0);
	CHECK("[% 5d][%+5d]", 3, 3);
	CHECK("[%-+6d]", 12);
	CHECK("[%0+8d][%0 8d]", -12, 12);
	CHECK("[%-#8x][%#08x][%#8o]", 255u, 255u, 8u);
	CHECK("[%08X][%-8X]", 0xbeefu, 0xbeefu);
}

/* Flags C says to ignore in these combinations. Compilers warn about them
 * and the next two tests: format warnings are off up to narrow_length_modifiers. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
HTEST(ignored_flags)
{
	CHECK("[%-05d][%-08x]", 12, 12u);       /* '-' beats '0' */
	CHECK("[%+ d][% +d]", 5, 5);            /* '+' beats ' ' */
	CHECK("[%08.3d][%06.2x]", 7, 7u);       /* a precision turns '0' off */
}

/*
 * Where format.c still differs from the C library (remove the skip once it
 * is fixed): '+' and ' ' have no effect on unsigned conversions (C defines
 * them for signed ones; glibc ignores them), and '#' with %o raises the
 * precision just enough for a leading 0 (so 0 with %#.0o is "0", and
 * 8 with %#.3o is "010").
 */
HTEST(c_corner_cases_known_to_differ)
{
	HTEST_SKIP("format.c: + and space on unsigned, alt-form octal with a precision");
	CHECK("[%+u][% u][%+x][% X][%+o]", 5u, 5u, 5u, 5u, 5u);
	CHECK("[%#.0o][%#.3o][%#08o]", 0u, 8u, 8u);
}

/* hh and h take an int and convert it (C11 7.21.6.1p7); clang warns about that. */
HTEST(narrow_length_modifiers)
{
	CHECK("%hhd %hhd %hhu %hhx", 200, -129, 300, 0x1ff);
	CHECK("%hd %hd %hu %hx", 70000, -32769, 70000, 0x12345);
	CHECK("%hhd%d", 1, 2);  /* the narrow argument must not upset the next one */
	CHECK("[%5hhd][%-6hu][%#hx]", -1, 65535, 0xbeef);
}
#pragma GCC diagnostic pop

HTEST(width_and_precision)
{
	CHECK("[%8.3d][%-8.3d][%.3d]", 5, -5, 12345);
	CHECK("[%.0d][%5.0d][%.0x]", 0, 0, 0u);
	CHECK("[%.5x][%-8.3x][%.10u]", 0xabu, 0x1u, 99u);
	CHECK("[%.3s][%10.2s][%-10s][%10s]", "abcdef", "abcdef", "left", "right");
	CHECK("[%.0s][%.20s]", "gone", "short");
	CHECK("[%5c][%-3c][%c]", 'a', 'b', 'c');
	CHECK("[%20d]", INT_MIN);
}

HTEST(star_width_and_precision)
{
	CHECK("[%*d][%*d]", 5, 42, -5, 42);
	CHECK("[%.*d][%.*d]", 4, 7, -1, 7);
	CHECK("[%.*d][%.*x][%.*s]", -1, 0, -3, 0u, -1, "all");  /* negative: no precision */
	CHECK("[%*.*s]", 8, 3, "abcdef");
	CHECK("[%-*s]", 6, "ab");
	CHECK("[%0*d]", 6, -3);
	CHECK("[%*c]", 3, 'z');
}

HTEST(length_modifiers)
{
	CHECK("%ld %ld %lu %lx", LONG_MIN, LONG_MAX, ULONG_MAX, 0x123456789abcdefUL);
	CHECK("%lld %lld %llu %llX %llo", LLONG_MIN, -1LL, ULLONG_MAX, 0xfedcba9876543210ULL, 01234567ULL);
	CHECK("%zu %zx %zd", SIZE_MAX, (size_t)0x1000, (ssize_t)-5);
	CHECK("%td %jd %ju", (ptrdiff_t)-77, INTMAX_MIN, UINTMAX_MAX);
	CHECK("[%-12ld][%012lld][%+.3ld]", -9L, 9LL, 9L);
}

HTEST(pointers)
{
	int x;
	void *p = &x;
	CHECK("%p", p);
	CHECK("[%20p][%-20p]", p, p);
	CHECK("%p", (void *)0x1000);
	CHECK("%p", (void *)UINTPTR_MAX);
	KFMT_EQ("0x0", "%p", (void *)NULL);     /* glibc prints "(nil)" */
}

HTEST(chars_and_strings)
{
	CHECK("%c%c%c", 'a', '\n', '~');
	CHECK("[%c]", 0);                       /* a NUL in the middle of the output */
	CHECK("%s and %s", "this", "that");
	CHECK("%s", "a longer string, to be cut at many places by the buffer size");
	const char *volatile null = NULL;       /* hidden from the compiler's checks */
	KFMT_EQ("(null)", "%s", null);
	KFMT_EQ("[(nu]", "[%.3s]", null);
}

HTEST(mixed_conversions)
{
	CHECK("%s=%d (%#x) [%-6s] %c%% %lu/%llu", "count", 12, 12u, "ok", '!', 3UL, 4ULL);
	CHECK("pid %5d cpu %-2u %08lx %p", 17, 3u, 0xffffUL, (void *)&check_fmt);
}

HTEST(truncation_and_return_value)
{
	char buf[8];
	memset(buf, 'x', sizeof buf);
	HEXPECT_EQ(k_snprintf(buf, 4, "hello"), 5);
	HEXPECT_STREQ(buf, "hel");
	HEXPECT_EQ(buf[4], 'x');                        /* nothing past the size */
	HEXPECT_EQ(k_snprintf(buf, 1, "hello"), 5);
	HEXPECT_STREQ(buf, "");
	HEXPECT_EQ(k_snprintf(NULL, 0, "%d-%s", 1234, "abc"), 8);
	buf[0] = 'q';
	HEXPECT_EQ(k_snprintf(buf, 0, "zzz"), 3);
	HEXPECT_EQ(buf[0], 'q');                        /* size 0 writes nothing */
	HEXPECT_EQ(k_snprintf(buf, sizeof buf, "%300d", 1), 300);
	HEXPECT_STREQ(buf, "       ");
}

/* ---- kernel/lib/string.c ---- */

static int sign(int v) { return (v > 0) - (v < 0); }

HTEST(memmove_overlap_both_directions)
{
	char a[16] = "0123456789";
	HEXPECT_EQ(k_memmove(a + 2, a, 8), a + 2);      /* dst above src: copy backwards */
	HEXPECT_EQ(memcmp(a, "0101234567", 10), 0);
	char b[16] = "0123456789";
	HEXPECT_EQ(k_memmove(b, b + 3, 7), b);          /* dst below src: copy forwards */
	HEXPECT_EQ(memcmp(b, "3456789789", 10), 0);
	char c[4] = "abc";
	k_memmove(c, c, 3);
	k_memmove(c + 1, c, 0);
	HEXPECT_STREQ(c, "abc");
}

HTEST(memset_memcpy_memcmp)
{
	unsigned char a[32], b[32];
	HEXPECT_EQ(k_memset(a, 0x1ab, sizeof a), a);    /* the value is taken as a byte */
	for (size_t i = 0; i < sizeof a; i++)
		HASSERT_EQ(a[i], 0xab);
	for (size_t i = 0; i < sizeof b; i++)
		b[i] = (unsigned char)(i * 37);
	HEXPECT_EQ(k_memcpy(a, b, sizeof a), a);
	HEXPECT_EQ(memcmp(a, b, sizeof a), 0);
	HEXPECT_EQ(k_memcmp(a, b, sizeof a), 0);
	b[20] = 0x80, a[20] = 0x7f;                     /* bytes compare as unsigned */
	HEXPECT_EQ(sign(k_memcmp(a, b, sizeof a)), sign(memcmp(a, b, sizeof a)));
	HEXPECT_LT(k_memcmp(a, b, sizeof a), 0);
	HEXPECT_EQ(k_memcmp(a, b, 20), 0);
	HEXPECT_EQ(k_memcmp(a, b, 0), 0);
}

HTEST(strlen_strnlen_strcmp)
{
	HEXPECT_EQ(k_strlen(""), 0);
	HEXPECT_EQ(k_strlen("secundus"), 8);
	HEXPECT_EQ(k_strnlen("secundus", 3), 3);
	HEXPECT_EQ(k_strnlen("abc", 10), 3);
	HEXPECT_EQ(k_strnlen("abc", 0), 0);
	static const char *pairs[][2] = {
		{ "", "" }, { "a", "" }, { "", "a" }, { "abc", "abd" }, { "abd", "abc" },
		{ "ab", "abc" }, { "same", "same" }, { "\x80", "\x7f" }, { "x\xff", "x\x01" },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if (!HEXPECT_EQ(sign(k_strcmp(pairs[i][0], pairs[i][1])),
				sign(strcmp(pairs[i][0], pairs[i][1]))))
			htest_diag("pair %zu", i);
}

HTEST(strncmp_limits)
{
	HEXPECT_EQ(k_strncmp("abc", "abd", 2), 0);
	HEXPECT_LT(k_strncmp("abc", "abd", 3), 0);
	HEXPECT_GT(k_strncmp("abd", "abc", 100), 0);
	HEXPECT_EQ(k_strncmp("abc", "xyz", 0), 0);
	HEXPECT_EQ(k_strncmp("ab\0x", "ab\0y", 4), 0);   /* stops at the terminator */
	HEXPECT_LT(k_strncmp("ab", "abc", 3), 0);
	HEXPECT_GT(k_strncmp("\xf0", "a", 1), 0);        /* unsigned chars */
	HEXPECT_EQ(k_strncmp("test=a", "test", 4), 0);
}

HTEST(strchr_finds_first)
{
	const char *s = "a,b,c";
	HEXPECT_EQ(k_strchr(s, ','), s + 1);
	HEXPECT_EQ(k_strchr(s, 'c'), s + 4);
	HEXPECT_EQ(k_strchr(s, 'a'), s);
	HEXPECT_NULL(k_strchr(s, 'z'));
	HEXPECT_EQ(k_strchr(s, 0), s + 5);              /* the terminator is found */
	HEXPECT_EQ(k_strchr(s, ',' + 256), s + 1);      /* c is converted to char */
	HEXPECT_NULL(k_strchr("", 'a'));
}

HTEST(strlcpy_truncates)
{
	char buf[8];
	memset(buf, 'x', sizeof buf);
	HEXPECT_EQ(k_strlcpy(buf, "hello", sizeof buf), 5);
	HEXPECT_STREQ(buf, "hello");
	HEXPECT_EQ(k_strlcpy(buf, "a longer string", sizeof buf), 15);
	HEXPECT_STREQ(buf, "a longe");                  /* size-1 chars and the NUL */
	HEXPECT_EQ(k_strlcpy(buf, "1234567", sizeof buf), 7);   /* exact fit */
	HEXPECT_STREQ(buf, "1234567");
	HEXPECT_EQ(k_strlcpy(buf, "12345678", sizeof buf), 8);  /* one too many */
	HEXPECT_STREQ(buf, "1234567");
	buf[0] = 'q';
	HEXPECT_EQ(k_strlcpy(buf, "abc", 0), 3);
	HEXPECT_EQ(buf[0], 'q');                        /* size 0 writes nothing */
	HEXPECT_EQ(k_strlcpy(buf, "abc", 1), 3);
	HEXPECT_STREQ(buf, "");
}

/* strtou64(s) == v and it stopped after `used` characters. */
#define EXPECT_STRTOU64(s, v, used)                                     \
	({                                                              \
		const char *s__ = (s), *end__ = NULL;                   \
		HEXPECT_EQ(k_strtou64(s__, &end__), (u64)(v));          \
		HEXPECT_EQ(end__ - s__, (used));                        \
	})

HTEST(strtou64_decimal_and_hex)
{
	EXPECT_STRTOU64("0", 0, 1);
	EXPECT_STRTOU64("123", 123, 3);
	EXPECT_STRTOU64("18446744073709551615", UINT64_MAX, 20);
	EXPECT_STRTOU64("12abc", 12, 2);                /* hex digits end a decimal */
	EXPECT_STRTOU64("42 rest", 42, 2);
	EXPECT_STRTOU64("0x1F", 0x1f, 4);
	EXPECT_STRTOU64("0Xff,", 0xff, 4);
	EXPECT_STRTOU64("0xdeadBEEF00000000", 0xdeadbeef00000000ull, 18);
	EXPECT_STRTOU64("0x10g", 0x10, 4);
	EXPECT_STRTOU64("abc", 0, 0);                   /* nothing parsed */
	EXPECT_STRTOU64("", 0, 0);
	EXPECT_STRTOU64("007", 7, 3);
	HEXPECT_EQ(k_strtou64("64M", NULL), 64);        /* end may be NULL */
}

HTEST_MAIN(format)
