// writemotd: replace /motd with the contents of /newmotd, showing both.
// The change is on the disk, so it survives a reboot.

#include <inc/lib.h>

/* Print the whole file behind descriptor fd on the console. */
static void
show(int fd, const char *name)
{
	char buf[512];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		sys_cputs(buf, n);
	if (n < 0)
		panic("read %s: %e", name, (int) n);
}

void
umain(int argc, char **argv)
{
	char buf[512];
	int rfd, wfd;
	ssize_t n, r;

	binaryname = "writemotd";
	if ((rfd = open("/newmotd", O_RDONLY)) < 0)
		panic("open /newmotd: %e", rfd);
	if ((wfd = open("/motd", O_RDWR)) < 0)
		panic("open /motd: %e", wfd);
	cprintf("file descriptors %d %d\n", rfd, wfd);
	if (rfd == wfd)
		panic("open /newmotd and /motd give same file descriptor");

	cprintf("OLD MOTD\n===\n");
	show(wfd, "/motd");
	cprintf("===\n");
	seek(wfd, 0);

	if ((r = ftruncate(wfd, 0)) < 0)
		panic("truncate /motd: %e", (int) r);

	cprintf("NEW MOTD\n===\n");
	while ((n = read(rfd, buf, sizeof buf)) > 0) {
		sys_cputs(buf, n);
		if ((r = write(wfd, buf, n)) != n)
			panic("write /motd: %e", (int) r);
	}
	if (n < 0)
		panic("read /newmotd: %e", (int) n);
	cprintf("===\n");

	close(rfd);
	close(wfd);
	if ((r = sync()) < 0)
		panic("sync: %e", (int) r);
	cprintf("writemotd: /motd rewritten\n");
}
