/*
 * stdio.c - unbuffered console streams over write()/read(). The formatting
 * itself is kernel/lib/format.c (vsnprintf, snprintf), linked in unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include "libc.h"

struct __secundus_file {
	int fd;
};

static struct __secundus_file std_files[3] = { { 0 }, { 1 }, { 2 } };
FILE *const stdin = &std_files[0];
FILE *const stdout = &std_files[1];
FILE *const stderr = &std_files[2];

/* Write all n bytes (write() may return a short count); n or -1. */
static int write_all(int fd, const char *s, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, s + done, n - done);
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return (int)n;
}

/* Format into a stack buffer, or a malloc'd one when the output is longer,
 * then hand the whole text to write() at once. */
static int vdprintf_(int fd, const char *fmt, va_list ap)
{
	char small[512];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	int r;
	if (n < 0) {
		r = -1;
	} else if ((size_t)n < sizeof(small)) {
		r = write_all(fd, small, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, ap2);
			r = write_all(fd, big, (size_t)n);
			free(big);
		} else {        /* out of memory: print what fits */
			r = write_all(fd, small, sizeof(small) - 1);
		}
	}
	va_end(ap2);
	return r;
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
	return vsnprintf(buf, (size_t)-1 / 2, fmt, ap);
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	return vdprintf_(f->fd, fmt, ap);
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf_(f->fd, fmt, ap);
	va_end(ap);
	return n;
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf_(fd, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	return vdprintf_(1, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf_(1, fmt, ap);
	va_end(ap);
	return n;
}

int fputs(const char *s, FILE *f)
{
	return write_all(f->fd, s, strlen(s)) < 0 ? EOF : 0;
}

int puts(const char *s)
{
	/* One write, so the line stays whole next to other processes' output. */
	size_t n = strlen(s);
	char small[256];
	char *buf = n < sizeof(small) ? small : malloc(n + 1);
	if (!buf)
		return fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ? EOF : 0;
	memcpy(buf, s, n);
	buf[n] = '\n';
	int r = write_all(1, buf, n + 1);
	if (buf != small)
		free(buf);
	return r < 0 ? EOF : 0;
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;
	return write_all(f->fd, &ch, 1) < 0 ? EOF : (unsigned char)c;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fgetc(FILE *f)
{
	unsigned char c;
	return read(f->fd, &c, 1) == 1 ? c : EOF;
}

int getchar(void)
{
	return fgetc(stdin);
}

int fflush(FILE *f)
{
	(void)f;
	return 0;
}

int fileno(FILE *f)
{
	return f->fd;
}

void perror(const char *s)
{
	const char *msg = strerror(errno);
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, msg);
	else
		fprintf(stderr, "%s\n", msg);
}
