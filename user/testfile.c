// testfile: the file system through the library: open, stat, read,
// close, stale ids, write, read after write, a large file that needs
// the indirect block, O_EXCL, truncate, directories, remove and sync.

#include <inc/lib.h>

static const char msg[] = "This is the NEW message of the day!\n";

#define LARGE_BLOCKS	(NDIRECT * 3)	// well into the indirect block

static char buf[BLKSIZE];

/* Panic with what failed unless r is what we wanted. */
static void
check(const char *what, int r, int want)
{
	if (r != want)
		panic("%s: got %d (%e), wanted %d", what, r, r, want);
}

/* Open, stat, read and close /newmotd; reuse of a closed file's id. */
static void
test_read(void)
{
	struct Stat st;
	struct Fd copy, *fd;
	int f, r;

	check("open /not-found", open("/not-found", O_RDONLY), -E_NOT_FOUND);

	if ((f = open("/newmotd", O_RDONLY)) < 0)
		panic("open /newmotd: %e", f);
	if ((r = fd_lookup(f, &fd)) < 0)
		panic("fd_lookup: %e", r);
	if (fd->fd_dev_id != 'f' || fd->fd_offset != 0 ||
	    fd->fd_omode != O_RDONLY)
		panic("open /newmotd gave a bad Fd");
	cprintf("serve_open is good\n");

	if ((r = fstat(f, &st)) < 0)
		panic("fstat: %e", r);
	if (st.st_size != (off_t) strlen(msg) || strcmp(st.st_name, "newmotd") != 0
	    || st.st_isdir)
		panic("fstat: name %s size %ld isdir %d", st.st_name,
		      (long) st.st_size, st.st_isdir);
	cprintf("file_stat is good\n");

	memset(buf, 0, sizeof buf);
	if ((r = read(f, buf, sizeof buf)) < 0)
		panic("read: %e", r);
	if (r != (int) strlen(msg) || strcmp(buf, msg) != 0)
		panic("read returned wrong data (%d bytes)", r);
	check("read at the end", read(f, buf, sizeof buf), 0);
	cprintf("file_read is good\n");

	copy = *fd;
	if ((r = close(f)) < 0)
		panic("close: %e", r);
	if (fd_lookup(f, &fd) == 0)
		panic("descriptor still open after close");
	cprintf("file_close is good\n");

	// The server must refuse the id of the closed file.
	check("read with a stale id", devfile.dev_read(&copy, buf, sizeof buf),
	      -E_INVAL);
	cprintf("stale fileid is good\n");
}

/* Create a file, write it, read it back, truncate it, remove it. */
static void
test_write(void)
{
	struct Stat st;
	int f, r;

	remove("/new-file");
	if ((f = open("/new-file", O_RDWR | O_CREAT)) < 0)
		panic("open /new-file: %e", f);
	check("write", write(f, msg, strlen(msg)), strlen(msg));
	if ((r = fstat(f, &st)) < 0 || st.st_size != (off_t) strlen(msg))
		panic("size after write: %ld (%e)", (long) st.st_size, r);
	cprintf("file_write is good\n");

	seek(f, 0);
	memset(buf, 0, sizeof buf);
	check("read after write", read(f, buf, sizeof buf), strlen(msg));
	if (strcmp(buf, msg) != 0)
		panic("read after write returned wrong data");
	cprintf("file_read after file_write is good\n");

	check("ftruncate", ftruncate(f, 8), 0);
	seek(f, 0);
	check("read after truncate", read(f, buf, sizeof buf), 8);
	check("ftruncate up", ftruncate(f, 3 * BLKSIZE), 0);
	seek(f, 0);
	check("read after growing", readn(f, buf, 8), 8);
	if (memcmp(buf, msg, 8) != 0)
		panic("truncate lost the first bytes");
	check("read of the hole", readn(f, buf, BLKSIZE), BLKSIZE);
	for (r = 0; r < BLKSIZE - 8; r++)
		if (buf[r] != 0)
			panic("byte %d of a grown file is %d, not 0", r + 8, buf[r]);
	cprintf("ftruncate is good\n");
	close(f);

	check("open O_EXCL", open("/new-file", O_RDWR | O_CREAT | O_EXCL),
	      -E_FILE_EXISTS);
	if ((f = open("/new-file", O_RDWR | O_CREAT | O_TRUNC)) < 0)
		panic("open O_TRUNC: %e", f);
	if ((r = fstat(f, &st)) < 0 || st.st_size != 0)
		panic("O_TRUNC left %ld bytes", (long) st.st_size);
	close(f);
	check("remove", remove("/new-file"), 0);
	check("open after remove", open("/new-file", O_RDONLY), -E_NOT_FOUND);
	check("remove again", remove("/new-file"), -E_NOT_FOUND);
	cprintf("file_remove is good\n");

	if ((f = open("/newmotd", O_RDONLY)) < 0)
		panic("open /newmotd: %e", f);
	close(f);
	cprintf("open is good\n");
}

