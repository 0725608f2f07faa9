/*
 * Console access straight through system calls.  These are weak stand-ins:
 * lib/console.c (console as a file descriptor) replaces them.
 */

#include <inc/lib.h>

/* Print the character c on the console. */
__attribute__((weak)) void
cputchar(int c)
{
	char ch = c;

	sys_cputs(&ch, 1);
}

/* Wait for a console character, yielding the CPU meanwhile, and return it. */
__attribute__((weak)) int
getchar(void)
{
	int c;

	while ((c = sys_cgetc()) == 0)
		sys_yield();
	return c;
}

/* Every descriptor is the console here. */
__attribute__((weak)) int
iscons(int fd)
{
	return 1;
}
