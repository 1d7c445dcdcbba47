/* uaccess.c - user-memory copies guarded by catch_fault (see uaccess.h). */
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vm.h"
#include "kernel/catch.h"
#include "kernel/lib/string.h"
#include "kernel/uapi/uapi_errno.h"

bool user_range_ok(u64 uaddr, u64 len)
{
	return len <= USER_TOP && uaddr <= USER_TOP - len;
}

static __attribute__((noinline)) int guarded_copy(void *dst, const void *src, size_t len)
{
	struct fault_catch fc;
	return catch_uaccess_fault(&fc, memcpy(dst, src, len)) ? -EFAULT : 0;
}

int copy_from_user(void *dst, u64 usrc, size_t len)
{
	if (!user_range_ok(usrc, len))
		return -EFAULT;
	return len ? guarded_copy(dst, (const void *)usrc, len) : 0;
}

int copy_to_user(u64 udst, const void *src, size_t len)
{
	if (!user_range_ok(udst, len))
		return -EFAULT;
	return len ? guarded_copy((void *)udst, src, len) : 0;
}
