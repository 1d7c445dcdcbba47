/*
 * shell.h - the serial-console monitor.
 *
 * Any file can add a command:
 *     SHELL_COMMAND(mem, "free and used pages") { ... argc, argv ... }
 * Commands land in the `shell_cmds` linker section and `help` lists them.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H
#include "kernel/types.h"

struct shell_cmd {
	const char *name;
	const char *help;
	int (*fn)(int argc, char **argv);
};

#define SHELL_COMMAND(cmdname, helptext)                                                 \
	static int shell_fn_##cmdname(int argc, char **argv);                            \
	static const struct shell_cmd shell_desc_##cmdname                               \
		__attribute__((section("shell_cmds"), used, aligned(8))) = {             \
			#cmdname, helptext, shell_fn_##cmdname };                        \
	static int shell_fn_##cmdname(int argc, char **argv)

/* Read and run commands from the console forever. */
__noreturn void shell_run(void);
/* Run one command line; returns the command's status (-1 if unknown). */
int shell_execute(char *line);
#endif
