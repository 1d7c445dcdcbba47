/*
 * stdio.h - formatted output to the console, and string formatting.
 *
 * Streams are unbuffered: every printf()/puts() call formats its whole
 * output first and hands it to write() in one call, so lines from different
 * processes or threads do not mix mid-line, and nothing is lost or doubled
 * across fork() or _exit(). fflush() therefore has nothing to do.
 *
 * Formatting is the kernel's kernel/lib/format.c: %d %i %u %x %X %o %p %s
 * %c %%, flags - 0 space + #, width and precision (also *), length
 * modifiers hh h l ll z t j. There is NO floating point (%f, %e, %g):
 * user code is compiled with -mgeneral-regs-only.
 */
#ifndef _STDIO_H
#define _STDIO_H
#include <stddef.h>
#include <stdarg.h>

#define EOF (-1)
#define BUFSIZ 1024

typedef struct __secundus_file FILE;   /* a stream: only a file descriptor */
extern FILE *const stdin;               /* fd 0 */
extern FILE *const stdout;              /* fd 1 */
extern FILE *const stderr;              /* fd 2 */
#define stdin stdin
#define stdout stdout
#define stderr stderr

#define __printf_like(a, b) __attribute__((format(printf, a, b)))

/* Format into buf (at most size-1 chars and a NUL when size > 0); return the
 * length the whole output has (so a result >= size means it was truncated). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf_like(3, 4);
/* Unbounded versions: buf must be large enough. Prefer snprintf. */
int vsprintf(char *buf, const char *fmt, va_list ap);
int sprintf(char *buf, const char *fmt, ...) __printf_like(2, 3);

/* Write formatted output to stdout / a stream; return the bytes written, or
 * -1 (errno set) if write() failed. */
int printf(const char *fmt, ...) __printf_like(1, 2);
int vprintf(const char *fmt, va_list ap);
int fprintf(FILE *f, const char *fmt, ...) __printf_like(2, 3);
int vfprintf(FILE *f, const char *fmt, va_list ap);
int dprintf(int fd, const char *fmt, ...) __printf_like(2, 3);

/* puts: s and a newline to stdout. fputs: s alone. Return >= 0, or EOF. */
int puts(const char *s);
int fputs(const char *s, FILE *f);
/* One character; returns it as unsigned char, or EOF. */
int putchar(int c);
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
/* Read one byte from stdin / a stream; EOF at end of input or on error. */
int getchar(void);
int fgetc(FILE *f);
/* Nothing is buffered: returns 0. */
int fflush(FILE *f);
/* The file descriptor behind a stream. */
int fileno(FILE *f);
/* Print "s: <strerror(errno)>" (or just the error if s is NULL or "") on stderr. */
void perror(const char *s);
#endif
