/*
 * usertests.c - what the kernel's init thread does with user programs:
 * run the user test programs as KTAP suites (test mode), run the
 * benchmarks (bench mode), and the shell's `run` and `ls` (`ps` is in proc.c).
 *
 * A user test is a program that exits 0 on success. Suite "user" holds
 * the programs of user/tests (initrd test/NAME), suite "user_extra" those
 * of EXTRA_USER (extra/NAME), suite "swap" those of user/swaptests
 * (swap/NAME; only with test=swap). Each runs with a time limit; its
 * output appears as "# " diagnostic lines inside the suite.
 */
#include "kernel/proc/proc.h"
#include "kernel/time.h"
#include "kernel/proc/initrd.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/secondary.h"
#include "kernel/shell.h"
#include "kernel/test/ktest.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"
#include "kernel/lib/format.h"
#include "kernel/uapi/uapi_mman.h"

#define USER_TEST_TIMEOUT_MS 120000
#define ORPHAN_WAIT_MS 5000
#define SWAP_TEST_TIMEOUT_MS 300000     /* swapping at a few thousand pages a second, 4 vCPUs on 2 host cores */

struct user_suite {
	const char *suite;
	const char *prefix;
	bool named_only;        /* runs only when test= names it, never in a plain `test` boot */
	int timeout_ms;         /* per program */
};
static const struct user_suite user_suites[] = {
	{ "user", "test/", false, USER_TEST_TIMEOUT_MS },
	{ "user_extra", "extra/", false, USER_TEST_TIMEOUT_MS },
	/* Swap under memory pressure: meant for a small MEM= and a large disk
	 * (tools/testall.py group "swap"); too slow for every test boot. */
	{ "swap", "swap/", true, SWAP_TEST_TIMEOUT_MS },
};

static int count_members(const char *prefix)
{
	int n = 0;
	while (initrd_nth(prefix, n))
		n++;
	return n;
}

/* The selected, non-empty suites, in order: the i-th one. */
static const struct user_suite *nth_suite(int i)
{
	for (unsigned k = 0; k < ARRAY_SIZE(user_suites); k++) {
		const struct user_suite *s = &user_suites[k];
		bool selected = s->named_only ? ktest_suite_named(s->suite) : ktest_suite_selected(s->suite);
		if (count_members(s->prefix) && selected && i-- == 0)
			return s;
	}
	return NULL;
}

int ktest_extra_suite_count(void)
{
	int n = 0;
	while (nth_suite(n))
		n++;
	return n;
}

static void describe_status(int status, bool timed_out, int timeout_ms, char *buf, size_t n)
{
	if (timed_out)
		snprintf(buf, n, "timed out after %d s and was killed", timeout_ms / 1000);
	else if ((status & 0x7f) == 0)
		snprintf(buf, n, "exited with status %d", (status >> 8) & 0xff);
	else
		snprintf(buf, n, "killed by signal %d", status & 0x7f);
}

/* Run one program to completion: 0 when it exited with status 0. */
static bool run_one_test(const char *path, int index, int timeout_ms)
{
	const char *name = strchr(path, '/') + 1;
	const char *argv[] = { name };
	int err;
	u64 violations = secondary_violations();        /* before the program can run */
	int procs = proc_count();
	struct proc *p = proc_spawn(path, 1, argv, &err);
	if (!p) {
		ktest_diag("could not start %s: error %d", path, err);
		console_printf("    not ok %d %s\n", index, name);
		ktest_count_result(false);
		return false;
	}
	bool timed_out;
	int status = proc_wait_timeout(p, timeout_ms, &timed_out);
	bool ok = status == 0 && !timed_out;
	/* Processes it left behind (orphans are reaped once dead) would run
	 * on into the next test: wait for them a little, then fail. */
	int left = proc_count() - procs;
	for (int waited = 0; left > 0 && waited < ORPHAN_WAIT_MS; waited += 10) {
		msleep(10);
		left = proc_count() - procs;
	}
	if (left > 0) {
		ktest_diag("%s left %d process(es) running (`ps` lists them)", name, left);
		ok = false;
	}
	if (secondary_violations() != violations) {
		ktest_diag("%s: %lu secondary-MMU invariant violation(s) (see the INVARIANT lines above)", name,
			   secondary_violations() - violations);
		ok = false;
	}
	if (!ok) {
		char why[80];
		describe_status(status, timed_out, timeout_ms, why, sizeof why);
		ktest_diag("%s %s", name, why);
	}
	console_printf("    %s %d %s\n", ok ? "ok" : "not ok", index, name);
	ktest_count_result(ok);
	return ok;
}

bool ktest_run_extra_suite(int i, int suite_index)
{
	const struct user_suite *s = nth_suite(i);
	int n = count_members(s->prefix);
	console_printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", s->suite, n);
	bool ok = true;
	for (int k = 0; k < n; k++)
		ok &= run_one_test(initrd_nth(s->prefix, k), k + 1, s->timeout_ms);
	console_printf("%s %d %s\n", ok ? "ok" : "not ok", suite_index, s->suite);
	return ok;
}

/* bench mode: run the bench/ programs, then the extra/ ones, output as is. */
void run_benchmarks(void)
{
	static const char *const prefixes[] = { "bench/", "extra/" };
	for (unsigned k = 0; k < ARRAY_SIZE(prefixes); k++) {
		const char *path;
		for (int i = 0; (path = initrd_nth(prefixes[k], i)); i++) {
			const char *argv[] = { strchr(path, '/') + 1 };
			int err;
			struct proc *p = proc_spawn(path, 1, argv, &err);
			if (!p) {
				console_printf("bench: cannot start %s (%d)\n", path, err);
				continue;
			}
			int status = proc_wait(p);
			if (status)
				console_printf("bench: %s ended with status %#x\n", path, status);
		}
	}
	console_printf("BENCH-DONE\n");
}

/* Find a program by bare name in bin/, test/, bench/, swap/, extra/ (or an exact path). */
static bool resolve_program(const char *name, char *path, size_t n)
{
	static const char *const dirs[] = { "", "bin/", "test/", "bench/", "swap/", "extra/" };
	const u8 *data;
	u64 size;
	for (unsigned k = 0; k < ARRAY_SIZE(dirs); k++) {
		snprintf(path, n, "%s%s", dirs[k], name);
		if (initrd_find(path, &data, &size))
			return true;
	}
	return false;
}

SHELL_COMMAND(run, "run a user program and wait for it: run NAME [ARGS...]")
{
	if (argc < 2) {
		console_printf("usage: run NAME [ARGS...]   (see `ls`)\n");
		return -1;
	}
	char path[128];
	if (!resolve_program(argv[1], path, sizeof path)) {
		console_printf("run: %s: no such program in the initrd\n", argv[1]);
		return -1;
	}
	int err;
	struct proc *p = proc_spawn(path, argc - 1, (const char *const *)argv + 1, &err);
	if (!p) {
		console_printf("run: %s: cannot start (error %d)\n", path, err);
		return -1;
	}
	int pid = p->pid;
	int status = proc_wait(p);
	char why[80];
	describe_status(status, false, 0, why, sizeof why);
	console_printf("[pid %d %s]\n", pid, why);
	return status;
}

SHELL_COMMAND(ls, "list the programs in the initrd")
{
	UNUSED(argc), UNUSED(argv);
	const char *name;
	for (int i = 0; (name = initrd_nth("", i)); i++)
		console_printf("  %s\n", name);
	return 0;
}
