/* mman.c - mmap, munmap, mprotect, madvise: thin wrappers over the syscalls. */
#include <sys/mman.h>
#include <errno.h>
#include "libc.h"

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = __syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
	if (__syscall_failed(r)) {
		errno = (int)-r;
		return MAP_FAILED;
	}
	return (void *)r;
}

int munmap(void *addr, size_t len)
{
	return (int)__syscall_ret(__syscall2(SYS_munmap, (long)addr, (long)len));
}

int mprotect(void *addr, size_t len, int prot)
{
	return (int)__syscall_ret(__syscall3(SYS_mprotect, (long)addr, (long)len, prot));
}

int madvise(void *addr, size_t len, int advice)
{
	return (int)__syscall_ret(__syscall3(SYS_madvise, (long)addr, (long)len, advice));
}
