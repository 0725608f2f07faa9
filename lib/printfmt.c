/*
 * The printf engine shared by the kernel and the user library.
 * Output goes one character at a time through a caller-supplied putch.
 * No floating point: the kernel and user code are built without SSE.
 */

#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/stdarg.h>
#include <inc/error.h>

/* Text for each E_* code, indexed by the (positive) code. */
static const char * const errtext[MAXERROR] = {
	[E_UNSPECIFIED]	= "unspecified error",
	[E_BAD_ENV]	= "bad environment",
	[E_INVAL]	= "invalid parameter",
	[E_NO_MEM]	= "out of memory",
	[E_NO_FREE_ENV]	= "out of environments",
	[E_FAULT]	= "segmentation fault",
	[E_NO_SYS]	= "no such system call",
	[E_IPC_NOT_RECV] = "the target env is not receiving",
	[E_EOF]		= "unexpected end of file",
	[E_NO_DISK]	= "no free space on disk",
	[E_MAX_OPEN]	= "too many files are open",
	[E_NOT_FOUND]	= "file or block not found",
	[E_BAD_PATH]	= "invalid path",
	[E_FILE_EXISTS]	= "file already exists",
	[E_NOT_EXEC]	= "file is not a valid executable",
	[E_NOT_SUPP]	= "operation not supported",
};

static const char lowerdigits[] = "0123456789abcdef";
static const char upperdigits[] = "0123456789ABCDEF";

/*
 * Print num in the given base (with a leading '-' when neg is set),
 * right-justified in width columns padded with padc, or left-justified
 * with trailing spaces when left is set.  Zero padding goes after the sign.
 */
static void
printnum(void (*putch)(int, void*), void *putdat, unsigned long long num,
	 unsigned base, int neg, int width, int padc, int left, int upper)
{
	char buf[24];		// 64 bits in octal is 22 digits
	const char *digits = upper ? upperdigits : lowerdigits;
	int n = 0;

	do {
		buf[n++] = digits[num % base];
		num /= base;
	} while (num != 0);
	width -= n + (neg ? 1 : 0);

	if (!left && padc == ' ')
		for (; width > 0; width--)
			putch(' ', putdat);
	if (neg)
		putch('-', putdat);
	if (!left)
		for (; width > 0; width--)
			putch(padc, putdat);
	while (n > 0)
		putch(buf[--n], putdat);
	for (; width > 0; width--)
		putch(' ', putdat);
}

/* Fetch an unsigned argument of the size named by lflag (0 int, 1 long, 2 long long, 3 size_t). */
static unsigned long long
getuint(va_list *ap, int lflag)
{
	if (lflag >= 2)
		return va_arg(*ap, unsigned long long);
	else if (lflag == 1)
		return va_arg(*ap, unsigned long);
	else
		return va_arg(*ap, unsigned int);
}

/* Fetch a signed argument of the size named by lflag. */
static long long
getint(va_list *ap, int lflag)
{
	if (lflag >= 2)
		return va_arg(*ap, long long);
	else if (lflag == 1)
		return va_arg(*ap, long);
	else
		return va_arg(*ap, int);
}

/* Print the string s honouring width, precision and left-justification. */
static void
printstr(void (*putch)(int, void*), void *putdat, const char *s,
	 int width, int precision, int left)
{
	int len = precision >= 0 ? strnlen(s, precision) : strlen(s);
	int i;

	if (!left)
		for (; width > len; width--)
			putch(' ', putdat);
	for (i = 0; i < len; i++)
		putch(s[i], putdat);
	for (; width > len; width--)
		putch(' ', putdat);
}

/*
 * Format fmt with the arguments in ap, handing each output character to
 * putch(c, putdat).  Supports %d %i %u %x %X %o %c %s %p %e %% with the
 * size prefixes l, ll and z, a field width, '-', '0' and a precision
 * (used by %s; '*' takes width or precision from the arguments).
 */
