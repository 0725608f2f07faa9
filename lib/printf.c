/*
 * cprintf for user programs: format into a buffer on the stack and hand
 * it to the kernel with sys_cputs, a chunk at a time.
 */

#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/stdarg.h>
#include <inc/lib.h>

struct printbuf {
	int idx;	// characters waiting in buf
	int cnt;	// characters printed so far
	char buf[256];
};

/* Add one character, flushing the buffer when it fills. */
static void
putch(int ch, void *p)
{
	struct printbuf *b = p;

	b->buf[b->idx++] = ch;
	if (b->idx == (int) sizeof(b->buf)) {
		sys_cputs(b->buf, b->idx);
		b->idx = 0;
	}
	b->cnt++;
}

/* Print fmt with the arguments in ap on the console; returns the count. */
int
vcprintf(const char *fmt, va_list ap)
{
	struct printbuf b;

	b.idx = 0;
	b.cnt = 0;
	vprintfmt(putch, &b, fmt, ap);
	if (b.idx > 0)
		sys_cputs(b.buf, b.idx);
	return b.cnt;
}

/* vcprintf with the arguments given inline. */
int
cprintf(const char *fmt, ...)
{
	va_list ap;
	int cnt;

	va_start(ap, fmt);
	cnt = vcprintf(fmt, ap);
	va_end(ap);
	return cnt;
}
