/*
 * libc_basics - the string.h, stdlib.h and ctype.h functions of the user
 * library give the results C specifies (checked against glibc on Linux):
 * copying and searching strings, number parsing with bases, signs, end
 * pointers and overflow, qsort, abs, strerror, atexit order.
 */
#include "test.h"
#include <ctype.h>
#include <limits.h>

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void at_exit_second(void)
{
	printf("libc_basics: atexit handlers ran in reverse order\n");
}

static void at_exit_first(void)
{
	/* Registered first, so it runs last: after at_exit_second. */
	printf("libc_basics: last atexit handler\n");
}

int main(void)
{
	test_start("libc_basics", "string.h, stdlib.h and ctype.h behave as C specifies");

	/* ---- string.h */
	char buf[64];
	CHECK(strlen("") == 0 && strlen("abc") == 3, "strlen");
	CHECK(strnlen("abcdef", 3) == 3 && strnlen("ab", 10) == 2, "strnlen");
	CHECK(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0, "strcmp");
	CHECK(strcmp("a", "a\xff") < 0 && strcmp("\xff", "a") > 0, "strcmp compares unsigned chars");
	CHECK(strncmp("abcX", "abcY", 3) == 0 && strncmp("ab", "ac", 2) < 0, "strncmp");
	CHECK(strcpy(buf, "hello") == buf && !strcmp(buf, "hello"), "strcpy");
	CHECK(strcat(buf, ", world") == buf && !strcmp(buf, "hello, world"), "strcat");
	volatile size_t two = 2, three = 3, five = 5;  /* volatile: gcc warns about truncation on purpose */
	memset(buf, 'x', sizeof(buf));
	strncpy(buf, "ab", five);
	CHECK(!memcmp(buf, "ab\0\0\0x", 6), "strncpy pads with NULs");
	strncpy(buf, "abcdef", three);
	CHECK(!memcmp(buf, "abc\0\0x", 6), "strncpy truncates without a NUL");
	strcpy(buf, "ab");
	strncat(buf, "cdef", two);
	CHECK(!strcmp(buf, "abcd"), "strncat: \"%s\"", buf);
	const char *s = "a/b/c";
	CHECK(strchr(s, '/') == s + 1 && strrchr(s, '/') == s + 3, "strchr/strrchr");
	CHECK(strchr(s, 'z') == NULL && strrchr(s, 'z') == NULL, "strchr/strrchr miss");
	CHECK(strchr(s, 0) == s + 5 && strrchr(s, 0) == s + 5, "strchr/strrchr of NUL");
	CHECK(strstr("hello world", "o w") == (char *)"hello world" + 4 || !strcmp(strstr("hello world", "o w"), "o world"),
	      "strstr");
	CHECK(strstr("abc", "") != NULL && strstr("abc", "abcd") == NULL && strstr("", "a") == NULL, "strstr edge cases");
	CHECK(memchr("abcdef", 'd', 6) != NULL && *(char *)memchr("abcdef", 'd', 6) == 'd', "memchr");
	CHECK(memchr("abcdef", 'd', 3) == NULL, "memchr beyond n");
	CHECK(strspn("aabbcx", "ab") == 4 && strcspn("hello, x", ",") == 5, "strspn/strcspn");
	char ov[16] = "0123456789";
	memmove(ov + 2, ov, 5);
	CHECK(!memcmp(ov, "0101234789", 10), "memmove forward overlap: %s", ov);
	memmove(ov, ov + 3, 5);
	CHECK(!memcmp(ov, "1234734789", 10), "memmove backward overlap: %s", ov);
	CHECK(memcmp("\x01", "\xff", 1) < 0, "memcmp compares unsigned bytes");
	char *d = strdup("dup");
	CHECK(d && !strcmp(d, "dup"), "strdup");
	free(d);
	d = strndup("abcdef", 3);
	CHECK(d && !strcmp(d, "abc"), "strndup");
	free(d);
	CHECK(!strcmp(strerror(EINVAL), "Invalid argument") && !strcmp(strerror(ENOMEM), "Cannot allocate memory") &&
	      !strcmp(strerror(EFAULT), "Bad address"), "strerror");

	/* ---- stdlib.h numbers */
	char *end;
	CHECK(atoi("  -42xyz") == -42 && atoi("17") == 17 && atol("123456789012") == 123456789012L, "atoi/atol");
	CHECK(strtol("0x1F", &end, 16) == 31 && *end == 0, "strtol base 16 with 0x");
	CHECK(strtol("0x1F", &end, 0) == 31 && *end == 0, "strtol base 0 hex");
	CHECK(strtol("017", &end, 0) == 15 && *end == 0, "strtol base 0 octal");
	CHECK(strtol("  +99 rest", &end, 10) == 99 && !strcmp(end, " rest"), "strtol sign, spaces, end");
	CHECK(strtol("z", &end, 36) == 35, "strtol base 36");
	CHECK(strtol("101", &end, 2) == 5, "strtol base 2");
	const char *none = "  xyz";
	CHECK(strtol(none, &end, 10) == 0 && end == none, "strtol with no digits leaves end at the start");
	CHECK(strtol("0x", &end, 16) == 0 && !strcmp(end, "x"), "strtol of \"0x\": end at x");
	errno = 0;
	CHECK(strtol("99999999999999999999", &end, 10) == LONG_MAX && errno == ERANGE && *end == 0,
	      "strtol overflow -> LONG_MAX, ERANGE");
	errno = 0;
	CHECK(strtol("-99999999999999999999", NULL, 10) == LONG_MIN && errno == ERANGE, "strtol underflow");
	errno = 0;
	CHECK(strtol("-9223372036854775808", NULL, 10) == LONG_MIN && errno == 0, "strtol LONG_MIN exactly");
	CHECK(strtoul("ffffffffffffffff", NULL, 16) == ULONG_MAX, "strtoul max");
	CHECK(strtoul("-1", NULL, 10) == ULONG_MAX, "strtoul of -1 wraps");
	errno = 0;
	CHECK(strtoul("18446744073709551616", NULL, 10) == ULONG_MAX && errno == ERANGE, "strtoul overflow");
	CHECK(strtoll("-123", NULL, 10) == -123LL && strtoull("123", NULL, 10) == 123ULL, "strtoll/strtoull");
	CHECK(abs(-5) == 5 && abs(5) == 5 && labs(-7L) == 7 && llabs(-9LL) == 9, "abs/labs/llabs");

	/* ---- qsort */
	int a[100];
	srand(7);
	for (int i = 0; i < 100; i++)
		a[i] = rand() % 1000 - 500;
	qsort(a, 100, sizeof(a[0]), cmp_int);
	int sorted = 1;
	for (int i = 1; i < 100; i++)
		sorted &= a[i - 1] <= a[i];
	CHECK(sorted, "qsort did not sort");
	qsort(a, 0, sizeof(a[0]), cmp_int);     /* empty: nothing happens */
	qsort(a, 1, sizeof(a[0]), cmp_int);
	int r1 = rand(), r2 = rand();
	CHECK(r1 >= 0 && r1 <= RAND_MAX && r2 >= 0 && r2 <= RAND_MAX, "rand range");

	/* ---- ctype.h */
	CHECK(isdigit('7') && !isdigit('a') && isalpha('Q') && !isalpha('1'), "isdigit/isalpha");
	CHECK(isspace(' ') && isspace('\n') && isspace('\t') && !isspace('x'), "isspace");
	CHECK(isxdigit('f') && isxdigit('F') && !isxdigit('g'), "isxdigit");
	CHECK(toupper('a') == 'A' && tolower('Z') == 'z' && toupper('1') == '1', "toupper/tolower");
	CHECK(isalnum('z') && isalnum('0') && !isalnum('-') && ispunct('-') && isprint(' ') && !isprint('\n'),
	      "isalnum/ispunct/isprint");

	/* ---- atexit: runs after main returns, last registered first */
	CHECK(atexit(at_exit_first) == 0 && atexit(at_exit_second) == 0, "atexit");
	return test_done();
}
