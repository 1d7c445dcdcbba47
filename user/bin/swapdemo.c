/*
 * swapdemo - memory larger than RAM, narrated: maps N times the physical
 * memory (default 2, `run swapdemo 3` for 3x), writes a different value
 * into every page, then reads every page back. Most pages must have gone
 * to the swap disk and come back; the vmstat counters before and after
 * show how many were written (pswpout) and read (pswpin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <secundus/vmstat.h>

#define PAGE 4096UL

static void show(const char *when)
{
	struct secundus_vmstat st;
	if (secundus_vmstat(&st) == 0)
		printf("swapdemo: %s: free %lu of %lu pages, swapped out %lu, in %lu, reclaim scanned %lu\n", when,
		       st.free_pages, st.total_pages, st.pswpout, st.pswpin, st.reclaim_scanned);
}

int main(int argc, char **argv)
{
	long times = argc > 1 ? atol(argv[1]) : 2;
	long pages = times * sysconf(_SC_PHYS_PAGES);
	printf("swapdemo: %ld pages (%ld MiB), %ld x RAM\n", pages, pages * PAGE >> 20, times);
	unsigned long *mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("swapdemo: mmap");
		return 1;
	}
	show("before");
	for (long i = 0; i < pages; i++)
		mem[i * (PAGE / sizeof *mem)] = (unsigned long)i * 2654435761u;
	show("written");
	long bad = 0;
	for (long i = 0; i < pages; i++)
		bad += mem[i * (PAGE / sizeof *mem)] != (unsigned long)i * 2654435761u;
	show("read back");
	printf("swapdemo: %ld wrong pages\n", bad);
	return bad != 0;
}
