/*
 * host_klib.h - declarations of the kernel's string and format routines
 * under their host names (k_memcpy, k_snprintf, ...; see host_rename.h).
 *
 * The prototypes come from the kernel headers themselves, read with the
 * renames on; afterwards the renames are undone so the test file's own
 * memcpy, snprintf, ... are the host C library's again.
 */
#ifndef TESTS_HOST_KLIB_H
#define TESTS_HOST_KLIB_H
#include <stdio.h>
#include <string.h>

#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy
#undef strtou64
#undef vsnprintf
#undef snprintf
#include "tests/host/host_rename.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy
#undef strtou64
#undef vsnprintf
#undef snprintf
#endif
