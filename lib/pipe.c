/*
 * Pipes.  Both ends' Fd pages (PTE_SHARE) point at one shared data page
 * holding a struct Pipe, mapped at each end's fd2data.
 *
 * An end is closed when nobody else maps the data page: pageref(fd) ==
 * pageref(data) for an open fd.  For that test never to be wrong while
 * the other end is open, pageref(fd) < pageref(data) must hold at every
 * moment: mappings are added data page first (dup, spawn) and removed
 * Fd page first (devpipe_close).  The test itself reads two counts that
 * another env could change in between, on this CPU (if we lose the CPU
 * meanwhile: env_runs changes) or on another one (the counts change
 * between two readings); it retries until neither happened.
 */

#include <inc/lib.h>

#define PIPEBUFSIZ	32	// small on purpose: readers and writers must take turns

struct Pipe {
	uint64_t p_rpos;		// read position (64 bits: never wraps)
	uint64_t p_wpos;		// write position
	uint8_t p_buf[PIPEBUFSIZ];	// data, at positions modulo PIPEBUFSIZ
};

static ssize_t devpipe_read(struct Fd *fd, void *buf, size_t n);
static ssize_t devpipe_write(struct Fd *fd, const void *buf, size_t n);
static int devpipe_close(struct Fd *fd);
static int devpipe_stat(struct Fd *fd, struct Stat *stat);

struct Dev devpipe = {
	.dev_id = 'p',
	.dev_name = "pipe",
	.dev_read = devpipe_read,
	.dev_write = devpipe_write,
	.dev_close = devpipe_close,
	.dev_stat = devpipe_stat,
};

/*
 * Make a pipe: pfd[0] for reading, pfd[1] for writing.  0 or -E_*
 * (nothing is left allocated on failure).
 */
int
pipe(int pfd[2])
{
	const int perm = PTE_P | PTE_W | PTE_U | PTE_SHARE;
	struct Fd *fd0, *fd1;
	void *va;
	int r;

	if ((r = fd_alloc(&fd0)) < 0 ||
	    (r = sys_page_alloc(0, fd0, perm)) < 0)
		goto err;
	if ((r = fd_alloc(&fd1)) < 0 ||
	    (r = sys_page_alloc(0, fd1, perm)) < 0)
		goto err0;
	va = fd2data(fd0);
	if ((r = sys_page_alloc(0, va, perm)) < 0)
		goto err1;
	if ((r = sys_page_map(0, va, 0, fd2data(fd1), perm)) < 0)
		goto err2;

	fd0->fd_dev_id = devpipe.dev_id;
	fd0->fd_omode = O_RDONLY;
	fd1->fd_dev_id = devpipe.dev_id;
	fd1->fd_omode = O_WRONLY;
	pfd[0] = fd2num(fd0);
	pfd[1] = fd2num(fd1);
	return 0;

err2:
	sys_page_unmap(0, va);
err1:
	sys_page_unmap(0, fd1);
err0:
	sys_page_unmap(0, fd0);
err:
	return r;
}

/* Is the other end of the pipe p (ours is fd) closed? */
static int
_pipeisclosed(struct Fd *fd, struct Pipe *p)
{
	uint32_t runs;
	int f1, p1, f2, p2;

	for (;;) {
		runs = thisenv->env_runs;
		f1 = pageref(fd);
		p1 = pageref(p);
		f2 = pageref(fd);
		p2 = pageref(p);
		if (runs == thisenv->env_runs && f1 == f2 && p1 == p2)
			return f1 == p1;
	}
}

/* Is the other end of the pipe at descriptor fdnum closed? */
int
pipeisclosed(int fdnum)
{
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0)
		return r;
	return _pipeisclosed(fd, (struct Pipe *) fd2data(fd));
}

/*
 * Read up to n bytes: wait for at least one, then take what is there.
 * 0 when the pipe is empty and the writers are gone.
 */
static ssize_t
devpipe_read(struct Fd *fd, void *buf, size_t n)
{
	struct Pipe *p = (struct Pipe *) fd2data(fd);
	uint8_t *b = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		while (p->p_rpos == p->p_wpos) {
			if (i > 0)
				return i;
			if (_pipeisclosed(fd, p)) {
				// The writer may have written its last bytes
				// after we looked and before it closed.
				if (p->p_rpos == p->p_wpos)
					return 0;
				break;
			}
			sys_yield();
		}
		b[i] = p->p_buf[p->p_rpos % PIPEBUFSIZ];
		p->p_rpos++;
	}
	return i;
}

/*
 * Write all n bytes, waiting for room as needed.  Returns n, or 0 if
 * the readers are gone first.
 */
static ssize_t
devpipe_write(struct Fd *fd, const void *buf, size_t n)
{
	struct Pipe *p = (struct Pipe *) fd2data(fd);
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		while (p->p_wpos >= p->p_rpos + PIPEBUFSIZ) {
			if (_pipeisclosed(fd, p))
				return 0;
			sys_yield();
		}
		p->p_buf[p->p_wpos % PIPEBUFSIZ] = b[i];
		p->p_wpos++;
	}
	return i;
}

/* Unmap this end: the Fd page first, then the data page (see above). */
static int
devpipe_close(struct Fd *fd)
{
	sys_page_unmap(0, fd);
	return sys_page_unmap(0, fd2data(fd));
}

/* A pipe's size is the number of bytes waiting in it. */
static int
devpipe_stat(struct Fd *fd, struct Stat *stat)
{
	struct Pipe *p = (struct Pipe *) fd2data(fd);

	strcpy(stat->st_name, "<pipe>");
	stat->st_size = p->p_wpos - p->p_rpos;
	return 0;
}
