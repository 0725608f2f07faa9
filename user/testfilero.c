// testfilero: access modes are enforced, by the library and by the
// server: no writing through a read-only descriptor, no reading
// through a write-only one, no writing a directory.

#include <inc/lib.h>

/* Panic with what failed unless r is what we wanted. */
static void
check(const char *what, int r, int want)
{
	if (r != want)
		panic("%s: got %d (%e), wanted %d", what, r, r, want);
}

/*
 * Read /bench.1m (1 MiB of one 35-byte line over and over) and check
 * every byte; panic on the first wrong one.
 */
static void
read_large_file(void)
{
	static const char line[] = "JOS fsbench: one MiB of this line.\n";
	static char buf[4096];
	size_t len = sizeof(line) - 1, pos = 0;
	int f, r;

	if ((f = open("/bench.1m", O_RDONLY)) < 0)
		panic("open /bench.1m: %e", f);
	while ((r = read(f, buf, sizeof(buf))) > 0)
		for (int i = 0; i < r; i++, pos++)
			if (buf[i] != line[pos % len])
				panic("/bench.1m: byte %ld is wrong", (long) pos);
	if (r < 0 || pos != 1 << 20)
		panic("/bench.1m: read %ld bytes (%e)", (long) pos, r);
	close(f);
}

void
umain(int argc, char **argv)
{
	char buf[64];
	struct Fd *fd;
	struct Fd copy;
	int f;

	if ((f = open("/motd", O_RDONLY)) < 0)
		panic("open /motd: %e", f);
	check("read", read(f, buf, 10), 10);
	check("write to a read-only fd", write(f, "x", 1), -E_INVAL);
	check("ftruncate a read-only fd", ftruncate(f, 0), -E_INVAL);

	// Go around the library's check: the server must refuse too.
	fd_lookup(f, &fd);
	copy = *fd;
	copy.fd_omode = O_RDWR;
	check("server write to a read-only file",
	      devfile.dev_write(&copy, "x", 1), -E_INVAL);
	check("server truncate of a read-only file",
	      devfile.dev_trunc(&copy, 0), -E_INVAL);
	close(f);
	cprintf("read-only open is good\n");

	if ((f = open("/motd", O_WRONLY)) < 0)
		panic("open /motd for writing: %e", f);
	check("read from a write-only fd", read(f, buf, 10), -E_INVAL);
	fd_lookup(f, &fd);
	copy = *fd;
	copy.fd_omode = O_RDWR;
	check("server read of a write-only file",
	      devfile.dev_read(&copy, buf, 10), -E_INVAL);
	close(f);
	cprintf("write-only open is good\n");

	check("open / for writing", open("/", O_RDWR), -E_INVAL);
	check("create an existing directory", open("/", O_RDONLY | O_CREAT | O_EXCL),
	      -E_FILE_EXISTS);
	cprintf("directory modes are good\n");

	// /motd must be unchanged.
	if ((f = open("/motd", O_RDONLY)) < 0)
		panic("open /motd: %e", f);
	check("read /motd", readn(f, buf, 38), 38);
	buf[38] = 0;
	if (strcmp(buf, "This is /motd, the message of the day.") != 0)
		panic("/motd changed: %s", buf);
	close(f);
	cprintf("file_read is good\n");

	// The lines the labs' read-only file test prints: open through the
	// library, and a large file (1 MiB: direct and indirect blocks)
	// read whole and checked, never written.
	check("open /not-found", open("/not-found", O_RDONLY), -E_NOT_FOUND);
	if ((f = open("/newmotd", O_RDONLY)) < 0)
		panic("open /newmotd: %e", f);
	close(f);
	cprintf("open is good\n");
	read_large_file();
	cprintf("large file is good\n");
	cprintf("testfilero: all tests passed\n");
}
