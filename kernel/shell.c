/*
 * shell.c - a line-oriented monitor on the serial console.
 *
 * Reads a line (echoing, with backspace), splits it into words and runs
 * the command of that name from the `shell_cmds` section. When `make run`
 * is fed from a pipe instead of a terminal, the same loop runs the
 * scripted tour the pipe carries (tools/tour.txt).
 */
#include "kernel/shell.h"
#include "kernel/arch.h"
#include "kernel/ksyms.h"
#include "kernel/time.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/buddy.h"
#include "kernel/lib/printk.h"
#include "kernel/lib/string.h"

#define MAX_LINE 128
#define MAX_ARGS 8

extern const struct shell_cmd shell_cmds_start[], shell_cmds_end[];

static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	for (char *p = line; *p && argc < max;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

int shell_execute(char *line)
{
	char *argv[MAX_ARGS + 1];
	int argc = split_words(line, argv, MAX_ARGS);
	argv[argc] = NULL;
	if (argc == 0)
		return 0;
	for (const struct shell_cmd *c = shell_cmds_start; c < shell_cmds_end; c++)
		if (strcmp(c->name, argv[0]) == 0)
			return c->fn(argc, argv);
	console_printf("%s: unknown command (try `help`)\n", argv[0]);
	return -1;
}

/* Read one line with echo; handles backspace/DEL, ignores other control characters. */
static void read_line(char *buf, size_t size)
{
	size_t n = 0;
	for (;;) {
		int c = console_getc();
		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			break;
		}
		if (c == 0x7f || c == '\b') {
			if (n) {
				n--;
				console_write("\b \b", 3);
			}
		} else if (c >= ' ' && n + 1 < size) {
			buf[n++] = (char)c;
			char ch = (char)c;
			console_write(&ch, 1);
		}
	}
	buf[n] = 0;
}

void shell_run(void)
{
	char line[MAX_LINE];
	console_printf("Secundus monitor. Type `help` for commands.\n");
	for (;;) {
		console_printf("secundus> ");
		read_line(line, sizeof line);
		shell_execute(line);
	}
}

SHELL_COMMAND(help, "list the commands")
{
	UNUSED(argc), UNUSED(argv);
	for (const struct shell_cmd *c = shell_cmds_start; c < shell_cmds_end; c++)
		console_printf("  %-12s %s\n", c->name, c->help);
	return 0;
}

SHELL_COMMAND(mem, "physical memory: free and used pages, free blocks per order")
{
	UNUSED(argc), UNUSED(argv);
	u64 total = pmm_total_pages(), free = pmm_free_pages();
	console_printf("pages: %lu total, %lu free, %lu used (%lu KiB free)\n", total, free, total - free,
		       free * (PAGE_SIZE / 1024));
	u64 blocks[BUDDY_MAX_ORDER];
	pmm_free_blocks(blocks, BUDDY_MAX_ORDER);
	console_printf("free blocks by order:");
	for (int k = 0; k < BUDDY_MAX_ORDER; k++)
		console_printf(" %d:%lu", k, blocks[k]);
	console_printf("\nkmalloc: %lu live objects\n", kmalloc_live_objects());
	return 0;
}

SHELL_COMMAND(uptime, "time since boot and timer ticks")
{
	UNUSED(argc), UNUSED(argv);
	u64 us = time_since_boot_us();
	console_printf("up %lu.%06lu s, %lu ticks (HZ=%d)\n", us / 1000000, us % 1000000, ticks, HZ);
	return 0;
}

SHELL_COMMAND(backtrace, "print the shell's own call stack, symbolized")
{
	UNUSED(argc), UNUSED(argv);
	ksym_print_address("  ", (u64)shell_fn_backtrace);
	backtrace_print(read_rbp());
	return 0;
}

SHELL_COMMAND(poweroff, "switch the machine off (QEMU exits)")
{
	UNUSED(argc), UNUSED(argv);
	console_printf("Powering off.\n");
	arch_poweroff();
}

SHELL_COMMAND(reboot, "reset the machine (QEMU -no-reboot exits)")
{
	UNUSED(argc), UNUSED(argv);
	console_printf("Rebooting.\n");
	arch_reboot();
}

SHELL_COMMAND(echo, "print the arguments")
{
	for (int i = 1; i < argc; i++)
		console_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	console_printf("\n");
	return 0;
}
