/* stdlib.c - number conversion, abs, qsort, rand. */
#include <stdlib.h>
#include <limits.h>
#include <ctype.h>
#include <errno.h>

static int digit(int c)
{
	if (isdigit(c))
		return c - '0';
	if (islower(c))
		return c - 'a' + 10;
	if (isupper(c))
		return c - 'A' + 10;
	return 99;
}

/*
 * The common part of the strto* family: parse the magnitude as an unsigned
 * long long, clamping at max_pos or max_neg (the largest magnitude allowed
 * for the sign seen); *neg receives the sign, *overflowp whether the value
 * was clamped (errno is then ERANGE).
 */
static unsigned long long parse(const char *s, char **end, int base, int *neg, int *overflowp,
				unsigned long long max_pos, unsigned long long max_neg)
{
	const char *p = s;
	unsigned long long v = 0;
	int overflow = 0, any = 0;
	*neg = 0;
	*overflowp = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit((unsigned char)p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	unsigned long long max = *neg ? max_neg : max_pos;
	for (int d; (d = digit((unsigned char)*p)) < base; p++) {
		any = 1;
		if (overflow)
			continue;
		if (v > (max - (unsigned long long)d) / (unsigned long long)base) {
			overflow = 1;
			v = max;
		} else {
			v = v * (unsigned long long)base + (unsigned long long)d;
		}
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		errno = ERANGE;
	*overflowp = overflow;
	return v;
}

long long strtoll(const char *s, char **end, int base)
{
	int neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow, LLONG_MAX,
				     (unsigned long long)LLONG_MAX + 1);
	return neg ? (long long)(0 - v) : (long long)v;
}

long strtol(const char *s, char **end, int base)
{
	return (long)strtoll(s, end, base);    /* long is long long on x86_64 */
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	int neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow, ULLONG_MAX, ULLONG_MAX);
	if (overflow)
		return ULLONG_MAX;
	return neg ? 0 - v : v;                 /* "-1" is ULLONG_MAX, as in C */
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return (unsigned long)strtoull(s, end, base);
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

long long atoll(const char *s)
{
	return strtoll(s, NULL, 10);
}

int abs(int x)
{
	return x < 0 ? -x : x;
}

long labs(long x)
{
	return x < 0 ? -x : x;
}

long long llabs(long long x)
{
	return x < 0 ? -x : x;
}

static void swap_bytes(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Restore the max-heap property below node i of a heap of n elements. */
static void sift_down(char *base, size_t i, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t big = i, l = 2 * i + 1, r = l + 1;
		if (l < n && cmp(base + l * size, base + big * size) > 0)
			big = l;
		if (r < n && cmp(base + r * size, base + big * size) > 0)
			big = r;
		if (big == i)
			return;
		swap_bytes(base + i * size, base + big * size, size);
		i = big;
	}
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;
	for (size_t i = n / 2; i-- > 0; )
		sift_down(b, i, n, size, cmp);
	for (size_t end = n; end > 1; end--) {
		swap_bytes(b, b + (end - 1) * size, size);
		sift_down(b, 0, end - 1, size, cmp);
	}
}

static unsigned long long rand_state = 1;

void srand(unsigned int seed)
{
	rand_state = seed;
}

int rand(void)
{
	rand_state = rand_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (int)(rand_state >> 33);
}
