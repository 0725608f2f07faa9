/*
 * fsformat: a host tool that builds, lists and reads JOS file system
 * disk images.
 *
 *   fsformat IMAGE NBLOCKS [SPEC ...]   make a fresh image
 *   fsformat -l IMAGE                   list every file (type, size, path)
 *   fsformat -x IMAGE PATH              copy file PATH to standard output
 *   fsformat -c IMAGE                   check the image (a small fsck)
 *
 * Each SPEC says what to put on the new disk:
 *
 *   HOSTFILE           the file, as /BASENAME
 *   PATH=HOSTFILE      the file, as /PATH; missing directories are made
 *   PATH/              an empty directory /PATH
 *
 * The disk has NBLOCKS blocks of BLKSIZE bytes: block 0 (boot, unused),
 * block 1 the super block, then the free-block bitmap (a set bit means
 * free), then the files, each in consecutive blocks (a file over 4 MiB
 * also through its double-indirect block).  A file too large
 * for a JOS file, a name or path too long, a name used twice, or an
 * image too small is refused with a message naming the culprit; then
 * no image is written and the exit status is 1.
 *
 * The check (-c) follows every file's block pointers (direct, indirect
 * and double-indirect, and the index blocks themselves) and compares them
 * with the bitmap: a block out of range, used twice, or in use but
 * marked free is an error (exit status 1); a block marked in use that
 * no file holds is a leak, reported as one too.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The JOS headers' off_t is 32 bits (the disk's f_size); the host's is
 * 64.  Inside them it goes by another name, so that both can be seen
 * here: below, off_t is the host's.
 */
#define off_t jos_off_t
#include <inc/fs.h>
#undef off_t

// The file server maps the disk into a 3 GiB window (DISKSIZE in fs/fs.h).
#define DISKSIZE_MAX	0xC0000000U

static const char *image_name;
static uint8_t *disk;		// the whole image, in memory
static uint32_t nblocks;	// blocks in the image
static uint32_t next_free;	// blocks below this are in use
static struct Super *super;

/* Print a message and give up without writing the image. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fsformat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* The in-memory copy of block b. */
static void *
block(uint32_t b)
{
	if (b >= nblocks)
		die("%s: block %u is past the end of the disk", image_name, b);
	return disk + (size_t) b * BLKSIZE;
}

/* Mark block b used in the bitmap. */
static void
mark_used(uint32_t b)
{
	uint32_t *bitmap = block(2);

	bitmap[b / 32] &= ~(1U << (b % 32));
}

/* Take the next free block, zeroed, or die naming what needed it. */
static uint32_t
alloc_block(const char *what)
{
	uint32_t b;

	if (next_free >= nblocks)
		die("%s does not fit: the %u-block disk is full", what, nblocks);
	b = next_free++;
	mark_used(b);
	memset(block(b), 0, BLKSIZE);
	return b;
}

/* Index block number b, or a fresh block (for what) when b is 0. */
static uint32_t
index_block(uint32_t b, const char *what)
{
	return b ? b : alloc_block(what);
}

/*
 * Make block b file f's block i, allocating the indirect block, or the
 * double-indirect block and the indirect block under it, if needed.
 */
static void
set_file_block(struct File *f, uint32_t i, uint32_t b, const char *what)
{
	uint32_t *ind;

	if (i < NDIRECT) {
		f->f_direct[i] = b;
	} else if (i < NDIRECT + NINDIRECT) {
		f->f_indirect = index_block(f->f_indirect, what);
		ind = block(f->f_indirect);
		ind[i - NDIRECT] = b;
	} else if (i < MAXFILEBLOCKS) {
		i -= NDIRECT + NINDIRECT;
		f->f_double_indirect = index_block(f->f_double_indirect, what);
		ind = block(f->f_double_indirect);
		ind[i / NINDIRECT] = index_block(ind[i / NINDIRECT], what);
		ind = block(ind[i / NINDIRECT]);
		ind[i % NINDIRECT] = b;
	} else
		die("%s is too large: a file holds at most %d bytes",
		    what, MAXFILESIZE);
}

