/*
 * nx_exec_kill - executing memory mapped without PROT_EXEC kills with
 * SIGSEGV (NX), while the same code in a PROT_EXEC page runs. The code is
 * one `ret` instruction (0xc3) copied into an anonymous page.
 */
#include "test.h"

typedef void (*fn_t)(void);

static void call(void *p)
{
	((fn_t)p)();
}

/* Called in the child: the page was executable, so calling it returns. */
static void call_ok(void *p)
{
	((fn_t)p)();
	_exit(0);
}

int main(void)
{
	test_start("nx_exec_kill", "executing non-PROT_EXEC memory kills with SIGSEGV");

	/* A read-write page holding `ret`. */
	unsigned char *rw = (unsigned char *)map_pages(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	rw[0] = 0xc3;
	EXPECT_KILLED(SIGSEGV, call, rw, "call into a PROT_READ|PROT_WRITE page");

	/* Read-only, not executable. */
	CHECK(mprotect(rw, PAGE, PROT_READ) == 0, "mprotect RO: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, call, rw, "call into a PROT_READ page");

	/* The control: with PROT_EXEC the same byte runs and returns. */
	CHECK(mprotect(rw, PAGE, PROT_READ | PROT_EXEC) == 0, "mprotect RX: errno %d", errno);
	EXPECT_EXIT0(call_ok, rw, "call into a PROT_READ|PROT_EXEC page");
	call(rw);       /* and in the parent itself */

	/* Executable again -> not executable: the old permission is gone. */
	CHECK(mprotect(rw, PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect RW: errno %d", errno);
	EXPECT_KILLED(SIGSEGV, call, rw, "call after PROT_EXEC was removed");

	/* Code on the stack does not run either. */
	unsigned char on_stack[16] = { 0xc3 };
	EXPECT_KILLED(SIGSEGV, call, on_stack, "call into the stack");

	/* Nor in malloc'd memory. */
	unsigned char *heap = malloc(64);
	if (heap) {
		heap[0] = 0xc3;
		EXPECT_KILLED(SIGSEGV, call, heap, "call into malloc'd memory");
		free(heap);
	}
	return test_done();
}
