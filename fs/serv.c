/*
 * The file server: receives FSREQ_* requests by IPC, each with a page
 * holding a union Fsipc, and answers them.  Every open file has a slot
 * in the open-file table and an Fd page that the server shares with the
 * client; a slot whose Fd page only the server still maps (the client
 * closed it, or died) is free for reuse.
 */

#include <inc/x86.h>
#include "fs.h"

#define MAXOPEN		1024

struct OpenFile {
	uint32_t o_fileid;	// file id; the slot is o_fileid % MAXOPEN
	struct File *o_file;	// the file, in the block cache
	int o_mode;		// open mode
	struct Fd *o_fd;	// the Fd page shared with the client
};

static struct OpenFile opentab[MAXOPEN];

// Requests arrive mapped at this address.
static union Fsipc *fsreq = (union Fsipc *) 0x0ffff000;

/* Set up the open-file table: slot i has id i and its Fd page at FILEVA. */
void
serve_init(void)
{
	uint32_t i;

	for (i = 0; i < MAXOPEN; i++) {
		opentab[i].o_fileid = i;
		opentab[i].o_fd = (struct Fd *) (FILEVA + (uintptr_t) i * PGSIZE);
	}
}

/*
 * Take a free slot, with a fresh id and a zeroed Fd page, and store it
 * in *o.  -E_MAX_OPEN if every slot is in use, -E_NO_MEM.
 */
static int
openfile_alloc(struct OpenFile **o)
{
	int i, r;

	for (i = 0; i < MAXOPEN; i++) {
		switch (pageref(opentab[i].o_fd)) {
		case 0:
			if ((r = sys_page_alloc(0, opentab[i].o_fd,
						PTE_P | PTE_U | PTE_W)) < 0)
				return r;
			/* fall through */
		case 1:
			opentab[i].o_fileid += MAXOPEN;
			*o = &opentab[i];
			memset(opentab[i].o_fd, 0, PGSIZE);
			return 0;
		}
	}
	return -E_MAX_OPEN;
}

/* The open file with id fileid, if it is still open; else -E_INVAL. */
static int
openfile_lookup(envid_t envid, int fileid, struct OpenFile **po)
{
	struct OpenFile *o = &opentab[(uint32_t) fileid % MAXOPEN];

	if (pageref(o->o_fd) <= 1 || o->o_fileid != (uint32_t) fileid)
		return -E_INVAL;
	*po = o;
	return 0;
}

/* Copy a request's path to buf; -E_BAD_PATH if it has no NUL in time. */
static int
copy_path(char *buf, const char *req_path)
{
	if (strnlen(req_path, MAXPATHLEN) >= MAXPATHLEN)
		return -E_BAD_PATH;
	strcpy(buf, req_path);
	return 0;
}

/*
 * Open req_path with req_omode.  On success the reply carries the new
 * Fd page (*pg_store, shared with perm *perm_store).
 */
static int
serve_open(envid_t envid, struct Fsreq_open *req, void **pg_store, int *perm_store)
{
	char path[MAXPATHLEN];
	struct OpenFile *o;
	struct File *f;
	int omode = req->req_omode, r;

	if ((r = copy_path(path, req->req_path)) < 0)
		return r;
	if ((r = openfile_alloc(&o)) < 0)
		return r;

	if (omode & O_CREAT) {
		r = file_create(path, &f, (omode & O_MKDIR) ? FTYPE_DIR : FTYPE_REG);
		if (r == -E_FILE_EXISTS && !(omode & O_EXCL))
			r = file_open(path, &f);
	} else
		r = file_open(path, &f);
	if (r < 0)
		return r;

	if (f->f_type == FTYPE_DIR && (omode & O_ACCMODE) != O_RDONLY)
		return -E_INVAL;
	if ((omode & O_TRUNC) && (omode & O_ACCMODE) != O_RDONLY &&
	    (r = file_set_size(f, 0)) < 0)
		return r;

	o->o_file = f;
	o->o_mode = omode;
	o->o_fd->fd_file.id = o->o_fileid;
	o->o_fd->fd_omode = omode & O_ACCMODE;
	o->o_fd->fd_dev_id = devfile.dev_id;
	o->o_fd->fd_offset = 0;

	*pg_store = o->o_fd;
	*perm_store = PTE_P | PTE_U | PTE_W | PTE_SHARE;
	return 0;
}