/* Block number of file f's block i (0 if none). */
static uint32_t
file_block(struct File *f, uint32_t i)
{
	uint32_t *ind;

	if (i < NDIRECT)
		return f->f_direct[i];
	if (i < NDIRECT + NINDIRECT) {
		if (f->f_indirect == 0)
			return 0;
		ind = block(f->f_indirect);
		return ind[i - NDIRECT];
	}
	if (i >= MAXFILEBLOCKS || f->f_double_indirect == 0)
		return 0;
	i -= NDIRECT + NINDIRECT;
	ind = block(f->f_double_indirect);
	if (ind[i / NINDIRECT] == 0)
		return 0;
	ind = block(ind[i / NINDIRECT]);
	return ind[i % NINDIRECT];
}

/* Blocks a file of nblock data blocks takes on the disk, index blocks too. */
static uint32_t
blocks_needed(uint32_t nblock)
{
	uint32_t need = nblock;

	if (nblock > NDIRECT)
		need++;		// the indirect block
	if (nblock > NDIRECT + NINDIRECT) {
		nblock -= NDIRECT + NINDIRECT;
		need += 1 + (nblock + NINDIRECT - 1) / NINDIRECT;
	}
	return need;
}

/*
 * The number of blocks of directory dir, whose name is path; an image
 * whose directory size is no whole number of blocks up to MAXFILESIZE
 * is refused.
 */
static uint32_t
dir_blocks(struct File *dir, const char *path)
{
	if (dir->f_size < 0 || dir->f_size > MAXFILESIZE || dir->f_size % BLKSIZE)
		die("%s: %s: bad directory size %d", image_name, path, dir->f_size);
	return dir->f_size / BLKSIZE;
}

/* Look up name in directory dir; NULL if absent. */
static struct File *
dir_find(struct File *dir, const char *name)
{
	uint32_t i, j, b, n = dir_blocks(dir, dir->f_name);
	struct File *f;

	for (i = 0; i < n; i++) {
		if ((b = file_block(dir, i)) == 0)
			continue;	// a hole holds no entries
		f = block(b);
		for (j = 0; j < BLKFILES; j++)
			if (strcmp(f[j].f_name, name) == 0)
				return &f[j];
	}
	return NULL;
}

/* A fresh entry called name in directory dir, growing dir if needed. */
static struct File *
dir_add(struct File *dir, const char *name, const char *path)
{
	uint32_t i, j, b, n;
	struct File *f;

	if (strlen(name) >= MAXNAMELEN)
		die("%s: the name '%s' is longer than %d characters",
		    path, name, MAXNAMELEN - 1);
	if (dir_find(dir, name) != NULL)
		die("%s: the name is used twice", path);
	n = dir_blocks(dir, path);
	for (i = 0; i < n; i++) {
		if ((b = file_block(dir, i)) == 0)
			continue;
		f = block(b);
		for (j = 0; j < BLKFILES; j++)
			if (f[j].f_name[0] == '\0')
				goto found;
	}
	b = alloc_block(path);
	set_file_block(dir, i, b, path);
	dir->f_size += BLKSIZE;
	f = block(b);
	j = 0;
found:
	memset(&f[j], 0, sizeof(struct File));
	strcpy(f[j].f_name, name);
	return &f[j];
}

/*
 * The directory that holds the last component of path, made if missing;
 * the last component is copied to name.  Never returns on a bad path.
 */
static struct File *
walk_parent(const char *path, char *name)
{
	struct File *dir = &super->s_root, *f;
	const char *p = path, *q;
	size_t n;

	if (strlen(path) >= MAXPATHLEN)
		die("%s: the path is longer than %d characters", path, MAXPATHLEN - 1);
	for (;;) {
		while (*p == '/')
			p++;
		q = strchr(p, '/');
		n = q ? (size_t) (q - p) : strlen(p);
		if (n >= MAXNAMELEN)
			die("%s: a name in the path is longer than %d characters",
			    path, MAXNAMELEN - 1);
		memcpy(name, p, n);
		name[n] = '\0';
		if (q == NULL || q[strspn(q, "/")] == '\0')
			return dir;
		f = dir_find(dir, name);
		if (f == NULL) {
			f = dir_add(dir, name, path);
			f->f_type = FTYPE_DIR;
		} else if (f->f_type != FTYPE_DIR) {
			die("%s: '%s' is a file, not a directory", path, name);
		}
		dir = f;
		p = q;
	}
}

