/* The kernel's cprintf: vprintfmt onto the console. */
#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/stdarg.h>
#include <kern/console.h>

static void
putch(int ch, void *count)
{
	cputchar(ch);
	(*(int *) count)++;
}

int
vcprintf(const char *fmt, va_list ap)
{
	int count = 0;

	// One print at a time: guest output may come without the kernel
	// lock (kern/console.c: cons_lock).
	cons_lock();
	vprintfmt(putch, &count, fmt, ap);
	cons_unlock();
	return count;
}

int
cprintf(const char *fmt, ...)
{
	va_list ap;
	int count;

	va_start(ap, fmt);
	count = vcprintf(fmt, ap);
	va_end(ap);
	return count;
}