/* A file of LARGE_BLOCKS blocks, each marked with its number. */
static void
test_large(void)
{
	struct Stat st;
	int f, i, r;

	if ((f = open("/big", O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("creat /big: %e", f);
	memset(buf, 0, sizeof buf);
	for (i = 0; i < LARGE_BLOCKS * BLKSIZE; i += sizeof buf) {
		*(int *) buf = i;
		buf[sizeof buf - 1] = (char) (i / BLKSIZE);
		if ((r = write(f, buf, sizeof buf)) < 0)
			panic("write /big@%d: %e", i, r);
	}
	close(f);

	if ((f = open("/big", O_RDONLY)) < 0)
		panic("open /big: %e", f);
	if ((r = fstat(f, &st)) < 0 || st.st_size != LARGE_BLOCKS * BLKSIZE)
		panic("/big has size %ld", (long) st.st_size);
	for (i = 0; i < LARGE_BLOCKS * BLKSIZE; i += sizeof buf) {
		*(int *) buf = -1;
		if ((r = readn(f, buf, sizeof buf)) < 0)
			panic("read /big@%d: %e", i, r);
		if (r != sizeof buf)
			panic("read /big from %d returned %d < %d", i, r, (int) sizeof buf);
		if (*(int *) buf != i || buf[sizeof buf - 1] != (char) (i / BLKSIZE))
			panic("read /big from %d returned bad data %d", i, *(int *) buf);
	}
	close(f);
	check("remove /big", remove("/big"), 0);
	cprintf("large file is good\n");
}

/* Make a directory, a file in it, list it, and remove both. */
static void
test_dirs(void)
{
	struct Stat st;
	struct File f;
	int fd, found = 0;

	remove("/tdir/file");
	remove("/tdir");
	if ((fd = open("/tdir", O_RDONLY | O_CREAT | O_MKDIR)) < 0)
		panic("mkdir /tdir: %e", fd);
	close(fd);
	if ((fd = open("/tdir/file", O_WRONLY | O_CREAT)) < 0)
		panic("creat /tdir/file: %e", fd);
	check("write /tdir/file", write(fd, "x", 1), 1);
	close(fd);

	check("stat /tdir", stat("/tdir", &st), 0);
	if (!st.st_isdir)
		panic("/tdir is not a directory");
	check("open a directory for writing", open("/tdir", O_WRONLY), -E_INVAL);
	check("open below a file", open("/tdir/file/x", O_RDONLY | O_CREAT),
	      -E_NOT_FOUND);

	if ((fd = open("/tdir", O_RDONLY)) < 0)
		panic("open /tdir: %e", fd);
	while (readn(fd, &f, sizeof f) == sizeof f)
		if (strcmp(f.f_name, "file") == 0 && f.f_size == 1)
			found++;
	close(fd);
	if (found != 1)
		panic("/tdir lists 'file' %d times", found);

	check("remove a full directory", remove("/tdir"), -E_NOT_SUPP);
	check("remove /tdir/file", remove("/tdir/file"), 0);
	check("remove /tdir", remove("/tdir"), 0);
	check("remove /", remove("/"), -E_INVAL);
	cprintf("directories are good\n");

	check("sync", sync(), 0);
	cprintf("sync is good\n");
}

void
umain(int argc, char **argv)
{
	test_read();
	test_write();
	test_large();
	test_dirs();
	cprintf("testfile: all tests passed\n");
}
