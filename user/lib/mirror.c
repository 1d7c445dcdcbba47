/* mirror.c - the mirror device's user interface (secundus/mirror.h). */
#include <secundus/mirror.h>
#include "libc.h"

int mirror_open(void) { return (int)__syscall_ret(__syscall0(SYS_mirror_open)); }

int mirror_read(int h, const void *va, void *buf, size_t len)
{
	return (int)__syscall_ret(__syscall4(SYS_mirror_read, h, (long)va, (long)buf, (long)len));
}

int mirror_write(int h, void *va, const void *buf, size_t len)
{
	return (int)__syscall_ret(__syscall4(SYS_mirror_write, h, (long)va, (long)buf, (long)len));
}

int mirror_close(int h) { return (int)__syscall_ret(__syscall1(SYS_mirror_close, h)); }

int mirror_stat(int h, struct mirror_stat *st)
{
	return (int)__syscall_ret(__syscall2(SYS_mirror_stat, h, (long)st));
}

long mirror_ctl(int h, int op, long arg) { return __syscall_ret(__syscall3(SYS_mirror_ctl, h, op, arg)); }

int secundus_move_page(void *addr) { return (int)__syscall_ret(__syscall1(SYS_move_page, (long)addr)); }