/* Set the size of an open file (not one open read-only). */
static int
serve_set_size(envid_t envid, union Fsipc *ipc)
{
	struct Fsreq_set_size *req = &ipc->set_size;
	struct OpenFile *o;
	int r;

	if ((r = openfile_lookup(envid, req->req_fileid, &o)) < 0)
		return r;
	if ((o->o_mode & O_ACCMODE) == O_RDONLY)
		return -E_INVAL;
	return file_set_size(o->o_file, req->req_size);
}

/*
 * Read up to req_n bytes (at most a page) at the file's offset into
 * the reply's ret_buf; advance the offset.  Returns the count.
 */
static int
serve_read(envid_t envid, union Fsipc *ipc)
{
	int fileid = ipc->read.req_fileid;
	size_t n = MIN(ipc->read.req_n, sizeof(ipc->readRet.ret_buf));
	struct OpenFile *o;
	ssize_t r;

	if ((r = openfile_lookup(envid, fileid, &o)) < 0)
		return r;
	if ((o->o_mode & O_ACCMODE) == O_WRONLY)
		return -E_INVAL;
	r = file_read(o->o_file, ipc->readRet.ret_buf, n, o->o_fd->fd_offset);
	if (r > 0)
		o->o_fd->fd_offset += r;
	return r;
}

/* Write req_n bytes of req_buf at the file's offset; advance the offset. */
static int
serve_write(envid_t envid, union Fsipc *ipc)
{
	struct Fsreq_write *req = &ipc->write;
	size_t n = MIN(req->req_n, PGSIZE - offsetof(struct Fsreq_write, req_buf));
	struct OpenFile *o;
	ssize_t r;

	if ((r = openfile_lookup(envid, req->req_fileid, &o)) < 0)
		return r;
	if ((o->o_mode & O_ACCMODE) == O_RDONLY)
		return -E_INVAL;
	r = file_write(o->o_file, req->req_buf, n, o->o_fd->fd_offset);
	if (r > 0)
		o->o_fd->fd_offset += r;
	return r;
}

/*
 * Write the whole request page at the offset of the file whose id ends
 * in the 24 bits id24 (FSREQ_WRITE_BLOCK); advance the offset.
 */
static int
serve_write_block(envid_t envid, uint32_t id24, union Fsipc *ipc)
{
	struct OpenFile *o = &opentab[id24 % MAXOPEN];
	ssize_t r;

	if (pageref(o->o_fd) <= 1 || (o->o_fileid & 0xFFFFFF) != id24)
		return -E_INVAL;
	if ((o->o_mode & O_ACCMODE) == O_RDONLY)
		return -E_INVAL;
	r = file_write(o->o_file, ipc, PGSIZE, o->o_fd->fd_offset);
	if (r > 0)
		o->o_fd->fd_offset += r;
	return r;
}

/* Answer with the name, size and type of an open file. */
static int
serve_stat(envid_t envid, union Fsipc *ipc)
{
	struct OpenFile *o;
	int r;

	if ((r = openfile_lookup(envid, ipc->stat.req_fileid, &o)) < 0)
		return r;
	strcpy(ipc->statRet.ret_name, o->o_file->f_name);
	ipc->statRet.ret_size = o->o_file->f_size;
	ipc->statRet.ret_isdir = (o->o_file->f_type == FTYPE_DIR);
	return 0;
}

/* Write an open file's blocks to the disk (the client is closing it). */
static int
serve_flush(envid_t envid, union Fsipc *ipc)
{
	struct OpenFile *o;
	int r;

	if ((r = openfile_lookup(envid, ipc->flush.req_fileid, &o)) < 0)
		return r;
	file_flush(o->o_file);
	return 0;
}

/* Remove a file or empty directory. */
static int
serve_remove(envid_t envid, union Fsipc *ipc)
{
	char path[MAXPATHLEN];
	int r;

	if ((r = copy_path(path, ipc->remove.req_path)) < 0)
		return r;
	return file_remove(path);
}

/* Write everything to the disk. */
static int
serve_sync(envid_t envid, union Fsipc *ipc)
{
	fs_sync();
	return 0;
}

/*
 * Pages present in this env from va for n bytes (va and n multiples of
 * 2 MiB), and the page tables that map them.
 */
