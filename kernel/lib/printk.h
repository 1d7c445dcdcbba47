/*
 * printk.h - kernel console output.
 *
 * printk(level, fmt, ...) prints "[seconds.micro] " then the message when
 * level <= console_loglevel (kernel command line "loglevel=N", default
 * LOG_INFO). pr_err/pr_warn/pr_info/pr_debug are the usual shorthands.
 * console_printf() prints raw text with no prefix and no level: the KTAP
 * test output and the shell use it.
 */
#ifndef LIB_PRINTK_H
#define LIB_PRINTK_H
#include "kernel/types.h"

enum log_level { LOG_EMERG, LOG_ERR = 3, LOG_WARN = 4, LOG_INFO = 6, LOG_DEBUG = 7 };
extern int console_loglevel;

int printk(int level, const char *fmt, ...) __printf(2, 3);
int console_printf(const char *fmt, ...) __printf(1, 2);
int console_vprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);
/* Read one character from the console, sleeping (hlt) until one arrives. */
int console_getc(void);
/*
 * Called on panic: from now on printing ignores the console lock, so a CPU
 * that died holding it cannot silence the panic message.
 */
void console_break_locks(void);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)
#endif
