// testfdsharing: a forked child shares its parent's file descriptors,
// offsets included.

#include <inc/lib.h>

static char buf[512], buf2[512];

void
umain(int argc, char **argv)
{
	int fd, r, n, n2;

	if ((fd = open("/motd", O_RDONLY)) < 0)
		panic("open /motd: %e", fd);
	seek(fd, 0);
	if ((n = readn(fd, buf, sizeof buf)) <= 0)
		panic("readn: %e", n);
	if (n <= 100)
		panic("/motd is too short for this test");
	seek(fd, 0);

	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		// The child reads the start; the shared offset moves.
		if ((n2 = readn(fd, buf2, 100)) != 100)
			panic("read in child got %d, not 100", n2);
		if (memcmp(buf, buf2, 100) != 0)
			panic("read in child got different bytes than read in parent");
		cprintf("read in child succeeded\n");
		exit();
	}
	wait(r);

	// We go on where the child stopped.
	if ((n2 = readn(fd, buf2, n - 100)) != n - 100)
		panic("read in parent got %d, not %d", n2, n - 100);
	if (memcmp(buf + 100, buf2, n - 100) != 0)
		panic("read in parent got different bytes than expected");
	cprintf("read in parent succeeded\n");
	cprintf("fd offsets are shared\n");
	close(fd);
}
