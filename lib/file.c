/*
 * Files: descriptors served by the file server env, which the library
 * talks to by IPC with one request page (union Fsipc).
 */

#include <inc/lib.h>

// The request page; the server writes its answers into it too.  Not
// static: programs see it as in JOS (inc/lib.h).
union Fsipc fsipcbuf __attribute__((aligned(PGSIZE)));

// Bytes of data one write request carries.
#define WRITE_MAX	(PGSIZE - offsetof(struct Fsreq_write, req_buf))

static ssize_t devfile_read(struct Fd *fd, void *buf, size_t n);
static ssize_t devfile_write(struct Fd *fd, const void *buf, size_t n);
static int devfile_flush(struct Fd *fd);
static int devfile_stat(struct Fd *fd, struct Stat *stat);
static int devfile_trunc(struct Fd *fd, off_t newsize);

struct Dev devfile = {
	.dev_id = 'f',
	.dev_name = "file",
	.dev_read = devfile_read,
	.dev_write = devfile_write,
	.dev_close = devfile_flush,
	.dev_stat = devfile_stat,
	.dev_trunc = devfile_trunc,
};

/*
 * Send request type with fsipcbuf to the file server and wait for the
 * answer; a page sent back is mapped at dstva (if not NULL).  Returns
 * the server's answer, or -E_BAD_ENV if there is no file server.
 */
static int
fsipc(unsigned type, void *dstva)
{
	static envid_t fsenv;
	int r;

	if (fsenv == 0 || envs[ENVX(fsenv)].env_id != fsenv ||
	    envs[ENVX(fsenv)].env_status == ENV_FREE)
		fsenv = ipc_find_env(ENV_TYPE_FS);
	if (fsenv == 0)
		return -E_BAD_ENV;
	// After fork the page is copy-on-write, so read-only until written:
	// a request without arguments (sync, held pages) writes it first.
	*(volatile uint32_t *) &fsipcbuf = *(volatile uint32_t *) &fsipcbuf;
	while ((r = sys_ipc_try_send(fsenv, type, &fsipcbuf,
				     PTE_P | PTE_W | PTE_U)) == -E_IPC_NOT_RECV)
		sys_yield();
	if (r < 0)
		return r;
	return ipc_recv(NULL, dstva, NULL);
}

/*
 * Open path with mode (O_RDONLY, O_WRONLY or O_RDWR, possibly with
 * O_CREAT, O_TRUNC, O_EXCL, O_MKDIR).  Returns the descriptor number,
 * or -E_BAD_PATH (path too long), -E_NOT_FOUND, -E_MAX_OPEN, ...
 */
int
open(const char *path, int mode)
{
	struct Fd *fd;
	int r;

	if (strlen(path) >= MAXPATHLEN)
		return -E_BAD_PATH;
	if ((r = fd_alloc(&fd)) < 0)
		return r;
	strcpy(fsipcbuf.open.req_path, path);
	fsipcbuf.open.req_omode = mode;
	if ((r = fsipc(FSREQ_OPEN, fd)) < 0)
		return r;
	return fd2num(fd);
}

/* Closing a file: ask the server to write its blocks out. */
static int
devfile_flush(struct Fd *fd)
{
	fsipcbuf.flush.req_fileid = fd->fd_file.id;
	return fsipc(FSREQ_FLUSH, NULL);
}

/* Read up to n bytes at the descriptor's offset (which the server advances). */
static ssize_t
devfile_read(struct Fd *fd, void *buf, size_t n)
{
	int r;

	fsipcbuf.read.req_fileid = fd->fd_file.id;
	fsipcbuf.read.req_n = MIN(n, (size_t) PGSIZE);
	if ((r = fsipc(FSREQ_READ, NULL)) <= 0)
		return r;
	if ((size_t) r > MIN(n, (size_t) PGSIZE))
		panic("devfile_read: server returned %d of %zu bytes", r, n);
	memmove(buf, fsipcbuf.readRet.ret_buf, r);
	return r;
}

/*
 * Write n bytes at the descriptor's offset, a request at a time.
 * Returns n, or the bytes written before an error, or the error if
 * nothing was written (-E_NO_DISK when the disk is full).
 */
static ssize_t
devfile_write(struct Fd *fd, const void *buf, size_t n)
{
	size_t done = 0, m;
	int r;

	while (done < n) {
		m = MIN(n - done, (size_t) WRITE_MAX);
		fsipcbuf.write.req_fileid = fd->fd_file.id;
		fsipcbuf.write.req_n = m;
		memmove(fsipcbuf.write.req_buf, (const char *) buf + done, m);
		if ((r = fsipc(FSREQ_WRITE, NULL)) < 0)
			return done ? (ssize_t) done : r;
		if ((size_t) r > m)
			panic("devfile_write: server wrote %d of %zu bytes", r, m);
		done += r;
		if ((size_t) r < m)
			break;
	}
	return done;
}

/* Ask the server for the file's name, size and type. */
static int
devfile_stat(struct Fd *fd, struct Stat *st)
{
	int r;

	fsipcbuf.stat.req_fileid = fd->fd_file.id;
	if ((r = fsipc(FSREQ_STAT, NULL)) < 0)
		return r;
	strcpy(st->st_name, fsipcbuf.statRet.ret_name);
	st->st_size = fsipcbuf.statRet.ret_size;
	st->st_isdir = fsipcbuf.statRet.ret_isdir;
	return 0;
}

/* Set the file's size. */
static int
devfile_trunc(struct Fd *fd, off_t newsize)
{
	fsipcbuf.set_size.req_fileid = fd->fd_file.id;
	fsipcbuf.set_size.req_size = newsize;
	return fsipc(FSREQ_SET_SIZE, NULL);
}

/* Remove the file (or empty directory) path. */
int
remove(const char *path)
{
	if (strlen(path) >= MAXPATHLEN)
		return -E_BAD_PATH;
	strcpy(fsipcbuf.remove.req_path, path);
	return fsipc(FSREQ_REMOVE, NULL);
}

/* Make the file server write every dirty block to the disk. */
int
sync(void)
{
	return fsipc(FSREQ_SYNC, NULL);
}

/*
 * The pages the file server holds for its block cache and open files
 * (see fs/serv.c), or a negative error.
 */
int
fs_held_pages(void)
{
	return fsipc(FSREQ_HELD, NULL);
}

/* Copy file src to dest (created or truncated).  0 or -E_*. */
int
copy(char *src, char *dest)
{
	char buf[512];
	ssize_t n, w;
	int in, out, r = 0;

	if ((in = open(src, O_RDONLY)) < 0)
		return in;
	if ((out = open(dest, O_WRONLY | O_CREAT | O_TRUNC)) < 0) {
		close(in);
		return out;
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		if ((w = write(out, buf, n)) != n) {
			r = w < 0 ? w : -E_NO_DISK;
			break;
		}
	}
	if (n < 0)
		r = n;
	close(in);
	close(out);
	return r;
}
