/*
 * string.h - memory and string routines.
 *
 * The first group is the kernel's own kernel/lib/string.c, compiled into the
 * user library unchanged; the second is user/lib/string_posix.c. All are
 * plain byte loops (no SSE): correct, not fast.
 */
#ifndef _STRING_H
#define _STRING_H
#include <stddef.h>

/* --- from kernel/lib/string.c --- */
void *memset(void *dst, int c, size_t n);               /* fill n bytes with (unsigned char)c; returns dst */
void *memcpy(void *dst, const void *src, size_t n);     /* copy n bytes, must not overlap; returns dst */
void *memmove(void *dst, const void *src, size_t n);    /* copy n bytes, may overlap; returns dst */
int memcmp(const void *a, const void *b, size_t n);     /* <0, 0, >0 as unsigned bytes compare */
size_t strlen(const char *s);                           /* bytes before the NUL */
size_t strnlen(const char *s, size_t max);              /* strlen, but at most max */
int strcmp(const char *a, const char *b);               /* <0, 0, >0 as unsigned chars compare */
int strncmp(const char *a, const char *b, size_t n);    /* strcmp over at most n chars */
char *strchr(const char *s, int c);                     /* first c in s (c may be NUL), or NULL */
size_t strlcpy(char *dst, const char *src, size_t size); /* bounded copy, always NUL-terminated if size>0; returns strlen(src) */

/* --- from user/lib/string_posix.c --- */
char *strcpy(char *dst, const char *src);               /* copy with the NUL; returns dst */
char *strncpy(char *dst, const char *src, size_t n);    /* copy at most n, NUL-pad the rest (may leave no NUL); returns dst */
char *strcat(char *dst, const char *src);               /* append src; returns dst */
char *strncat(char *dst, const char *src, size_t n);    /* append at most n chars and a NUL; returns dst */
char *strrchr(const char *s, int c);                    /* last c in s (c may be NUL), or NULL */
char *strstr(const char *hay, const char *needle);      /* first occurrence of needle, or NULL ("" matches at hay) */
void *memchr(const void *s, int c, size_t n);           /* first byte == (unsigned char)c in n bytes, or NULL */
size_t strspn(const char *s, const char *accept);       /* length of the prefix made of accept's chars */
size_t strcspn(const char *s, const char *reject);      /* length of the prefix with none of reject's chars */
char *strdup(const char *s);                            /* malloc'd copy, or NULL with errno ENOMEM */
char *strndup(const char *s, size_t n);                 /* malloc'd copy of at most n chars, NUL-terminated */
char *strerror(int errnum);                             /* a static text for an errno value ("Unknown error N" otherwise) */
#endif
