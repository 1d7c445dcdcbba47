/*
 * lib_test.c - the kernel library as built for the kernel (kernel/lib/,
 * kernel/bootinfo.c); tests/host/ checks the same code against libc.
 *
 * Covers: snprintf with %lx/%#lx/%X, left-justified strings, zero padding,
 * %p, and truncation (return value is the full length, output always
 * NUL-terminated, size 0 writes nothing); memmove with overlapping ranges
 * in both directions; strtou64 in decimal and hex with its end pointer;
 * cmdline_has/cmdline_get on the real command line (which contains
 * "test") and on a synthetic one.
 */
#include "kernel/test/ktest.h"
#include "kernel/bootinfo.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

KTEST(lib, snprintf_hex)
{
	char buf[64];
	KEXPECT_EQ(snprintf(buf, sizeof buf, "%lx", 0xdeadbeefcafeul), 12);
	KEXPECT_STREQ(buf, "deadbeefcafe");
	snprintf(buf, sizeof buf, "%#lx %X %x", 0x1fful, 0xabcu, 0u);
	KEXPECT_STREQ(buf, "0x1ff ABC 0");
	snprintf(buf, sizeof buf, "%016lx", 0xffffffff80000000ul);
	KEXPECT_STREQ(buf, "ffffffff80000000");
}

KTEST(lib, snprintf_left_justified_string)
{
	char buf[32];
	KEXPECT_EQ(snprintf(buf, sizeof buf, "%-5s|", "ab"), 6);
	KEXPECT_STREQ(buf, "ab   |");
	snprintf(buf, sizeof buf, "%5s|%.2s|", "ab", "xyz");
	KEXPECT_STREQ(buf, "   ab|xy|");
	const char *volatile null = NULL;      /* hidden from the compiler's format check */
	snprintf(buf, sizeof buf, "%s", null);
	KEXPECT_STREQ(buf, "(null)");
}

KTEST(lib, snprintf_zero_padded_numbers)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%05d", 42);
	KEXPECT_STREQ(buf, "00042");
	snprintf(buf, sizeof buf, "%05d", -42);
	KEXPECT_STREQ(buf, "-0042");
	snprintf(buf, sizeof buf, "%d %u %ld", -2147483647 - 1, 4294967295u, -1l);
	KEXPECT_STREQ(buf, "-2147483648 4294967295 -1");
}

KTEST(lib, snprintf_pointer)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%p", (void *)0x1234);
	KEXPECT_STREQ(buf, "0x1234");
	snprintf(buf, sizeof buf, "%p", (void *)0xffff800000000000ul);
	KEXPECT_STREQ(buf, "0xffff800000000000");
}

KTEST(lib, snprintf_truncation)
{
	char buf[8];
	memset(buf, 'X', sizeof buf);
	KEXPECT_EQ(snprintf(buf, 5, "hello world"), 11);
	KEXPECT_STREQ(buf, "hell");
	KEXPECT_EQ(buf[5], 'X');        /* nothing written past size */
	KEXPECT_EQ(snprintf(buf, 1, "abc"), 3);
	KEXPECT_EQ(buf[0], 0);
	buf[0] = 'Q';
	KEXPECT_EQ(snprintf(buf, 0, "%d", 12345), 5);
	KEXPECT_EQ(buf[0], 'Q');        /* size 0: untouched */
	KEXPECT_EQ(snprintf(NULL, 0, "%s-%d", "ab", 7), 4);
}

KTEST(lib, memmove_overlapping)
{
	char a[16] = "0123456789";
	memmove(a + 2, a, 8);           /* destination above source */
	KEXPECT_STREQ(a, "0101234567");
	char b[16] = "0123456789";
	memmove(b, b + 3, 8);           /* destination below source (copies the NUL) */
	KEXPECT_STREQ(b, "3456789");
	char c[8] = "abc";
	KEXPECT_EQ(memmove(c, c, 3), c);
	KEXPECT_STREQ(c, "abc");
}

KTEST(lib, strtou64_parses_and_reports_end)
{
	const char *end = NULL;
	KEXPECT_EQ(strtou64("12345", &end), 12345);
	KEXPECT_EQ(*end, 0);
	KEXPECT_EQ(strtou64("0x1fF", &end), 0x1ff);
	KEXPECT_EQ(*end, 0);
	const char *s = "42abc";
	KEXPECT_EQ(strtou64(s, &end), 42);
	KEXPECT_EQ(end, s + 2);
	KEXPECT_EQ(strtou64("18446744073709551615", NULL), 0xffffffffffffffffull);
	KEXPECT_EQ(strtou64("", &end), 0);
}

/* Is `item` one of the comma-separated words of `list`? */
static bool list_contains(const char *list, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

KTEST(lib, cmdline_real)
{
	KEXPECT_TRUE(cmdline_has("test"));
	KEXPECT_FALSE(cmdline_has("tes"));      /* whole words only */
	KEXPECT_FALSE(cmdline_has("no_such_option_xyz"));
	char v[BOOT_CMDLINE_MAX];
	KEXPECT_FALSE(cmdline_get("no_such_option_xyz", v, sizeof v));
	if (cmdline_get("test", v, sizeof v)) { /* "test=suite,...": lib must be listed */
		KEXPECT_NOT_NULL(strchr(boot_info.cmdline, '='));
		KEXPECT_TRUE(list_contains(v, "lib"));
	}
}

/* What the cmdline_* functions say about a synthetic command line. */
struct cmdline_probe {
	bool has_quiet, has_x, has_level7;
	bool get_loglevel, get_quiet, get_root, get_x;
	char loglevel[16], root[4], x[16];
};

/* Probe `line` as if it were the command line, then restore the real one. */
static void probe_cmdline(const char *line, struct cmdline_probe *r)
{
	char saved[BOOT_CMDLINE_MAX], v[16];
	strlcpy(saved, boot_info.cmdline, sizeof saved);
	strlcpy(boot_info.cmdline, line, sizeof boot_info.cmdline);
	r->has_quiet = cmdline_has("quiet");
	r->has_x = cmdline_has("x");
	r->has_level7 = cmdline_has("level=7");
	r->get_loglevel = cmdline_get("loglevel", r->loglevel, sizeof r->loglevel);
	r->get_quiet = cmdline_get("quiet", v, sizeof v);
	r->get_root = cmdline_get("root", r->root, sizeof r->root);
	r->get_x = cmdline_get("x", r->x, sizeof r->x);
	strlcpy(boot_info.cmdline, saved, sizeof boot_info.cmdline);
}

KTEST(lib, cmdline_synthetic)
{
	char before[BOOT_CMDLINE_MAX];
	strlcpy(before, boot_info.cmdline, sizeof before);
	struct cmdline_probe r = { 0 };
	probe_cmdline("  loglevel=7 quiet root=/dev/vda1  x=", &r);
	KEXPECT_STREQ(boot_info.cmdline, before);       /* restored */
	KEXPECT_TRUE(r.has_quiet);
	KEXPECT_TRUE(r.has_x);
	KEXPECT_FALSE(r.has_level7);    /* only whole words match */
	KEXPECT_TRUE(r.get_loglevel);
	KEXPECT_STREQ(r.loglevel, "7");
	KEXPECT_FALSE(r.get_quiet);     /* a word without a value has no value */
	KEXPECT_TRUE(r.get_root);
	KEXPECT_STREQ(r.root, "/de");   /* truncated to the buffer */
	KEXPECT_TRUE(r.get_x);
	KEXPECT_STREQ(r.x, "");
}
