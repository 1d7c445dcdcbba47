/*
 * shell_test.c - the serial-console monitor's command dispatch
 * (kernel/shell.c): shell_execute() runs built-in commands and returns
 * their status, -1 for an unknown command, 0 for an empty line.
 * The commands print to the console; that output is not checked here
 * (and none of it looks like a KTAP line).
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/shell.h"

KTEST(shell, echo_returns_zero)
{
	char line[] = "echo shell_test: echo works";
	KEXPECT_EQ(shell_execute(line), 0);
	char bare[] = "echo";
	KEXPECT_EQ(shell_execute(bare), 0);
}

KTEST(shell, unknown_command_returns_minus_one)
{
	char line[] = "no_such_command_xyz arg";
	KEXPECT_EQ(shell_execute(line), -1);
	char prefix[] = "ech";          /* a prefix of a command is not that command */
	KEXPECT_EQ(shell_execute(prefix), -1);
}

KTEST(shell, empty_line_returns_zero)
{
	char empty[] = "";
	KEXPECT_EQ(shell_execute(empty), 0);
	char blanks[] = "  \t  ";
	KEXPECT_EQ(shell_execute(blanks), 0);
}

KTEST(shell, mem_returns_zero_and_leaks_nothing)
{
	u64 free = pmm_free_pages(), live = kmalloc_live_objects();
	char line[] = "mem";
	KEXPECT_EQ(shell_execute(line), 0);
	KEXPECT_EQ(pmm_free_pages(), free);
	KEXPECT_EQ(kmalloc_live_objects(), live);
}

KTEST(shell, uptime_returns_zero)
{
	char line[] = "  uptime  ";     /* surrounding blanks are ignored */
	KEXPECT_EQ(shell_execute(line), 0);
}

KTEST(shell, help_returns_zero)
{
	char line[] = "help";
	KEXPECT_EQ(shell_execute(line), 0);
}
