/*
 * The file system proper: the super block, the free-block bitmap,
 * files made of direct, indirect and double-indirect blocks,
 * directories as files of struct File entries, and paths.  All of it
 * works on the block cache; callers decide when to flush.
 */

#include "fs.h"

struct Super *super;
uint32_t *bitmap;

static uint32_t nbitblocks;	// blocks the bitmap takes, from block 2
static uint32_t alloc_hint;	// where alloc_block starts looking

/* ----------------------------------------------------------- blocks */

/* Is block blockno marked free in the bitmap?  (No for bad numbers.) */
int
block_is_free(uint32_t blockno)
{
	if (super == NULL || blockno >= super->s_nblocks)
		return 0;
	return (bitmap[blockno / 32] & (1U << (blockno % 32))) != 0;
}

/* Could b be a file's block: past the bitmap and on the disk? */
static bool
block_in_range(uint32_t b)
{
	return b >= 2 + nbitblocks && b < super->s_nblocks;
}

/* Write every dirty bitmap block back to the disk. */
static void
flush_bitmap(void)
{
	uint32_t i;

	for (i = 0; i < nbitblocks; i++)
		flush_block(diskaddr(2 + i));
}

/* Mark blockno free in the bitmap (in the cache; flush_bitmap writes it). */
void
free_block(uint32_t blockno)
{
	if (blockno < 2 + nbitblocks || blockno >= super->s_nblocks)
		panic("free_block of reserved or bad block %u", blockno);
	bitmap[blockno / 32] |= 1U << (blockno % 32);
	if (blockno < alloc_hint)
		alloc_hint = blockno;
}

/*
 * Take a free block and mark it used in the bitmap (file_flush writes
 * the bitmap out before the blocks that use it).  The block's old
 * contents are of no interest, so if it is not cached, a zeroed page
 * is mapped for it instead of reading it.  Returns the block number,
 * or -E_NO_DISK if every block is taken.
 */
int
alloc_block(void)
{
	uint32_t b, n = super->s_nblocks;
	int r;

	if (alloc_hint < 2 + nbitblocks)
		alloc_hint = 2 + nbitblocks;
	for (b = alloc_hint; b < n; b++) {
		if (bitmap[b / 32] == 0) {
			b |= 31;	// a whole word in use: skip it
			continue;
		}
		if (!block_is_free(b))
			continue;
		if (!va_is_mapped(diskaddr(b)) &&
		    (r = sys_page_alloc(0, diskaddr(b), PTE_P | PTE_U | PTE_W)) < 0)
			return r;
		bitmap[b / 32] &= ~(1U << (b % 32));
		alloc_hint = b + 1;
		return b;
	}
	return -E_NO_DISK;
}

/* ------------------------------------------------------- start-up */

/*
 * Is f an entry this file system can use: a file or directory whose
 * size is 0 to MAXFILESIZE, whole blocks for a directory?  0, or
 * -E_INVAL after saying what is wrong (the disk came from elsewhere,
 * or is damaged).
 */
static int
check_file(const struct File *f)
{
	if (f->f_type != FTYPE_REG && f->f_type != FTYPE_DIR) {
		cprintf("fs: '%.*s' has unknown type %u\n", MAXNAMELEN, f->f_name, f->f_type);
		return -E_INVAL;
	}
	if (f->f_size < 0 || f->f_size > MAXFILESIZE ||
	    (f->f_type == FTYPE_DIR && f->f_size % BLKSIZE)) {
		cprintf("fs: '%.*s' has a bad size %d\n", MAXNAMELEN, f->f_name, f->f_size);
		return -E_INVAL;
	}
	return 0;
}

