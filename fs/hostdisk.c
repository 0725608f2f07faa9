/*
 * The disk of a guest's file server: files on the host's file system,
 * reached with host IPC (lib/ipchost.c) instead of IDE commands.  The
 * guest build links this in place of ide.c, with the same functions.
 *
 * The disk is copy-on-write at block granularity over a clean image:
 *
 *   /vmm/fs.img           the clean image, opened read-only, shared by
 *                         every guest and never written;
 *   /vmm/disk-NAME.img    this guest's own blocks, opened read-write and
 *                         created when missing.  Block b of the disk is
 *                         kept at offset b * BLKSIZE (the file is sparse:
 *                         the host allocates only what is written), and
 *                         block 0, the boot block the file system never
 *                         uses, holds a bitmap of the blocks written.
 *
 * NAME comes from the guest kernel's command line (disk=NAME, default
 * 0), handed to the server as argv[0] = "fs:NAME".  A fresh guest thus
 * pays nothing before it boots, and a guest started again with the same
 * NAME finds what it wrote.
 *
 * Each block read is one FSREQ_READ round trip whose request page is the
 * block cache page itself: the host's server reads the block straight
 * into it.  Each block write is one FSREQ_WRITE_BLOCK round trip with
 * the cache page as its data, plus one for the bitmap block the first
 * time a block is written.
 */

#include <inc/vmx.h>
#include "fs.h"

#define CLEAN_PATH	"/vmm/fs.img"
#define OWN_PREFIX	"/vmm/disk-"
#define OWN_SUFFIX	".img"

// Pages of this server, out of the way of the disk window and FILEVA.
#define CLEAN_FD	((struct Fd *) 0xD0000000)	// the host's Fd pages
#define OWN_FD		((struct Fd *) 0xD0001000)
#define WRITTEN_MAP	((uint32_t *) 0xD0002000)	// block 0 of OWN_FD
#define REQ_PAGE	((union Fsipc *) 0xD0003000)

// Blocks the bitmap in one block can describe.
#define MAP_BLOCKS	(BLKSIZE * 8)

static char disk_name[32] = "0";
static uint32_t disk_nsectors;
static bool disk_ready;

/* Take the disk's NAME from the server's argv[0] ("fs:NAME"), if any. */
void
hostdisk_args(int argc, char **argv)
{
	const char *p;

	if (argc >= 1 && argv[0] && (p = strchr(argv[0], ':')) && p[1])
		strlcpy(disk_name, p + 1, sizeof(disk_name));
}

/*
 * One request to the host's file server: send value with the page pg,
 * wait for the answer, and map a page that comes with it at ans_pg (if
 * not NULL).  Returns the server's answer or a negative error.
 */