static int
pages_in(uintptr_t va, uintptr_t n)
{
	uintptr_t a;
	int count = 0;

	for (a = va; a < va + n; a += PTSIZE) {
		if (!(uvpml4e[a >> PML4SHIFT] & PTE_P) || !(uvpde[a >> PDPESHIFT] & PTE_P)) {
			a = ROUNDUP(a + 1, 1UL << PDPESHIFT) - PTSIZE;
			continue;
		}
		if (!(uvpd[a >> PDXSHIFT] & PTE_P))
			continue;
		count++;	// the page table
		for (uintptr_t p = a; p < a + PTSIZE; p += PGSIZE)
			if (uvpt[PGNUM(p)] & PTE_P)
				count++;
	}
	return count;
}

/*
 * The pages this server holds that outlive the requests: the block
 * cache (which keeps every block it has read or written, for good) and
 * the Fd pages of the open-file table (kept for reuse), with the page
 * tables that map them.  vmm counts them to tell the cache from a leak.
 */
static int
serve_held(envid_t envid, union Fsipc *ipc)
{
	return pages_in(DISKMAP, DISKSIZE)
		+ pages_in(FILEVA, ROUNDUP(MAXOPEN * PGSIZE, PTSIZE));
}

typedef int (*fshandler)(envid_t envid, union Fsipc *req);

static const fshandler handlers[] = {
	[FSREQ_SET_SIZE] = serve_set_size,
	[FSREQ_READ] = serve_read,
	[FSREQ_WRITE] = serve_write,
	[FSREQ_STAT] = serve_stat,
	[FSREQ_FLUSH] = serve_flush,
	[FSREQ_REMOVE] = serve_remove,
	[FSREQ_SYNC] = serve_sync,
	[FSREQ_HELD] = serve_held,
};

/*
 * Send the answer to envid, waiting while it is not yet receiving.  A
 * client that died meanwhile is not an error for the server.
 */
static void
reply(envid_t envid, int32_t value, void *pg, int perm)
{
	int r;

	if (pg == NULL)
		pg = (void *) UTOP;
	while ((r = sys_ipc_try_send(envid, value, pg, perm)) == -E_IPC_NOT_RECV)
		sys_yield();
	if (r < 0 && r != -E_BAD_ENV)
		cprintf("fs: reply to %08x: %e\n", envid, r);
}

/* Receive and answer requests forever. */
static void
serve(void)
{
	uint32_t req;
	envid_t whom;
	int perm, r;
	void *pg;

	for (;;) {
		perm = 0;
		req = ipc_recv(&whom, fsreq, &perm);
		if (!(perm & PTE_P)) {
			cprintf("fs: request %d from %08x without a page\n", req, whom);
			reply(whom, -E_INVAL, NULL, 0);
			continue;
		}
		pg = NULL;
		if (req == FSREQ_OPEN)
			r = serve_open(whom, &fsreq->open, &pg, &perm);
		else if (FSREQ_CODE(req) == FSREQ_WRITE_BLOCK)
			r = serve_write_block(whom, req >> 8, fsreq);
		else if (req < sizeof(handlers) / sizeof(handlers[0]) && handlers[req])
			r = handlers[req](whom, fsreq);
		else {
			cprintf("fs: bad request code %d from %08x\n", req, whom);
			r = -E_INVAL;
		}
		reply(whom, r, pg, perm);
		sys_page_unmap(0, fsreq);
	}
}

/*
 * The file server's main: check the I/O privilege, the disk and the
 * file system, then serve.  If the disk is missing or is not a JOS
 * file system, say so and exit.
 */
void
umain(int argc, char **argv)
{
	int r;

	static_assert(sizeof(union Fsipc) == PGSIZE);
	static_assert(sizeof(struct File) == 256);

	binaryname = "fs";
	cprintf("FS is running\n");

#ifdef VMM_GUEST
	// A guest's disk is a file on the host, reached by host IPC.
	hostdisk_args(argc, argv);
#else
	// Without I/O privilege this faults and the kernel kills us.
	inb(0x1F7);
	cprintf("FS can do I/O\n");
#endif

	serve_init();
	if ((r = fs_init()) < 0) {
		cprintf("fs: no usable file system (%e); the file server exits\n", r);
		return;
	}
#ifndef VMM_GUEST
	// A guest skips the self-tests: every disk access costs it a
	// round trip to the host, and the host has run the same code.
	fs_test();
#endif
	serve();
}