/* Check the super block; 0 if it describes a JOS disk that fits. */
static int
check_super(void)
{
	uint32_t disk_blocks = ide_nsectors() / BLKSECTS;

	if (super->s_magic != FS_MAGIC) {
		cprintf("fs: bad file system magic number %08x (want %08x)\n",
			super->s_magic, FS_MAGIC);
		return -E_INVAL;
	}
	if (super->s_nblocks > DISKSIZE / BLKSIZE) {
		cprintf("fs: file system of %u blocks is too large\n",
			super->s_nblocks);
		return -E_INVAL;
	}
	if (disk_blocks && super->s_nblocks > disk_blocks) {
		cprintf("fs: super block says %u blocks, the disk has %u\n",
			super->s_nblocks, disk_blocks);
		return -E_INVAL;
	}
	if (super->s_root.f_type != FTYPE_DIR) {
		cprintf("fs: the root is not a directory\n");
		return -E_INVAL;
	}
	if (check_file(&super->s_root) < 0)
		return -E_INVAL;
	cprintf("superblock is good\n");
	return 0;
}

/* Check that the blocks the file system itself uses are not free. */
static int
check_bitmap(void)
{
	uint32_t b;

	for (b = 0; b < 2 + nbitblocks; b++)
		if (block_is_free(b)) {
			cprintf("fs: reserved block %u is marked free\n", b);
			return -E_INVAL;
		}
	cprintf("bitmap is good\n");
	return 0;
}

/*
 * Find disk 1, start the block cache, and check the super block and
 * bitmap.  Returns 0, or -E_* after printing why the disk is unusable.
 */
int
fs_init(void)
{
	int r;

	if (!ide_probe_disk1())
		return -E_NOT_FOUND;
	bc_init();

	super = diskaddr(1);
	if ((r = check_super()) < 0) {
		super = NULL;
		return r;
	}
	nbitblocks = (super->s_nblocks + BLKBITSIZE - 1) / BLKBITSIZE;
	bitmap = diskaddr(2);
	return check_bitmap();
}

/* ----------------------------------------------------------- files */

/*
 * The number of an index block (an indirect block) that a file names as
 * b: b itself, or when b is 0 and alloc is set, a fresh zeroed block for
 * the caller to store in b's place.  -E_NOT_FOUND when b is 0 and not
 * alloc, -E_NO_DISK, or -E_INVAL when b is off the disk or reserved.
 */
static int
index_block(uint32_t b, bool alloc)
{
	int r;

	if (b == 0) {
		if (!alloc)
			return -E_NOT_FOUND;
		if ((r = alloc_block()) < 0)
			return r;
		memset(diskaddr(r), 0, BLKSIZE);
		return r;
	}
	return block_in_range(b) ? (int) b : -E_INVAL;
}

/*
 * Find the slot holding the disk block number of f's block filebno and
 * store its address in *ppdiskbno: in f itself, in the indirect block,
 * or in one of the indirect blocks that the double-indirect block
 * lists.  Index blocks are allocated if needed and alloc is set.
 * Returns 0, -E_NOT_FOUND (an index block is missing and !alloc),
 * -E_NO_DISK, or -E_INVAL (filebno too large, or a block number on the
 * way that is off the disk or in its reserved blocks).
 */
static int
file_block_walk(struct File *f, uint32_t filebno, uint32_t **ppdiskbno, bool alloc)
{
	uint32_t *table;
	int r;

	if (filebno < NDIRECT) {
		*ppdiskbno = &f->f_direct[filebno];
	} else if (filebno < NDIRECT + NINDIRECT) {
		if ((r = index_block(f->f_indirect, alloc)) < 0)
			return r;
		f->f_indirect = r;
		table = diskaddr(r);
		*ppdiskbno = &table[filebno - NDIRECT];
	} else if (filebno < MAXFILEBLOCKS) {
		filebno -= NDIRECT + NINDIRECT;
		if ((r = index_block(f->f_double_indirect, alloc)) < 0)
			return r;
		f->f_double_indirect = r;
		table = diskaddr(r);
		if ((r = index_block(table[filebno / NINDIRECT], alloc)) < 0)
			return r;
		table[filebno / NINDIRECT] = r;
		table = diskaddr(r);
		*ppdiskbno = &table[filebno % NINDIRECT];
	} else
		return -E_INVAL;
	return (**ppdiskbno && !block_in_range(**ppdiskbno)) ? -E_INVAL : 0;
}

