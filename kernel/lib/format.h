/* format.h - printf-style formatting (kernel/lib/format.c), shared by printk and snprintf. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H
#include "kernel/types.h"

/*
 * Supported: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' ' ' '+' '#',
 * width and precision (also '*'), length modifiers hh h l ll z t j.
 * Returns the length the full output would have, like C's vsnprintf;
 * at most size-1 characters are written and the buffer is always
 * NUL-terminated when size > 0.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
#endif
