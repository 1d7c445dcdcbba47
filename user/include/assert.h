/*
 * assert.h - assert(expr): if expr is false, print the expression, file,
 * line and function on stderr and abort() (the process dies by SIGABRT, or
 * exits with status 134 if the kernel does not deliver that signal).
 * With NDEBUG defined, assert() expands to nothing. May be included again
 * with a different NDEBUG setting, as C requires.
 */
#undef assert
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
#define assert(expr) ((expr) ? (void)0 : __assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif

#ifndef _ASSERT_H_DECL
#define _ASSERT_H_DECL
/* Report a failed assertion and abort(); never returns. */
void __assert_fail(const char *expr, const char *file, unsigned int line, const char *func)
	__attribute__((noreturn));
#define static_assert _Static_assert
#endif
