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
	cprintf("testfilero: all tests passed\n");
}
