/*
 * The console as a file descriptor device, and the character-level
 * console functions built on descriptors 0 and 1.
 */

#include <inc/lib.h>

static ssize_t devcons_read(struct Fd *fd, void *buf, size_t n);
static ssize_t devcons_write(struct Fd *fd, const void *buf, size_t n);
static int devcons_close(struct Fd *fd);
static int devcons_stat(struct Fd *fd, struct Stat *stat);

struct Dev devcons = {
	.dev_id = 'c',
	.dev_name = "cons",
	.dev_read = devcons_read,
	.dev_write = devcons_write,
	.dev_close = devcons_close,
	.dev_stat = devcons_stat,
};

/* Print character c on the console, straight through the kernel. */
void
cputchar(int c)
{
	char ch = c;

	sys_cputs(&ch, 1);
}

/*
 * The next character from descriptor 0 (which need not be the
 * console): the character, -E_EOF at the end, or -E_*.
 */
int
getchar(void)
{
	unsigned char c;
	int r;

	r = read(0, &c, 1);
	if (r < 0)
		return r;
	if (r < 1)
		return -E_EOF;
	return c;
}

/* Is descriptor fdnum the console? */
int
iscons(int fdnum)
{
	struct Fd *fd;

	if (fd_lookup(fdnum, &fd) < 0)
		return 0;
	return fd->fd_dev_id == devcons.dev_id;
}

/* Open a new console descriptor for reading and writing; its number. */
int
opencons(void)
{
	struct Fd *fd;
	int r;

	if ((r = fd_alloc(&fd)) < 0)
		return r;
	if ((r = sys_page_alloc(0, fd, PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		return r;
	fd->fd_dev_id = devcons.dev_id;
	fd->fd_omode = O_RDWR;
	return fd2num(fd);
}

/*
 * Wait for at least one character and return it (one at a time).  The
 * kernel's sys_cgetc does not block, so sleep in sys_cons_wait while
 * there is none.  Ctrl-D is the end of input; a carriage return reads
 * as a newline.
 */
static ssize_t
devcons_read(struct Fd *fd, void *buf, size_t n)
{
	int c;

	if (n == 0)
		return 0;
	while ((c = sys_cgetc()) == 0)
		sys_cons_wait();
	if (c < 0)
		return c;
	if (c == 0x04)
		return 0;
	if (c == '\r')
		c = '\n';
	*(char *) buf = c;
	return 1;
}

/* Print n bytes on the console, a chunk at a time. */
static ssize_t
devcons_write(struct Fd *fd, const void *buf, size_t n)
{
	size_t done, m;

	for (done = 0; done < n; done += m) {
		m = MIN(n - done, (size_t) 128);
		sys_cputs((const char *) buf + done, m);
	}
	return n;
}

/* Nothing to release. */
static int
devcons_close(struct Fd *fd)
{
	return 0;
}

/* The console is called "<cons>". */
static int
devcons_stat(struct Fd *fd, struct Stat *stat)
{
	strcpy(stat->st_name, "<cons>");
	return 0;
}
