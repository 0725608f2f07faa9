/* panic and warn for user programs. */

#include <inc/lib.h>

/*
 * Print "[envid] user panic in PROGRAM at FILE:LINE: " and the message,
 * then trap into the kernel monitor with int3, forever.
 */
void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("[%08x] user panic in %s at %s:%d: ",
		sys_getenvid(), binaryname, file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);

	for (;;)
		asm volatile("int3");
}

/* Print "[envid] user warning at FILE:LINE: " and the message; carry on. */
void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("[%08x] user warning at %s:%d: ", sys_getenvid(), file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
}