/* Make the (empty) directory path, and its parents. */
static void
add_dir(const char *path)
{
	char name[MAXPATHLEN];
	struct File *dir, *f;

	dir = walk_parent(path, name);
	if (name[0] == '\0')
		return;		// the root
	f = dir_find(dir, name);
	if (f == NULL) {
		f = dir_add(dir, name, path);
		f->f_type = FTYPE_DIR;
	} else if (f->f_type != FTYPE_DIR)
		die("%s: exists and is not a directory", path);
}

/* Copy host file hostfile onto the disk as path. */
static void
add_file(const char *path, const char *hostfile)
{
	char name[MAXPATHLEN];
	struct File *dir, *f;
	struct stat st;
	FILE *in;
	size_t n, want;
	uint32_t i, need;

	if (stat(hostfile, &st) < 0)
		die("%s: %s", hostfile, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("%s: not a regular file", hostfile);
	if (st.st_size > MAXFILESIZE)
		die("%s is too large: %lld bytes, a JOS file holds at most %d",
		    hostfile, (long long) st.st_size, MAXFILESIZE);
	need = blocks_needed((st.st_size + BLKSIZE - 1) / BLKSIZE);
	if (need > nblocks - next_free)
		die("%s does not fit: it needs %u blocks, %u of %u are free",
		    hostfile, need, nblocks - next_free, nblocks);

	dir = walk_parent(path, name);
	if (name[0] == '\0')
		die("%s: a file needs a name", path);
	f = dir_add(dir, name, path);
	f->f_type = FTYPE_REG;

	if ((in = fopen(hostfile, "rb")) == NULL)
		die("%s: %s", hostfile, strerror(errno));
	for (i = 0; (off_t) i * BLKSIZE < st.st_size; i++) {
		uint32_t b = alloc_block(hostfile);

		set_file_block(f, i, b, hostfile);
		want = st.st_size - (off_t) i * BLKSIZE;
		if (want > BLKSIZE)
			want = BLKSIZE;
		n = fread(block(b), 1, want, in);
		if (n != want)
			die("%s: short read (did it change?)", hostfile);
	}
	fclose(in);
	f->f_size = st.st_size;
}

/* Add what one command-line SPEC names (see the comment at the top). */
static void
add_spec(char *spec)
{
	char *eq = strchr(spec, '=');
	size_t n = strlen(spec);

	if (eq != NULL) {
		*eq = '\0';
		add_file(spec, eq + 1);
	} else if (n > 0 && spec[n - 1] == '/') {
		add_dir(spec);
	} else {
		const char *base = strrchr(spec, '/');

		add_file(base ? base + 1 : spec, spec);
	}
}

/* Build a fresh image of n blocks from the specs and write it out. */
static void
make_image(const char *nstr, int nspec, char **specs)
{
	char *end;
	unsigned long n;
	uint32_t b, nbitblocks;
	FILE *out;
	int i;

	n = strtoul(nstr, &end, 0);
	if (*end != '\0' || n == 0)
		die("bad block count '%s'", nstr);
	if (n > DISKSIZE_MAX / BLKSIZE)
		die("%lu blocks do not fit the file server's %u MiB window",
		    n, DISKSIZE_MAX >> 20);
	nblocks = n;
	nbitblocks = (nblocks + BLKBITSIZE - 1) / BLKBITSIZE;
	if (nblocks < 3 + nbitblocks)
		die("%u blocks are too few for a file system", nblocks);

	if ((disk = calloc(nblocks, BLKSIZE)) == NULL)
		die("out of memory for %u blocks", nblocks);
	// Everything free, then block 0, the super block and the bitmap used.
	memset(block(2), 0xFF, (size_t) nbitblocks * BLKSIZE);
	for (b = 0; b < 2 + nbitblocks; b++)
		mark_used(b);
	// Bits past the end of the disk are never free.
	for (b = nblocks; b < nbitblocks * BLKBITSIZE; b++)
		((uint32_t *) block(2))[b / 32] &= ~(1U << (b % 32));
	next_free = 2 + nbitblocks;

	super = block(1);
	super->s_magic = FS_MAGIC;
	super->s_nblocks = nblocks;
	strcpy(super->s_root.f_name, "/");
	super->s_root.f_type = FTYPE_DIR;

	for (i = 0; i < nspec; i++)
		add_spec(specs[i]);

	if ((out = fopen(image_name, "wb")) == NULL)
		die("%s: %s", image_name, strerror(errno));
	if (fwrite(disk, BLKSIZE, nblocks, out) != nblocks || fclose(out) != 0) {
		remove(image_name);
		die("%s: write failed", image_name);
	}
}

/* Read an existing image into memory and check its super block. */
static void
load_image(void)
{
	FILE *in;
	long size;

	if ((in = fopen(image_name, "rb")) == NULL)
		die("%s: %s", image_name, strerror(errno));
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	rewind(in);
	if (size < 2 * BLKSIZE)
		die("%s: too small for a file system", image_name);
	nblocks = size / BLKSIZE;
	if ((disk = malloc((size_t) nblocks * BLKSIZE)) == NULL)
		die("out of memory");
	if (fread(disk, BLKSIZE, nblocks, in) != nblocks)
		die("%s: read failed", image_name);
	fclose(in);
	super = block(1);
	if (super->s_magic != FS_MAGIC)
		die("%s: bad super block magic %08x", image_name, super->s_magic);
	if (super->s_nblocks > nblocks)
		die("%s: super block says %u blocks, the image has %u",
		    image_name, super->s_nblocks, nblocks);
	if (super->s_root.f_type != FTYPE_DIR)
		die("%s: the root is not a directory (type %u)",
		    image_name, super->s_root.f_type);
}

/* Print every entry under directory dir, whose path is prefix. */
static void
list_dir(struct File *dir, const char *prefix)
{
	uint32_t i, j, b, n = dir_blocks(dir, prefix[0] ? prefix : "/");
	struct File *f;
	char path[MAXPATHLEN + MAXNAMELEN + 2];

	for (i = 0; i < n; i++) {
		if ((b = file_block(dir, i)) == 0)
			continue;
		f = block(b);
		for (j = 0; j < BLKFILES; j++) {
			if (f[j].f_name[0] == '\0')
				continue;
			snprintf(path, sizeof(path), "%s/%.*s", prefix,
				 MAXNAMELEN, f[j].f_name);
			printf("%c %10d %s\n", f[j].f_type == FTYPE_DIR ? 'd' : '-',
			       f[j].f_size, path);
			if (f[j].f_type == FTYPE_DIR)
				list_dir(&f[j], path);
		}
	}
}

/* Write file path of the image to standard output. */
static void
extract(const char *path)
{
	struct File *dir = &super->s_root, *f = dir;
	char name[MAXNAMELEN];
	const char *p = path, *q;
	off_t off;
	size_t n;

	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		q = strchr(p, '/');
		n = q ? (size_t) (q - p) : strlen(p);
		if (n >= MAXNAMELEN)
			die("%s: name too long", path);
		memcpy(name, p, n);
		name[n] = '\0';
		if (f->f_type != FTYPE_DIR || (f = dir_find(f, name)) == NULL)
			die("%s: not found in %s", path, image_name);
		p += n;
	}
	if (f->f_type == FTYPE_DIR)
		die("%s: is a directory", path);
	if (f->f_size < 0 || f->f_size > MAXFILESIZE)
		die("%s: bad size %d in %s", path, f->f_size, image_name);
	for (off = 0; off < f->f_size; off += BLKSIZE) {
		uint32_t b = file_block(f, off / BLKSIZE);
		static const uint8_t zero[BLKSIZE];

		n = f->f_size - off < BLKSIZE ? f->f_size - off : BLKSIZE;
		fwrite(b ? block(b) : zero, 1, n, stdout);
	}
}