/*
 * Store in *blk the cached address of f's block filebno, allocating
 * (zeroed) blocks as needed.  Returns 0, -E_NO_DISK or -E_INVAL.
 */
int
file_get_block(struct File *f, uint32_t filebno, char **blk)
{
	uint32_t *slot;
	int r;

	if ((r = file_block_walk(f, filebno, &slot, true)) < 0)
		return r;
	if (*slot == 0) {
		if ((r = alloc_block()) < 0)
			return r;
		memset(diskaddr(r), 0, BLKSIZE);
		*slot = r;
	}
	*blk = diskaddr(*slot);
	return 0;
}

/* Free f's block filebno if it has one. */
static void
file_free_block(struct File *f, uint32_t filebno)
{
	uint32_t *slot;

	if (file_block_walk(f, filebno, &slot, false) == 0 && *slot) {
		free_block(*slot);
		*slot = 0;
	}
}

/* Free index block b, if it is one (the caller clears its number). */
static void
free_index_block(uint32_t b)
{
	if (b && block_in_range(b))
		free_block(b);
}

/*
 * Free the blocks of f past newsize bytes (the size itself is unchanged),
 * and the index blocks that map only blocks past it.
 */
static void
file_truncate_blocks(struct File *f, off_t newsize)
{
	uint32_t bno, i, old_nblocks, new_nblocks, *table;

	old_nblocks = (f->f_size + BLKSIZE - 1) / BLKSIZE;
	new_nblocks = (newsize + BLKSIZE - 1) / BLKSIZE;
	for (bno = new_nblocks; bno < old_nblocks; bno++)
		file_free_block(f, bno);
	if (new_nblocks <= NDIRECT) {
		free_index_block(f->f_indirect);
		f->f_indirect = 0;
	}
	if (f->f_double_indirect && block_in_range(f->f_double_indirect)) {
		// Indirect block i maps blocks from NDIRECT + NINDIRECT * (i + 1).
		table = diskaddr(f->f_double_indirect);
		for (i = 0; i < NINDIRECT; i++)
			if (new_nblocks <= NDIRECT + NINDIRECT * (i + 1)) {
				free_index_block(table[i]);
				table[i] = 0;
			}
	}
	if (new_nblocks <= NDIRECT + NINDIRECT) {
		free_index_block(f->f_double_indirect);
		f->f_double_indirect = 0;
	}
	flush_bitmap();
}

/*
 * Make f newsize bytes long, freeing blocks it no longer needs.  Bytes
 * past the end of a kept last block are zeroed, so that growing the
 * file again shows zeros there.
 */
int
file_set_size(struct File *f, off_t newsize)
{
	uint32_t *slot;

	if (newsize < 0 || newsize > MAXFILESIZE)
		return -E_INVAL;
	if (f->f_size > newsize) {
		file_truncate_blocks(f, newsize);
		if (newsize % BLKSIZE &&
		    file_block_walk(f, newsize / BLKSIZE, &slot, false) == 0 && *slot) {
			memset((char *) diskaddr(*slot) + newsize % BLKSIZE, 0,
			       BLKSIZE - newsize % BLKSIZE);
			flush_block(diskaddr(*slot));
		}
	}
	f->f_size = newsize;
	flush_block(f);
	return 0;
}

/*
 * Write f's dirty blocks, its index blocks and its entry to the disk,
 * after the bitmap, so that the disk never shows a block in use as free.
 */
void
file_flush(struct File *f)
{
	uint32_t i, *slot, *table;

	flush_bitmap();
	for (i = 0; i < (f->f_size + BLKSIZE - 1) / BLKSIZE; i++)
		if (file_block_walk(f, i, &slot, false) == 0 && *slot)
			flush_block(diskaddr(*slot));
	flush_block(f);
	if (block_in_range(f->f_indirect))
		flush_block(diskaddr(f->f_indirect));
	if (block_in_range(f->f_double_indirect)) {
		table = diskaddr(f->f_double_indirect);
		for (i = 0; i < NINDIRECT; i++)
			if (block_in_range(table[i]))
				flush_block(diskaddr(table[i]));
		flush_block(table);
	}
}

