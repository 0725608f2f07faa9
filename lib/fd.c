/*
 * The file descriptor layer.  Descriptor i is a page at INDEX2FD(i)
 * holding a struct Fd; it is mapped (PTE_SHARE, so fork and spawn pass
 * it on) exactly while the descriptor is open.  Each kind of descriptor
 * (file, pipe, console) is a struct Dev that does the real work.
 */

#include <inc/lib.h>

#define MAXFD		32			// descriptors per env
#define FDTABLE		0xD0000000		// descriptor i's page: FDTABLE + i*PGSIZE
#define FILEDATA	(FDTABLE + MAXFD * PGSIZE)	// and its data area: PTSIZE each

#define INDEX2FD(i)	((struct Fd *) (FDTABLE + (uintptr_t) (i) * PGSIZE))
#define INDEX2DATA(i)	((char *) (FILEDATA + (uintptr_t) (i) * PTSIZE))

static struct Dev *devtab[] = {
	&devfile,
	&devpipe,
	&devcons,
	NULL
};

/* The number of descriptor fd. */
int
fd2num(struct Fd *fd)
{
	return ((uintptr_t) fd - FDTABLE) / PGSIZE;
}

/* The start of the data area that belongs to descriptor fd. */
char *
fd2data(struct Fd *fd)
{
	return INDEX2DATA(fd2num(fd));
}

/*
 * Find the lowest-numbered free descriptor and store its (unmapped) Fd
 * page address in *fd_store; the caller maps a page there to take it.
 * -E_MAX_OPEN (and *fd_store NULL) if all MAXFD are in use.
 */
int
fd_alloc(struct Fd **fd_store)
{
	int i;

	for (i = 0; i < MAXFD; i++)
		if (pageref(INDEX2FD(i)) == 0) {
			*fd_store = INDEX2FD(i);
			return 0;
		}
	*fd_store = NULL;
	return -E_MAX_OPEN;
}

/* Store open descriptor fdnum's Fd in *fd_store; -E_INVAL if not open. */
int
fd_lookup(int fdnum, struct Fd **fd_store)
{
	if (fdnum < 0 || fdnum >= MAXFD || pageref(INDEX2FD(fdnum)) == 0)
		return -E_INVAL;
	*fd_store = INDEX2FD(fdnum);
	return 0;
}

/*
 * Close fd: let its device clean up, then unmap its page (if the device
 * has not already: pipes unmap it first, see lib/pipe.c).  If
 * must_exist and fd is not one of ours (a stale pointer), -E_INVAL and
 * nothing happens.
 */
int
fd_close(struct Fd *fd, bool must_exist)
{
	struct Fd *fd2;
	struct Dev *dev;
	int r;

	if ((r = fd_lookup(fd2num(fd), &fd2)) < 0 || fd != fd2)
		return must_exist ? -E_INVAL : 0;
	if ((r = dev_lookup(fd->fd_dev_id, &dev)) >= 0)
		r = dev->dev_close ? dev->dev_close(fd) : 0;
	sys_page_unmap(0, fd);
	return r;
}

/* Store the device with id dev_id in *dev; -E_INVAL if there is none. */
int
dev_lookup(int dev_id, struct Dev **dev)
{
	int i;

	for (i = 0; devtab[i]; i++)
		if (devtab[i]->dev_id == dev_id) {
			*dev = devtab[i];
			return 0;
		}
	cprintf("[%08x] unknown device type %d\n", thisenv->env_id, dev_id);
	*dev = NULL;
	return -E_INVAL;
}

/* Close descriptor fdnum. */
int
close(int fdnum)
{
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0)
		return r;
	return fd_close(fd, true);
}

/* Close every descriptor (exit calls this). */
void
close_all(void)
{
	int i;

	for (i = 0; i < MAXFD; i++)
		close(i);
}

/*
 * Make newfdnum a duplicate of oldfdnum, closing newfdnum first if it
 * is open.  Both then share one Fd page (and so one offset) and the
 * data pages.  Returns newfdnum.
 */
