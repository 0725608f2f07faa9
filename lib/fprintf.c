/* printf and fprintf: formatted output to a file descriptor. */

#include <inc/lib.h>

struct printbuf {
	int fd;		// where the output goes
	int idx;	// bytes waiting in buf
	ssize_t result;	// bytes written so far, or the first error
	int error;	// a write failed; drop the rest
	char buf[256];
};

/* Write out what is waiting in b. */
static void
writebuf(struct printbuf *b)
{
	ssize_t r;

	if (b->idx > 0 && !b->error) {
		r = write(b->fd, b->buf, b->idx);
		if (r > 0)
			b->result += r;
		if (r != b->idx) {
			b->error = 1;
			if (r < 0)
				b->result = r;
		}
	}
	b->idx = 0;
}

/* Add one character, writing the buffer out when it is full. */
static void
putch(int ch, void *thunk)
{
	struct printbuf *b = thunk;

	b->buf[b->idx++] = ch;
	if (b->idx == (int) sizeof(b->buf))
		writebuf(b);
}

/* Print fmt with the arguments in ap to fd; the bytes written, or -E_*. */
int
vfprintf(int fd, const char *fmt, va_list ap)
{
	struct printbuf b;

	b.fd = fd;
	b.idx = 0;
	b.result = 0;
	b.error = 0;
	vprintfmt(putch, &b, fmt, ap);
	writebuf(&b);
	return b.result;
}

/* vfprintf with the arguments inline. */
int
fprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int cnt;

	va_start(ap, fmt);
	cnt = vfprintf(fd, fmt, ap);
	va_end(ap);
	return cnt;
}

/* fprintf to descriptor 1, the standard output. */
int
printf(const char *fmt, ...)
{
	va_list ap;
	int cnt;

	va_start(ap, fmt);
	cnt = vfprintf(1, fmt, ap);
	va_end(ap);
	return cnt;
}