/*
 * Read up to count bytes of f at offset into buf.  Returns the number
 * read: 0 at or past the end; -E_INVAL for a negative offset or a block
 * number off the disk.  Blocks never written read as zeros.
 */
ssize_t
file_read(struct File *f, void *buf, size_t count, off_t offset)
{
	uint32_t *slot;
	size_t done, n;
	off_t pos;
	int r;

	if (offset < 0)
		return -E_INVAL;
	if (offset >= f->f_size)
		return 0;
	if (count > (size_t) (f->f_size - offset))
		count = f->f_size - offset;
	for (done = 0; done < count; done += n) {
		pos = offset + done;
		n = MIN(count - done, (size_t) (BLKSIZE - pos % BLKSIZE));
		r = file_block_walk(f, pos / BLKSIZE, &slot, false);
		if (r == 0 && *slot)
			memmove((char *) buf + done,
				(char *) diskaddr(*slot) + pos % BLKSIZE, n);
		else if (r == 0 || r == -E_NOT_FOUND)
			memset((char *) buf + done, 0, n);
		else
			return done ? (ssize_t) done : r;
	}
	return count;
}

/*
 * Write count bytes from buf into f at offset, growing f as needed (up
 * to MAXFILESIZE).  Returns the number written; if the disk fills part
 * way, the bytes that made it, or -E_NO_DISK if none did.  The size
 * grows only over bytes really written.
 */
ssize_t
file_write(struct File *f, const void *buf, size_t count, off_t offset)
{
	size_t done, n;
	off_t pos;
	char *blk;
	int r = 0;

	if (offset < 0)
		return -E_INVAL;
	if (offset >= MAXFILESIZE)
		return count ? -E_NO_DISK : 0;
	if (count > (size_t) (MAXFILESIZE - offset))
		count = MAXFILESIZE - offset;
	for (done = 0; done < count; done += n) {
		pos = offset + done;
		if ((r = file_get_block(f, pos / BLKSIZE, &blk)) < 0)
			break;
		n = MIN(count - done, (size_t) (BLKSIZE - pos % BLKSIZE));
		memmove(blk + pos % BLKSIZE, (const char *) buf + done, n);
	}
	if (offset + (off_t) done > f->f_size)
		f->f_size = offset + done;
	if (done == 0 && r < 0)
		return r;
	return done;
}

/* ------------------------------------------------------ directories */

/* Find the entry called name in dir; 0 or -E_NOT_FOUND. */
static int
dir_lookup(struct File *dir, const char *name, struct File **file)
{
	uint32_t i, j, nblock = dir->f_size / BLKSIZE;
	struct File *f;
	char *blk;
	int r;

	for (i = 0; i < nblock; i++) {
		if ((r = file_get_block(dir, i, &blk)) < 0)
			return r;
		f = (struct File *) blk;
		for (j = 0; j < BLKFILES; j++)
			if (f[j].f_name[0] && strcmp(f[j].f_name, name) == 0) {
				*file = &f[j];
				return 0;
			}
	}
	return -E_NOT_FOUND;
}

/* A free entry in dir, which grows by a block if it is full. */
static int
dir_alloc_file(struct File *dir, struct File **file)
{
	uint32_t i, j, nblock = dir->f_size / BLKSIZE;
	struct File *f;
	char *blk;
	int r;

	for (i = 0; i < nblock; i++) {
		if ((r = file_get_block(dir, i, &blk)) < 0)
			return r;
		f = (struct File *) blk;
		for (j = 0; j < BLKFILES; j++)
			if (f[j].f_name[0] == '\0') {
				*file = &f[j];
				return 0;
			}
	}
	if ((r = file_get_block(dir, nblock, &blk)) < 0)
		return r;
	dir->f_size += BLKSIZE;
	*file = (struct File *) blk;
	return 0;
}

