/* vmstat.c - secundus_vmstat: read the kernel's VM counters. */
#include <secundus/vmstat.h>
#include <string.h>
#include "libc.h"

int secundus_vmstat(struct secundus_vmstat *st)
{
	/* An older kernel copies only the fields it has: the rest read 0. */
	memset(st, 0, sizeof(*st));
	long r = __syscall2(SYS_vmstat, (long)st, (long)sizeof(*st));
	return __syscall_ret(r) < 0 ? -1 : 0;
}
