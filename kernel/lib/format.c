/*
 * format.c - a small vsnprintf. Pure C with no kernel dependencies so the
 * host unit tests (tests/host/) can check it against the C library.
 */
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

struct out {
	char *buf;
	size_t size;
	size_t len;     /* characters produced so far (may exceed size) */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, space, plus, alt;
	int width, prec;        /* prec < 0: none */
};

/* Emit a string of len chars with padding according to spec. */
static void put_padded(struct out *o, const struct spec *sp, const char *s, int len)
{
	if (!sp->left)
		put_repeat(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		put_repeat(o, ' ', sp->width - len);
}

static void put_number(struct out *o, const struct spec *sp, u64 v, bool neg,
		       unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (n == 0 && sp->prec != 0)
		tmp[n++] = '0';
	int zeros = sp->prec > n ? sp->prec - n : 0;
	const char *sign = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	int plen = (int)strlen(sign) + (int)strlen(prefix);
	int total = plen + zeros + n;
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		put_repeat(o, ' ', sp->width - total);
	for (const char *p = sign; *p; p++)
		put(o, *p);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	put_repeat(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		put_repeat(o, ' ', sp->width - total);
}

static int parse_int(const char **fmt)
{
	int v = 0;
	while (**fmt >= '0' && **fmt <= '9')
		v = v * 10 + (*(*fmt)++ - '0');
	return v;
}

/* Fetch an integer argument of the given length class (0=int, 1=long, 2=long long, -1=short, -2=char). */
static u64 fetch_unsigned(va_list *ap, int lenclass)
{
	switch (lenclass) {
	case -2: return (unsigned char)va_arg(*ap, unsigned int);
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case 0: return va_arg(*ap, unsigned int);
	default: return va_arg(*ap, unsigned long long);
	}
}

static s64 fetch_signed(va_list *ap, int lenclass)
{
	switch (lenclass) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 0: return va_arg(*ap, int);
	default: return va_arg(*ap, long long);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		struct spec sp = { .prec = -1 };
		for (;; fmt++) {
			if (*fmt == '-') sp.left = true;
			else if (*fmt == '0') sp.zero = true;
			else if (*fmt == ' ') sp.space = true;
			else if (*fmt == '+') sp.plus = true;
			else if (*fmt == '#') sp.alt = true;
			else break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			sp.width = parse_int(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			} else {
				sp.prec = parse_int(&fmt);
			}
		}
		int lenclass = 0;
		for (;; fmt++) {
			if (*fmt == 'h') lenclass--;
			else if (*fmt == 'l') lenclass++;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') lenclass = 1;
			else break;
		}
		char c = *fmt ? *fmt++ : 0;
		switch (c) {
		case 'd':
		case 'i': {
			s64 v = fetch_signed(&ap, lenclass);
			put_number(&o, &sp, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false, "");
			break;
		}
		case 'u':
			put_number(&o, &sp, fetch_unsigned(&ap, lenclass), false, 10, false, "");
			break;
		case 'x':
		case 'X': {
			u64 v = fetch_unsigned(&ap, lenclass);
			put_number(&o, &sp, v, false, 16, c == 'X', sp.alt && v ? (c == 'X' ? "0X" : "0x") : "");
			break;
		}
		case 'o': {
			u64 v = fetch_unsigned(&ap, lenclass);
			put_number(&o, &sp, v, false, 8, false, sp.alt && v ? "0" : "");
			break;
		}
		case 'p': {
			void *p = va_arg(ap, void *);
			put_number(&o, &sp, (u64)(uintptr_t)p, false, 16, false, "0x");
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)(sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s));
			put_padded(&o, &sp, s, len);
			break;
		}
		case 'c': {
			char ch = (char)va_arg(ap, int);
			put_padded(&o, &sp, &ch, 1);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:        /* unknown conversion: print it verbatim */
			put(&o, '%');
			if (c)
				put(&o, c);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
