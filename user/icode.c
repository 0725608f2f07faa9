// icode: read /motd from the file system, then spawn /sbin/init with arguments.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	char buf[512];
	ssize_t n;
	int fd, r;

	binaryname = "icode";

	cprintf("icode startup\n");
	cprintf("icode: open /motd\n");
	if ((fd = open("/motd", O_RDONLY)) < 0)
		panic("icode: open /motd: %e", fd);

	cprintf("icode: read /motd\n");
	while ((n = read(fd, buf, sizeof buf - 1)) > 0)
		sys_cputs(buf, n);
	if (n < 0)
		panic("icode: read /motd: %e", (int) n);

	cprintf("icode: close /motd\n");
	close(fd);

	cprintf("icode: spawn /sbin/init\n");
	if ((r = spawnl("/sbin/init", "init", "initarg1", "initarg2", (char *) NULL)) < 0)
		panic("icode: spawn /sbin/init: %e", r);

	cprintf("icode: exiting\n");
}
