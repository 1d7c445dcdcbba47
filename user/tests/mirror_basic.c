/*
 * mirror_basic: the mirror device (a software secondary MMU) reads and
 * writes anonymous memory, including pages never touched; it gets EFAULT
 * after munmap, for PROT_NONE and kernel addresses; EPERM writing
 * read-only memory and success again after mprotect(RW); a writable entry
 * it cached is revoked by mprotect(PROT_READ); bad handles and lengths are
 * refused. Secundus only (Linux has no such device).
 */
#include "test.h"
#ifdef __secundus__
#include <secundus/mirror.h>

static void read_write_untouched(int h)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[64];
	memset(buf, 0x55, sizeof buf);
	CHECK(mirror_read(h, p + PAGE + 10, buf, sizeof buf) == 0, "device read of an untouched page: errno %d", errno);
	int zeros = 1;
	for (unsigned i = 0; i < sizeof buf; i++)
		zeros &= buf[i] == 0;
	CHECK(zeros, "an untouched page reads as zeros through the device");
	CHECK(mirror_write(h, p + 3 * PAGE - 8, "hello, device!", 15) == 0, "device write across pages: errno %d", errno);
	CHECK(strcmp(p + 3 * PAGE - 8, "hello, device!") == 0, "the CPU sees the device's write");
	strcpy(p, "from the CPU");
	CHECK(mirror_read(h, p, buf, 13) == 0 && strcmp(buf, "from the CPU") == 0, "the device sees the CPU's write");
	munmap(p, 4 * PAGE);
	errno = 0;
	CHECK(mirror_read(h, p, buf, 8) == -1 && errno == EFAULT, "EFAULT after munmap (errno %d)", errno);
}

static void protections(int h)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[8] = "abcdefg";
	CHECK(mirror_write(h, p, buf, 8) == 0, "device write to RW memory");
	mprotect(p, PAGE, PROT_READ);
	errno = 0;
	CHECK(mirror_write(h, p, buf, 8) == -1 && errno == EPERM,
	      "a cached writable entry is revoked by mprotect(PROT_READ): EPERM (errno %d)", errno);
	CHECK(mirror_read(h, p, buf, 8) == 0, "reading read-only memory still works");
	mprotect(p, PAGE, PROT_READ | PROT_WRITE);
	CHECK(mirror_write(h, p, "xyz", 4) == 0 && strcmp(p, "xyz") == 0, "write works again after mprotect(RW)");
	mprotect(p + PAGE, PAGE, PROT_NONE);
	errno = 0;
	CHECK(mirror_read(h, p + PAGE, buf, 8) == -1 && errno == EFAULT, "EFAULT for PROT_NONE (errno %d)", errno);
	errno = 0;
	CHECK(mirror_read(h, (void *)0xffffffff80000000ul, buf, 8) == -1 && errno == EFAULT,
	      "EFAULT for a kernel address (errno %d)", errno);
	errno = 0;
	CHECK(mirror_read(h, p, buf, ~0ul) == -1 && errno == EINVAL, "EINVAL for an overflowing length (errno %d)", errno);
	errno = 0;
	CHECK(mirror_read(h + 5, p, buf, 8) == -1 && errno == EBADF, "EBADF for a bad handle (errno %d)", errno);
	munmap(p, 2 * PAGE);
}

int main(void)
{
	test_name = "mirror_basic";
	int h = mirror_open();
	if (h < 0)
		FATAL("mirror_open: errno %d", errno);
	read_write_untouched(h);
	protections(h);
	struct mirror_stat st;
	CHECK(mirror_stat(h, &st) == 0 && st.faults > 0 && st.invalidations > 0,
	      "stat counts faults (%lu) and invalidations (%lu)", st.faults, st.invalidations);
	CHECK(mirror_close(h) == 0, "close");
	errno = 0;
	CHECK(mirror_close(h) == -1 && errno == EBADF, "a closed handle is bad (errno %d)", errno);
	return test_done();
}
#else
int main(void)
{
	printf("mirror_basic: the mirror device exists only on Secundus; skipped\n");
	return 0;
}
#endif
