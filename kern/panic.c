/* Kernel panics and warnings. */
#include <inc/stdio.h>
#include <inc/stdarg.h>
#include <inc/x86.h>
#include <inc/assert.h>
#include <kern/monitor.h>
#include <kern/cpu.h>
#include <kern/console.h>

// The first panic's message; set so that nested panics stay quiet.
const char *panicstr;

/*
 * Print "kernel panic on CPU N at FILE:LINE: message" and drop into the
 * monitor for good.
 */
void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (panicstr)
		goto dead;
	panicstr = fmt;
	asm volatile("cli; cld");

	va_start(ap, fmt);
	cprintf("kernel panic on CPU %d at %s:%d: ", cpunum(), file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
	cons_flush();

dead:
	for (;;)
		monitor(NULL);
}

/* Print "kernel warning at FILE:LINE: message" and go on. */
void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("kernel warning at %s:%d: ", file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
}