static int32_t
host_fsreq(uint32_t value, void *pg, void *ans_pg)
{
	int r;

	if ((r = ipc_host_send(ENV_TYPE_FS, value, pg, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
	return ipc_host_recv(ans_pg, NULL, NULL);
}

/*
 * Open path on the host with mode omode; the host's Fd page for it shows
 * at fd from then on.  Returns 0 or a negative error.
 */
static int
host_open(const char *path, int omode, struct Fd *fd)
{
	int r;

	if ((r = sys_page_alloc(0, fd, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
	memset(REQ_PAGE, 0, PGSIZE);
	strlcpy(REQ_PAGE->open.req_path, path, MAXPATHLEN);
	REQ_PAGE->open.req_omode = omode;
	if ((r = host_fsreq(FSREQ_OPEN, REQ_PAGE, fd)) < 0)
		return r;
	if (fd->fd_dev_id != devfile.dev_id)
		return -E_INVAL;	// no page came back
	return 0;
}

/*
 * Read block blockno of the file open at fd into the page pg (page
 * aligned, mapped), all zeros past the end of the file.  Returns 0 or a
 * negative error.
 */
static int
host_read_block(struct Fd *fd, uint32_t blockno, void *pg)
{
	union Fsipc *req = pg;
	int32_t r;

	fd->fd_offset = (off_t) blockno * BLKSIZE;
	req->read.req_fileid = fd->fd_file.id;
	req->read.req_n = BLKSIZE;
	if ((r = host_fsreq(FSREQ_READ, pg, NULL)) < 0)
		return r;
	if (r > BLKSIZE)
		return -E_INVAL;
	memset((char *) pg + r, 0, BLKSIZE - r);
	return 0;
}

/*
 * Write the page pg as block blockno of the file open at fd.  Returns 0
 * or a negative error.
 */
static int
host_write_block(struct Fd *fd, uint32_t blockno, void *pg)
{
	int32_t r;

	fd->fd_offset = (off_t) blockno * BLKSIZE;
	r = host_fsreq(FSREQ_WRITE_BLOCK_VALUE(fd->fd_file.id), pg, NULL);
	if (r < 0)
		return r;
	return r == BLKSIZE ? 0 : -E_NO_DISK;
}

/* Has this guest written block b (so that its copy is in OWN_FD)? */
static bool
block_written(uint32_t b)
{
	return WRITTEN_MAP[b / 32] & (1U << (b % 32));
}

/*
 * Open the guest's disk on the host: the clean image and the guest's
 * own blocks with their bitmap.  Returns true if the disk is usable
 * (it becomes disk 1, the only one), else says why and returns false.
 */
bool
ide_probe_disk1(void)
{
	char own[MAXPATHLEN];
	int r;

	if ((r = sys_page_alloc(0, REQ_PAGE, PTE_P | PTE_U | PTE_W)) < 0
	    || (r = sys_page_alloc(0, WRITTEN_MAP, PTE_P | PTE_U | PTE_W)) < 0)
		goto fail;
	if ((r = host_open(CLEAN_PATH, O_RDONLY, CLEAN_FD)) < 0) {
		cprintf("hostdisk: %s: %e\n", CLEAN_PATH, r);
		return false;
	}
	memset(REQ_PAGE, 0, PGSIZE);
	REQ_PAGE->stat.req_fileid = CLEAN_FD->fd_file.id;
	if ((r = host_fsreq(FSREQ_STAT, REQ_PAGE, NULL)) < 0)
		goto fail;
	disk_nsectors = REQ_PAGE->statRet.ret_size / SECTSIZE;

	snprintf(own, sizeof(own), "%s%s%s", OWN_PREFIX, disk_name, OWN_SUFFIX);
	if ((r = host_open(own, O_RDWR | O_CREAT, OWN_FD)) < 0) {
		cprintf("hostdisk: %s: %e\n", own, r);
		return false;
	}
	if ((r = host_read_block(OWN_FD, 0, WRITTEN_MAP)) < 0)
		goto fail;
	if (disk_nsectors / BLKSECTS > MAP_BLOCKS) {
		cprintf("hostdisk: %s: more blocks than the bitmap can map\n", CLEAN_PATH);
		return false;
	}
	disk_ready = true;
	cprintf("hostdisk: %s over %s, %u sectors\n", own, CLEAN_PATH, disk_nsectors);
	return true;
fail:
	cprintf("hostdisk: the host's file server: %e\n", r);
	return false;
}

/* There is one disk; any other number is a bug. */
void
ide_set_disk(int d)
{
	if (d != 1)
		panic("hostdisk: no disk %d", d);
}

/* Sectors on the disk (the clean image's size). */
uint32_t
ide_nsectors(void)
{
	return disk_nsectors;
}

/*
 * Check a transfer: whole blocks into or out of page-aligned memory.
 * Panics otherwise (the block cache moves nothing else).
 */
static void
check_transfer(const char *what, uint32_t secno, const void *p, size_t nsecs)
{
	if (!disk_ready || secno % BLKSECTS || nsecs == 0 || nsecs % BLKSECTS
	    || (uintptr_t) p % PGSIZE)
		panic("hostdisk: %s of %zu sectors at %u to %p", what, nsecs, secno, p);
}

/*
 * Read nsecs sectors from secno into dst: each block from the guest's
 * own copy if it wrote it, else from the clean image.  Returns 0, or -1
 * on failure.
 */
int
ide_read(uint32_t secno, void *dst, size_t nsecs)
{
	uint32_t b;
	char *p = dst;
	int r;

	check_transfer("read", secno, dst, nsecs);
	for (b = secno / BLKSECTS; nsecs > 0; b++, nsecs -= BLKSECTS, p += BLKSIZE) {
		r = host_read_block(block_written(b) ? OWN_FD : CLEAN_FD, b, p);
		if (r < 0) {
			cprintf("hostdisk: read block %u: %e\n", b, r);
			return -1;
		}
	}
	return 0;
}

/*
 * Write nsecs sectors from src to secno, into the guest's own copy; a
 * block written for the first time is marked in the bitmap, which goes
 * to the host after the block.  Returns 0, or -1 on failure.
 */
int
ide_write(uint32_t secno, const void *src, size_t nsecs)
{
	uint32_t b;
	const char *p = src;
	int r;

	check_transfer("write", secno, src, nsecs);
	for (b = secno / BLKSECTS; nsecs > 0; b++, nsecs -= BLKSECTS, p += BLKSIZE) {
		if (b == 0 || b >= MAP_BLOCKS)
			panic("hostdisk: write to block %u", b);
		if ((r = host_write_block(OWN_FD, b, (void *) p)) < 0) {
			cprintf("hostdisk: write block %u: %e\n", b, r);
			return -1;
		}
		if (block_written(b))
			continue;
		WRITTEN_MAP[b / 32] |= 1U << (b % 32);
		if ((r = host_write_block(OWN_FD, 0, WRITTEN_MAP)) < 0) {
			cprintf("hostdisk: write the block bitmap: %e\n", r);
			return -1;
		}
	}
	return 0;
}
