// testfsimg: read a disk that another writer made (conf/tests/51-fsformat.sh
// writes it in the JOS layout with a few lines of Python), then write to it.
//
// Every directory is walked through the file server and each entry is
// printed with its type and size.  Every file whose name ends in ".pat"
// must hold the pattern below over exactly its size, both as its entry
// says and as stat says; every file whose name ends in ".bad" has a bad
// size or block number, which the server must refuse.  Then
// /sub/made.pat is written (big enough to need the indirect block) for
// the test to read back on the host, sizes and offsets out of range are
// tried on it, and /ls and /cat, programs the test put on the disk, are
// run from it.

#include <inc/lib.h>

#define MADE_PATH	"/sub/made.pat"
#define MADE_SIZE	(12 * BLKSIZE + 345)

static char buf[BLKSIZE];
static char pathbuf[MAXPATHLEN];
static int npat;		// pattern files checked

/* Byte off of a pattern file of size bytes (conf/tests/51-fsformat.sh). */
static uint8_t
pattern(uint32_t size, uint32_t off)
{
	return (off * 131 + size) % 251;
}

/*
 * Check that path reads as size bytes of the pattern, then the end, and
 * that stat agrees on its size.
 */
static void
check_pattern(const char *path, off_t size)
{
	struct Stat st;
	off_t off = 0;
	ssize_t n, i;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		panic("open %s: %e", path, fd);
	if ((n = fstat(fd, &st)) < 0)
		panic("stat %s: %e", path, (int) n);
	if (st.st_size != size || st.st_isdir)
		panic("%s: stat says %d bytes (isdir %d), its entry %d",
		      path, st.st_size, st.st_isdir, size);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++)
			if ((uint8_t) buf[i] != pattern(size, off + i))
				panic("%s: byte %d is %02x, not %02x", path, off + (off_t) i,
				      (uint8_t) buf[i], pattern(size, off + i));
		off += n;
	}
	if (n < 0)
		panic("read %s at %d: %e", path, off, (int) n);
	if (off != size)
		panic("%s: read %d bytes of %d", path, off, size);
	close(fd);
	cprintf("testfsimg: %s: %d bytes of the pattern\n", path, size);
	npat++;
}

/*
 * Check that the file server refuses path, an entry with a bad size or
 * block number (its name ends in ".bad"), at open or at the first read.
 */
static void
check_refused(const char *path)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		cprintf("testfsimg: %s refused at open: %e\n", path, fd);
		return;
	}
	if ((n = read(fd, buf, sizeof buf)) >= 0)
		panic("%s: read %d bytes of a bad file", path, (int) n);
	close(fd);
	cprintf("testfsimg: %s refused at read: %e\n", path, (int) n);
}

/* Does name end in suffix? */
static bool
has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n >= m && strcmp(name + n - m, suffix) == 0;
}

/*
 * Print every entry under the directory named in path (len characters
 * long, "" for the root), checking pattern and bad files.  One path
 * buffer serves every level: the user stack is one page.
 */
static void
walk(char *path, size_t len)
{
	struct File f;
	ssize_t n;
	int fd;

	if ((fd = open(len ? path : "/", O_RDONLY)) < 0)
		panic("open %s/: %e", path, fd);
	while ((n = readn(fd, &f, sizeof f)) == sizeof f) {
		if (f.f_name[0] == '\0')
			continue;
		if (len + 1 + strlen(f.f_name) >= MAXPATHLEN)
			panic("%s/%s: path too long", path, f.f_name);
		path[len] = '/';
		strcpy(path + len + 1, f.f_name);
		cprintf("testfsimg: %c %s %d\n", f.f_type == FTYPE_DIR ? 'd' : '-',
			path, f.f_size);
		if (f.f_type == FTYPE_DIR)
			walk(path, strlen(path));
		else if (has_suffix(f.f_name, ".pat"))
			check_pattern(path, f.f_size);
		else if (has_suffix(f.f_name, ".bad"))
			check_refused(path);
		path[len] = '\0';
	}
	if (n != 0)
		panic("reading directory %s/: %d (%e)", path, (int) n, (int) n);
	close(fd);
}

/* Write MADE_PATH as MADE_SIZE bytes of the pattern. */
static void
write_pattern_file(void)
{
	off_t off, i, n;
	int fd, r;

	if ((fd = open(MADE_PATH, O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("create %s: %e", MADE_PATH, fd);
	for (off = 0; off < MADE_SIZE; off += n) {
		n = MIN(MADE_SIZE - off, (off_t) sizeof buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(MADE_SIZE, off + i);
		if ((r = write(fd, buf, n)) != n)
			panic("write %s at %d: %e", MADE_PATH, off, r);
	}
	close(fd);
	cprintf("testfsimg: wrote %s\n", MADE_PATH);
}

/*
 * Sizes and offsets out of range get clear errors, from the library and,
 * for an offset set in the shared Fd page, from the server; a file can
 * reach MAXFILESIZE bytes and no further.  MADE_PATH is left as it was.
 */
static void
check_ranges(void)
{
	struct Stat st;
	struct Fd *fd;
	int f, r;

	if ((f = open(MADE_PATH, O_RDWR)) < 0 || (r = fd_lookup(f, &fd)) < 0)
		panic("open %s: %e", MADE_PATH, f);
	if ((r = seek(f, -1)) != -E_INVAL)
		panic("seek to -1: %e", r);
	if ((r = ftruncate(f, -1)) != -E_INVAL)
		panic("ftruncate to -1: %e", r);
	if ((r = ftruncate(f, MAXFILESIZE + 1)) != -E_INVAL)
		panic("ftruncate past MAXFILESIZE: %e", r);
	fd->fd_offset = -BLKSIZE;
	if ((r = read(f, buf, 10)) != -E_INVAL || (r = write(f, buf, 10)) != -E_INVAL)
		panic("at offset -BLKSIZE: %e", r);
	if ((r = seek(f, MAXFILESIZE - 1)) < 0 || (r = write(f, "x", 1)) != 1)
		panic("write the last byte a file can hold: %e", r);
	if ((r = write(f, "y", 1)) != -E_NO_DISK)
		panic("write past MAXFILESIZE: %e", r);
	if ((r = fstat(f, &st)) < 0 || st.st_size != MAXFILESIZE)
		panic("size %d, want %d (%e)", st.st_size, MAXFILESIZE, r);
	if ((r = ftruncate(f, MADE_SIZE)) < 0)
		panic("ftruncate back: %e", r);
	close(f);
	cprintf("testfsimg: sizes and offsets are range-checked\n");
}

/* Run a program from the disk and wait for it. */
static void
run(const char *prog, const char *arg1, const char *arg2)
{
	int r;

	if ((r = spawnl(prog, prog, arg1, arg2, (char *) 0)) < 0)
		panic("spawn %s: %e", prog, r);
	wait(r);
}

void
umain(int argc, char **argv)
{
	int r;

	binaryname = "testfsimg";
	walk(pathbuf, 0);
	cprintf("testfsimg: %d pattern files are right\n", npat);
	write_pattern_file();
	check_ranges();
	check_pattern(MADE_PATH, MADE_SIZE);
	// ls and cat print on fd 1; the first program starts with no fds.
	if ((r = opencons()) < 0 || (r = dup(r, 1)) < 0)
		panic("console: %e", r);
	run("/ls", "-l", "/sub");
	run("/cat", "/motd", NULL);
	if ((r = sync()) < 0)
		panic("sync: %e", r);
	cprintf("testfsimg: all tests passed\n");
}
