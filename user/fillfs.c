// fillfs: fill the disk with files until the file server says it is
// full (-E_NO_DISK), then check byte for byte that the files written
// before, and files that were on the disk already, are intact; that a
// full disk refuses more; and that removing the files frees the space.
// With the argument "keep" the files stay (for a check after reboot).

#include <inc/lib.h>

#define MAXFILES	64

// Each fill file stops at 6 MiB: past the indirect block, so that the
// disk also fills inside the double-indirect block's range.
#define FILL_FILE_MAX	(6 * 1024 * 1024)

// Files that were on the disk before, read into memory first.
static const char *const old_names[] = { "/motd", "/lorem", "/hello", "/sh" };
#define NOLD	(sizeof(old_names) / sizeof(old_names[0]))
static char old_data[NOLD][128 * 1024];
static int old_size[NOLD];

static off_t fill_size[MAXFILES];	// bytes that made it into /fill/N
static char buf[BLKSIZE], buf2[BLKSIZE];

/* The byte at offset off of fill file n. */
static char
pattern(int n, off_t off)
{
	return (char) (n * 37 + off / BLKSIZE * 11 + off % 253);
}

/* Fill buf with bytes [off, off + len) of fill file n. */
static void
make_pattern(char *b, int n, off_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = pattern(n, off + i);
}

/* Read the whole file path into b (at most max bytes); its size. */
static int
slurp(const char *path, char *b, int max)
{
	int fd, n;

	if ((fd = open(path, O_RDONLY)) < 0)
		panic("open %s: %e", path, fd);
	n = readn(fd, b, max);
	if (n < 0)
		panic("read %s: %e", path, n);
	if (n == max)
		panic("%s is too large for this test", path);
	close(fd);
	return n;
}

/* Write /fill/n until the disk or the file is full; the bytes written. */
static off_t
fill_one(int n, int *err)
{
	char path[32];
	off_t off = 0;
	int fd, r;

	snprintf(path, sizeof path, "/fill/%d", n);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC)) < 0) {
		*err = fd;
		return -1;
	}
	*err = 0;
	while (off < FILL_FILE_MAX) {
		make_pattern(buf, n, off, sizeof buf);
		r = write(fd, buf, sizeof buf);
		if (r <= 0) {
			*err = r < 0 ? r : -E_UNSPECIFIED;
			break;
		}
		// After a short write (the disk filled), the next one fails.
		off += r;
	}
	close(fd);
	return off;
}

/* Check /fill/n against its pattern and its recorded size. */
static void
check_one(int n)
{
	struct Stat st;
	char path[32];
	off_t off;
	int fd, r;

	snprintf(path, sizeof path, "/fill/%d", n);
	if ((fd = open(path, O_RDONLY)) < 0)
		panic("open %s: %e", path, fd);
	if ((r = fstat(fd, &st)) < 0 || st.st_size != fill_size[n])
		panic("%s: size %ld, wrote %ld", path, (long) st.st_size,
		      (long) fill_size[n]);
	for (off = 0; off < fill_size[n]; off += r) {
		r = readn(fd, buf2, sizeof buf2);
		if (r <= 0)
			panic("read %s at %ld: %e", path, (long) off, r);
		make_pattern(buf, n, off, r);
		if (memcmp(buf, buf2, r) != 0)
			panic("%s differs near byte %ld", path, (long) off);
	}
	close(fd);
}

void
umain(int argc, char **argv)
{
	int i, n, r, err = 0, fd;
	off_t total = 0, got = 0;
	bool keep = argc > 1 && strcmp(argv[1], "keep") == 0;

	binaryname = "fillfs";
	for (i = 0; i < (int) NOLD; i++)
		old_size[i] = slurp(old_names[i], old_data[i], sizeof old_data[i]);

	if ((fd = open("/fill", O_RDONLY | O_CREAT | O_MKDIR)) < 0)
		panic("mkdir /fill: %e", fd);
	close(fd);

	for (n = 0; n < MAXFILES; n++) {
		got = fill_one(n, &err);
		if (got < 0)
			break;		// could not even create the file
		fill_size[n] = got;
		total += got;
		if (err < 0)
			break;
	}
	if (got >= 0)
		n++;
	cprintf("fillfs: wrote %ld bytes in %d files, then: %e\n",
		(long) total, n, err);
	if (err != -E_NO_DISK)
		panic("the disk did not fill up with -E_NO_DISK (%e)", err);
	cprintf("fillfs: disk full is reported as E_NO_DISK\n");

	// A full disk refuses more data.
	if ((fd = open("/fill/extra", O_WRONLY | O_CREAT)) >= 0) {
		r = write(fd, buf, sizeof buf);
		close(fd);
		if (r != -E_NO_DISK)
			panic("write to a full disk returned %d, not -E_NO_DISK", r);
		remove("/fill/extra");
	} else if (fd != -E_NO_DISK)
		panic("create on a full disk: %e", fd);
	cprintf("fillfs: the full disk refuses more\n");

	for (i = 0; i < n; i++)
		check_one(i);
	cprintf("fillfs: the fill files read back right\n");

	for (i = 0; i < (int) NOLD; i++) {
		static char now[128 * 1024];

		r = slurp(old_names[i], now, sizeof now);
		if (r != old_size[i] || memcmp(now, old_data[i], r) != 0)
			panic("%s changed while the disk filled", old_names[i]);
	}
	cprintf("fillfs: earlier files intact\n");

	if ((r = sync()) < 0)
		panic("sync: %e", r);
	if (keep) {
		cprintf("fillfs: files kept\n");
		return;
	}

	for (i = 0; i < n; i++) {
		char path[32];

		snprintf(path, sizeof path, "/fill/%d", i);
		if ((r = remove(path)) < 0)
			panic("remove %s: %e", path, r);
	}
	got = fill_one(0, &err);
	if (got != FILL_FILE_MAX || err != 0)
		panic("after removing, only %ld bytes fit (%e)", (long) got, err);
	if ((r = remove("/fill/0")) < 0 || (r = remove("/fill")) < 0)
		panic("remove: %e", r);
	cprintf("fillfs: removing the files freed the space\n");
	cprintf("fillfs: all tests passed\n");
}