void
vprintfmt(void (*putch)(int, void*), void *putdat, const char *fmt, va_list ap)
{
	va_list aq;
	const char *start;
	const char *s;
	int c, width, precision, lflag, left, padc, err;
	long long sval;

	va_copy(aq, ap);
	for (;;) {
		while ((c = *fmt++) != '%') {
			if (c == '\0')
				goto done;
			putch(c, putdat);
		}

		start = fmt - 1;
		width = -1;
		precision = -1;
		lflag = 0;
		left = 0;
		padc = ' ';

		// Flags.
		for (;;) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				padc = '0';
			else
				break;
			fmt++;
		}

		// Width.
		if (*fmt == '*') {
			width = va_arg(aq, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			fmt++;
		} else {
			for (; *fmt >= '0' && *fmt <= '9'; fmt++)
				width = (width < 0 ? 0 : width * 10) + (*fmt - '0');
		}

		// Precision.
		if (*fmt == '.') {
			fmt++;
			precision = 0;
			if (*fmt == '*') {
				precision = va_arg(aq, int);
				fmt++;
			} else {
				for (; *fmt >= '0' && *fmt <= '9'; fmt++)
					precision = precision * 10 + (*fmt - '0');
			}
		}

		// Size.
		for (;;) {
			if (*fmt == 'l')
				lflag++;
			else if (*fmt == 'z')
				lflag = 1;	// size_t is unsigned long
			else
				break;
			fmt++;
		}

		if (left)
			padc = ' ';

		switch (c = *fmt++) {
		case 'c':
			if (!left)
				for (; width > 1; width--)
					putch(' ', putdat);
			putch(va_arg(aq, int), putdat);
			for (; width > 1; width--)
				putch(' ', putdat);
			break;

		case 's':
			if ((s = va_arg(aq, const char *)) == NULL)
				s = "(null)";
			printstr(putch, putdat, s, width, precision, left);
			break;

		case 'e':
			err = va_arg(aq, int);
			if (err < 0)
				err = -err;
			if (err > 0 && err < MAXERROR && errtext[err] != NULL)
				printstr(putch, putdat, errtext[err], width, precision, left);
			else
				printfmt(putch, putdat, "error %d", err);
			break;

		case 'd':
		case 'i':
			sval = getint(&aq, lflag);
			if (sval < 0)
				printnum(putch, putdat, -(unsigned long long) sval,
					 10, 1, width, padc, left, 0);
			else
				printnum(putch, putdat, sval, 10, 0, width, padc, left, 0);
			break;

		case 'u':
			printnum(putch, putdat, getuint(&aq, lflag), 10, 0, width, padc, left, 0);
			break;

		case 'o':
			printnum(putch, putdat, getuint(&aq, lflag), 8, 0, width, padc, left, 0);
			break;

		case 'x':
		case 'X':
			printnum(putch, putdat, getuint(&aq, lflag), 16, 0, width, padc, left, c == 'X');
			break;

		case 'p':
			putch('0', putdat);
			putch('x', putdat);
			if (width > 2)
				width -= 2;
			printnum(putch, putdat, (uintptr_t) va_arg(aq, void *),
				 16, 0, width, padc, left, 0);
			break;

		case '%':
			putch('%', putdat);
			break;

		case '\0':
			// The format ended inside a directive: print what we saw.
			fmt--;
			/* fall through */
		default:
			// Unknown directive: print it as it was written.
			for (s = start; s < fmt; s++)
				putch(*s, putdat);
			break;
		}
	}
done:
	va_end(aq);
}

/* printfmt: vprintfmt with the arguments given inline. */
void
printfmt(void (*putch)(int, void*), void *putdat, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintfmt(putch, putdat, fmt, ap);
	va_end(ap);
}

struct sprintbuf {
	char *buf;
	char *end;	// last usable byte (kept for the terminating NUL)
	int cnt;	// characters produced, including those that did not fit
};

/* Store one character if there is room; count it either way. */
static void
sprintputch(int ch, void *p)
{
	struct sprintbuf *b = p;

	b->cnt++;
	if (b->buf < b->end)
		*b->buf++ = ch;
}

/*
 * Format into str, writing at most size bytes including the final NUL.
 * Returns the length of the full output, or -E_INVAL if str is NULL or
 * size is less than 1.
 */
int
vsnprintf(char *str, int size, const char *fmt, va_list ap)
{
	struct sprintbuf b;

	if (str == NULL || size < 1)
		return -E_INVAL;
	b.buf = str;
	b.end = str + size - 1;
	b.cnt = 0;
	vprintfmt(sprintputch, &b, fmt, ap);
	*b.buf = '\0';
	return b.cnt;
}

/* snprintf: vsnprintf with the arguments given inline. */
int
snprintf(char *str, int size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(str, size, fmt, ap);
	va_end(ap);
	return r;
}