int
dup(int oldfdnum, int newfdnum)
{
	struct Fd *oldfd, *newfd;
	char *ova, *nva;
	uintptr_t i;
	int r;

	if ((r = fd_lookup(oldfdnum, &oldfd)) < 0)
		return r;
	if (newfdnum < 0 || newfdnum >= MAXFD)
		return -E_INVAL;
	if (oldfdnum == newfdnum)
		return newfdnum;
	close(newfdnum);

	newfd = INDEX2FD(newfdnum);
	ova = fd2data(oldfd);
	nva = fd2data(newfd);

	// The data pages first, then the Fd page: see lib/pipe.c.
	for (i = 0; i < PTSIZE; i += PGSIZE) {
		if (pageref(ova + i) == 0)
			continue;
		if ((r = sys_page_map(0, ova + i, 0, nva + i,
				      (uvpt[PGNUM(ova + i)] & PTE_SYSCALL))) < 0)
			goto err;
	}
	if ((r = sys_page_map(0, oldfd, 0, newfd,
			      uvpt[PGNUM(oldfd)] & PTE_SYSCALL)) < 0)
		goto err;
	return newfdnum;

err:
	sys_page_unmap(0, newfd);
	for (i = 0; i < PTSIZE; i += PGSIZE)
		sys_page_unmap(0, nva + i);
	return r;
}

/*
 * The fd and device behind fdnum, for an operation (named op in the
 * message) that an fd opened with mode bad_mode may not do.
 * Returns 0 or -E_*.
 */
static int
fd_for(int fdnum, int bad_mode, const char *op, struct Fd **fd, struct Dev **dev)
{
	int r;

	if ((r = fd_lookup(fdnum, fd)) < 0 || (r = dev_lookup((*fd)->fd_dev_id, dev)) < 0)
		return r;
	if (((*fd)->fd_omode & O_ACCMODE) == bad_mode) {
		cprintf("[%08x] %s %d -- bad mode\n", thisenv->env_id, op, fdnum);
		return -E_INVAL;
	}
	return 0;
}

/* Read up to n bytes from fdnum into buf; the count, 0 at the end, or -E_*. */
ssize_t
read(int fdnum, void *buf, size_t n)
{
	struct Dev *dev;
	struct Fd *fd;
	int r;

	if ((r = fd_for(fdnum, O_WRONLY, "read", &fd, &dev)) < 0)
		return r;
	if (!dev->dev_read)
		return -E_NOT_SUPP;
	return dev->dev_read(fd, buf, n);
}

/* Read exactly n bytes unless the end comes first; the count read. */
ssize_t
readn(int fdnum, void *buf, size_t n)
{
	ssize_t m, tot;

	for (tot = 0; tot < (ssize_t) n; tot += m) {
		m = read(fdnum, (char *) buf + tot, n - tot);
		if (m < 0)
			return m;
		if (m == 0)
			break;
	}
	return tot;
}

/* Write n bytes from buf to fdnum; the count written or -E_*. */
ssize_t
write(int fdnum, const void *buf, size_t n)
{
	struct Dev *dev;
	struct Fd *fd;
	int r;

	if ((r = fd_for(fdnum, O_RDONLY, "write", &fd, &dev)) < 0)
		return r;
	if (!dev->dev_write)
		return -E_NOT_SUPP;
	return dev->dev_write(fd, buf, n);
}

/*
 * Set fdnum's offset (shared by its duplicates) to offset; -E_INVAL for
 * a negative one, which no file has.
 */
int
seek(int fdnum, off_t offset)
{
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0)
		return r;
	if (offset < 0)
		return -E_INVAL;
	fd->fd_offset = offset;
	return 0;
}

/* Truncate or extend the file behind fdnum to newsize bytes. */
int
ftruncate(int fdnum, off_t newsize)
{
	struct Dev *dev;
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0 ||
	    (r = dev_lookup(fd->fd_dev_id, &dev)) < 0)
		return r;
	if ((fd->fd_omode & O_ACCMODE) == O_RDONLY) {
		cprintf("[%08x] ftruncate %d -- bad mode\n", thisenv->env_id, fdnum);
		return -E_INVAL;
	}
	if (!dev->dev_trunc)
		return -E_NOT_SUPP;
	return dev->dev_trunc(fd, newsize);
}

/* Describe the open descriptor fdnum in *stat. */
int
fstat(int fdnum, struct Stat *stat)
{
	struct Dev *dev;
	struct Fd *fd;
	int r;

	if ((r = fd_lookup(fdnum, &fd)) < 0 ||
	    (r = dev_lookup(fd->fd_dev_id, &dev)) < 0)
		return r;
	if (!dev->dev_stat)
		return -E_NOT_SUPP;
	stat->st_name[0] = '\0';
	stat->st_size = 0;
	stat->st_isdir = 0;
	stat->st_dev = dev;
	return dev->dev_stat(fd, stat);
}

/* Describe the file at path in *stat. */
int
stat(const char *path, struct Stat *stat)
{
	int fd, r;

	if ((fd = open(path, O_RDONLY)) < 0)
		return fd;
	r = fstat(fd, stat);
	close(fd);
	return r;
}
