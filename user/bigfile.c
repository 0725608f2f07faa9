/*
 * bigfile: files past 4 MiB, through the double-indirect block (issue 15,
 * part 2).  Writes a 20 MiB file through the file server, reads it back
 * byte for byte, truncates it to 5 MiB and a bit (freeing the indirect
 * blocks past that), checks it again and removes it; then leaves
 * /kept.pat (KEEP_SIZE bytes of the pattern), which the test reads back
 * on the host with fsformat -x, after fsformat -c has checked that no
 * block leaked.  Byte i of a pattern file of size n is (131 i + n) mod
 * 251, as in conf/tests/51-fsformat.sh.
 */

#include <inc/lib.h>

#define BIG_PATH	"/big.pat"
#define BIG_SIZE	(20 * 1024 * 1024)
#define KEEP_PATH	"/kept.pat"
#define KEEP_SIZE	(5 * 1024 * 1024 + 1234)	// 1281 blocks: past the indirect block

#define CHUNK		(64 * 1024)

static char want[CHUNK], got[CHUNK];

/* Fill buf with n bytes of the pattern of a size-byte file from off. */
static void
make_pattern(char *buf, off_t size, off_t off, size_t n)
{
	uint32_t v = ((uint64_t) off * 131 + size) % 251;
	size_t i;

	for (i = 0; i < n; i++) {
		buf[i] = v;
		v += 131;	// one step of (131 i + size) mod 251
		if (v >= 251)
			v -= 251;
	}
}

/* Create path and write len bytes of the pattern of a seed-byte file. */
static void
write_pattern(const char *path, off_t seed, off_t len)
{
	off_t off;
	int fd, r, n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("create %s: %e", path, fd);
	for (off = 0; off < len; off += n) {
		n = MIN(len - off, CHUNK);
		make_pattern(want, seed, off, n);
		if ((r = write(fd, want, n)) != n)
			panic("write %s at %d: %e", path, off, r);
	}
	close(fd);
}

/* Check that path is len bytes of the pattern of a seed-byte file. */
static void
check_pattern(const char *path, off_t seed, off_t len)
{
	struct Stat st;
	off_t off;
	int fd, r, n;

	if ((fd = open(path, O_RDONLY)) < 0)
		panic("open %s: %e", path, fd);
	if ((r = fstat(fd, &st)) < 0 || st.st_size != len)
		panic("%s: size %d, want %d (%e)", path, st.st_size, len, r);
	for (off = 0; off < len; off += n) {
		n = MIN(len - off, CHUNK);
		if ((r = readn(fd, got, n)) != n)
			panic("read %s at %d: %e", path, off, r);
		make_pattern(want, seed, off, n);
		if (memcmp(want, got, n) != 0)
			panic("%s differs in the %d bytes from %d", path, n, off);
	}
	if ((r = read(fd, got, 1)) != 0)
		panic("%s: read past the end gave %d", path, r);
	close(fd);
	cprintf("bigfile: %s: %d bytes of the pattern\n", path, len);
}

void
umain(int argc, char **argv)
{
	int fd, r;

	binaryname = "bigfile";
	write_pattern(BIG_PATH, BIG_SIZE, BIG_SIZE);
	cprintf("bigfile: wrote %s\n", BIG_PATH);
	check_pattern(BIG_PATH, BIG_SIZE, BIG_SIZE);

	if ((fd = open(BIG_PATH, O_RDWR)) < 0)
		panic("open %s: %e", BIG_PATH, fd);
	if ((r = ftruncate(fd, KEEP_SIZE)) < 0)
		panic("ftruncate %s: %e", BIG_PATH, r);
	close(fd);
	check_pattern(BIG_PATH, BIG_SIZE, KEEP_SIZE);

	if ((r = remove(BIG_PATH)) < 0)
		panic("remove %s: %e", BIG_PATH, r);
	if ((fd = open(BIG_PATH, O_RDONLY)) != -E_NOT_FOUND)
		panic("%s is still there after remove: %e", BIG_PATH, fd);
	cprintf("bigfile: removed %s\n", BIG_PATH);

	write_pattern(KEEP_PATH, KEEP_SIZE, KEEP_SIZE);
	check_pattern(KEEP_PATH, KEEP_SIZE, KEEP_SIZE);
	if ((r = sync()) < 0)
		panic("sync: %e", r);
	cprintf("bigfile: all tests passed\n");
}
