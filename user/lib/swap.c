/* swap.c - secundus_swapinfo, secundus_swap_fail (secundus/swap.h). */
#include <secundus/swap.h>
#include <string.h>
#include "libc.h"

int secundus_swapinfo(struct secundus_swapinfo *info)
{
	/* An older kernel copies only the fields it has: the rest read 0. */
	memset(info, 0, sizeof(*info));
	long r = __syscall3(SYS_swapctl, SWAPCTL_INFO, (long)info, (long)sizeof(*info));
	return __syscall_ret(r) < 0 ? -1 : 0;
}

int secundus_swap_fail(unsigned long read_every, unsigned long write_every)
{
	long r = __syscall3(SYS_swapctl, SWAPCTL_FAIL, (long)read_every, (long)write_every);
	return __syscall_ret(r) < 0 ? -1 : 0;
}
