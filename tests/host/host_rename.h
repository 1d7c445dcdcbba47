/*
 * host_rename.h - give the kernel's libc-named functions host-safe names.
 *
 * kernel/lib/string.c and format.c define memcpy, strlen, snprintf, ... which
 * would clash with (or silently replace) the host C library and the
 * sanitizer runtime's interceptors. The Makefile force-includes this file
 * (-include) when it compiles kernel sources for the host tests, so the
 * kernel's objects define and call k_memcpy, k_strlen, k_snprintf, ...
 * Test files reach them through host_klib.h. Keep the two lists in step.
 */
#ifndef TESTS_HOST_RENAME_H
#define TESTS_HOST_RENAME_H
#define memset k_memset
#define memcpy k_memcpy
#define memmove k_memmove
#define memcmp k_memcmp
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define strlcpy k_strlcpy
#define strtou64 k_strtou64
#define vsnprintf k_vsnprintf
#define snprintf k_snprintf
#endif
