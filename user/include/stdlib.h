/*
 * stdlib.h - memory allocation, process exit, number conversion.
 *
 * malloc() and friends take their memory from anonymous mmap(); they are
 * safe to call from several threads (one spinlock) and from a forked child.
 * Every block is 16-byte aligned. Small blocks (up to 2 KiB) come from
 * size-class free lists; larger ones are a mapping of their own and go
 * back to the kernel on free().
 */
#ifndef _STDLIB_H
#define _STDLIB_H
#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

/* n bytes, uninitialised; NULL with errno ENOMEM on failure. malloc(0)
 * returns a unique pointer that may be passed to free(). */
void *malloc(size_t n);
/* Release a block from malloc/calloc/realloc; free(NULL) does nothing. */
void free(void *p);
/* nmemb*size zeroed bytes; NULL with ENOMEM on failure or overflow. */
void *calloc(size_t nmemb, size_t size);
/* Resize p to n bytes keeping the first min(old, n) bytes; realloc(NULL, n)
 * is malloc(n). On failure returns NULL and p is left untouched. */
void *realloc(void *p, size_t n);

/* Run the atexit() handlers (last registered first), then end the whole
 * process (all threads) with status & 0xff. */
void exit(int status) __attribute__((noreturn));
/* End the whole process at once, without running atexit() handlers. */
void _Exit(int status) __attribute__((noreturn));
/* Register fn to run at exit(); at most 32. Returns 0, or -1 if full. */
int atexit(void (*fn)(void));
/* End the process abnormally: killed by SIGABRT (or, if the kernel does not
 * deliver that signal, by SIGKILL, or exit status 134). */
void abort(void) __attribute__((noreturn));
/* Secundus has no environment: always NULL. */
char *getenv(const char *name);

/* Decimal conversion without error checking (like strtol(s, NULL, 10)). */
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);
/* Parse an integer in base 2..36 (0: 0x.. hex, 0.. octal, else decimal),
 * after optional spaces and sign. *end (if not NULL) gets the first unparsed
 * char (s itself if nothing was parsed). On overflow the result is clamped
 * to the type's limit and errno is ERANGE. */
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);

int abs(int x);                 /* |x| (abs(INT_MIN) is undefined, as in C) */
long labs(long x);
long long llabs(long long x);

/* Sort n elements of the given size into ascending order by cmp (an
 * in-place heap sort: not stable, no allocation). */
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* A pseudo-random number in 0..RAND_MAX (a 64-bit LCG; not thread-safe). */
int rand(void);
void srand(unsigned int seed);
#endif