/* Is directory dir without entries? */
static bool
dir_is_empty(struct File *dir)
{
	uint32_t i, j;
	struct File *f;
	char *blk;

	for (i = 0; i < dir->f_size / BLKSIZE; i++) {
		if (file_get_block(dir, i, &blk) < 0)
			continue;
		f = (struct File *) blk;
		for (j = 0; j < BLKFILES; j++)
			if (f[j].f_name[0])
				return false;
	}
	return true;
}

/*
 * Walk path from the root.  On success store the file in *pf and its
 * directory in *pdir (either may be NULL).  If only the last element is
 * missing, return -E_NOT_FOUND with *pdir set to its directory and the
 * element copied to lastelem (MAXNAMELEN bytes), *pf NULL.  A name of
 * MAXNAMELEN or more characters is -E_BAD_PATH.
 */
static int
walk_path(const char *path, struct File **pdir, struct File **pf, char *lastelem)
{
	char name[MAXNAMELEN];
	struct File *dir = NULL, *f = &super->s_root;
	const char *p;
	int r;

	if (pdir)
		*pdir = NULL;
	if (pf)
		*pf = NULL;
	while (*path == '/')
		path++;
	while (*path != '\0') {
		dir = f;
		for (p = path; *p && *p != '/'; p++)
			;
		if (p - path >= MAXNAMELEN)
			return -E_BAD_PATH;
		memmove(name, path, p - path);
		name[p - path] = '\0';
		for (path = p; *path == '/'; path++)
			;
		if (dir->f_type != FTYPE_DIR)
			return -E_NOT_FOUND;
		if ((r = dir_lookup(dir, name, &f)) < 0) {
			if (r == -E_NOT_FOUND && *path == '\0') {
				if (pdir)
					*pdir = dir;
				if (lastelem)
					strcpy(lastelem, name);
			}
			return r;
		}
		if ((r = check_file(f)) < 0)
			return r;
	}
	if (pdir)
		*pdir = dir;
	if (pf)
		*pf = f;
	return 0;
}

/*
 * Create path as a file of the given type (FTYPE_REG or FTYPE_DIR) and
 * store it in *pf.  -E_FILE_EXISTS if it exists, -E_NOT_FOUND if its
 * directory does not, -E_BAD_PATH or -E_NO_DISK.
 */
int
file_create(const char *path, struct File **pf, int type)
{
	char name[MAXNAMELEN];
	struct File *dir, *f;
	int r;

	if ((r = walk_path(path, &dir, &f, name)) == 0)
		return -E_FILE_EXISTS;
	if (r != -E_NOT_FOUND || dir == NULL)
		return r;
	if ((r = dir_alloc_file(dir, &f)) < 0)
		return r;
	memset(f, 0, sizeof *f);
	strcpy(f->f_name, name);
	f->f_type = type;
	*pf = f;
	file_flush(dir);
	return 0;
}

/* Find path and store it in *pf; 0, -E_NOT_FOUND or -E_BAD_PATH. */
int
file_open(const char *path, struct File **pf)
{
	return walk_path(path, NULL, pf, NULL);
}

/*
 * Remove path: free its blocks and its entry.  A directory must be
 * empty (-E_NOT_SUPP otherwise); the root cannot go (-E_INVAL).
 */
int
file_remove(const char *path)
{
	struct File *f;
	int r;

	if ((r = walk_path(path, NULL, &f, NULL)) < 0)
		return r;
	if (f == &super->s_root)
		return -E_INVAL;
	if (f->f_type == FTYPE_DIR && !dir_is_empty(f))
		return -E_NOT_SUPP;
	file_truncate_blocks(f, 0);
	memset(f, 0, sizeof *f);
	flush_block(f);
	return 0;
}

/* Write every dirty cached block to the disk. */
void
fs_sync(void)
{
	uint32_t b;

	flush_bitmap();
	for (b = 1; b < super->s_nblocks; b++)
		flush_block(diskaddr(b));
}