static uint8_t *refs;		// fsck: how many times each block is referenced
static int fsck_errors;

/* fsck: note that path holds block b (what says which pointer). */
static void
fsck_ref(const char *path, const char *what, uint32_t b)
{
	uint32_t *bitmap = block(2);

	if (b >= nblocks) {
		printf("fsck: %s: %s block %u is past the end\n", path, what, b);
		fsck_errors++;
		return;
	}
	if (refs[b]++) {
		printf("fsck: %s: %s block %u is used twice\n", path, what, b);
		fsck_errors++;
	}
	if (bitmap[b / 32] & (1U << (b % 32))) {
		printf("fsck: %s: %s block %u is marked free\n", path, what, b);
		fsck_errors++;
	}
}

/* fsck: note indirect block b of path (what kind) and the blocks it lists. */
static void
fsck_indirect(const char *path, const char *what, uint32_t b)
{
	uint32_t i, *ind;

	fsck_ref(path, what, b);
	if (b >= nblocks)
		return;
	ind = block(b);
	for (i = 0; i < NINDIRECT; i++)
		if (ind[i])
			fsck_ref(path, "data", ind[i]);
}

/* fsck: check file f (called path) and, for a directory, its entries. */
static void
fsck_file(struct File *f, const char *path)
{
	char sub[MAXPATHLEN + MAXNAMELEN + 2];
	uint32_t i, j, *ind, nblock;
	struct File *e;

	if (f->f_size < 0 || f->f_size > MAXFILESIZE) {
		printf("fsck: %s: bad size %d\n", path, f->f_size);
		fsck_errors++;
		return;
	}
	for (i = 0; i < NDIRECT; i++)
		if (f->f_direct[i])
			fsck_ref(path, "direct", f->f_direct[i]);
	if (f->f_indirect)
		fsck_indirect(path, "indirect", f->f_indirect);
	if (f->f_double_indirect) {
		fsck_ref(path, "double-indirect", f->f_double_indirect);
		if (f->f_double_indirect < nblocks) {
			ind = block(f->f_double_indirect);
			for (i = 0; i < NINDIRECT; i++)
				if (ind[i])
					fsck_indirect(path, "second-level indirect", ind[i]);
		}
	}
	if (f->f_type != FTYPE_DIR)
		return;
	if (f->f_size % BLKSIZE) {
		printf("fsck: %s: directory size %d is not whole blocks\n",
		       path, f->f_size);
		fsck_errors++;
	}
	nblock = f->f_size / BLKSIZE;
	for (i = 0; i < nblock; i++) {
		uint32_t b = file_block(f, i);

		if (b == 0 || b >= nblocks)
			continue;	// counted above, or a hole
		e = block(b);
		for (j = 0; j < BLKFILES; j++) {
			if (e[j].f_name[0] == '\0')
				continue;
			if (strnlen(e[j].f_name, MAXNAMELEN) == MAXNAMELEN) {
				printf("fsck: %s: an entry's name has no end\n", path);
				fsck_errors++;
				continue;
			}
			snprintf(sub, sizeof sub, "%s/%s",
				 strcmp(path, "/") ? path : "", e[j].f_name);
			fsck_file(&e[j], sub);
		}
	}
}

