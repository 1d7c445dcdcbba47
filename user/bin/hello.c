/* hello.c - the smallest user program: print a line, its pid and its arguments. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("hello from user mode: pid %d, %d argument(s)\n", getpid(), argc);
	for (int i = 0; i < argc; i++)
		printf("  argv[%d] = \"%s\"\n", i, argv[i]);
	return 0;
}