/* Check the whole image; print a summary and count errors and leaks. */
static void
fsck(void)
{
	uint32_t *bitmap = block(2), b, nbitblocks, used = 0, leaked = 0;

	nblocks = super->s_nblocks;
	nbitblocks = (nblocks + BLKBITSIZE - 1) / BLKBITSIZE;
	if ((refs = calloc(nblocks, 1)) == NULL)
		die("out of memory");
	for (b = 0; b < 2 + nbitblocks; b++)
		fsck_ref("(file system)", "reserved", b);
	fsck_file(&super->s_root, "/");
	for (b = 0; b < nblocks; b++) {
		if (bitmap[b / 32] & (1U << (b % 32)))
			continue;
		used++;
		if (!refs[b]) {
			if (leaked++ < 10)
				printf("fsck: block %u is marked in use but no file holds it\n", b);
			fsck_errors++;
		}
	}
	printf("fsck: %u blocks, %u in use, %u leaked, %d errors\n",
	       nblocks, used, leaked, fsck_errors);
	if (fsck_errors)
		exit(1);
}

/* Print how to call this tool and exit 1. */
static void
usage(void)
{
	fprintf(stderr, "usage: fsformat IMAGE NBLOCKS [FILE | PATH=FILE | DIR/ ...]\n"
		"       fsformat -l IMAGE\n"
		"       fsformat -x IMAGE PATH\n"
		"       fsformat -c IMAGE\n");
	exit(1);
}

/* Make, list, read or check an image, as the comment at the top says. */
int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "-l") == 0) {
		image_name = argv[2];
		load_image();
		list_dir(&super->s_root, "");
	} else if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		image_name = argv[2];
		load_image();
		fsck();
	} else if (argc == 4 && strcmp(argv[1], "-x") == 0) {
		image_name = argv[2];
		load_image();
		extract(argv[3]);
	} else if (argc >= 3 && argv[1][0] != '-') {
		image_name = argv[1];
		make_image(argv[2], argc - 3, argv + 3);
	} else
		usage();
	return 0;
}
