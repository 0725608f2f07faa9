// fsbench: file system figures: the throughput of writing and reading a
// 4 MiB file through the file server, and the cost of spawning hello.
// Prints figures only; nothing here is a pass or fail.

#include <inc/lib.h>

#define FILE_BYTES	(4 * 1024 * 1024)
#define SPAWNS		10

static char buf[8192];

/* KB/s for n bytes in ms milliseconds (ms 0 counts as 1). */
static unsigned
kbps(unsigned n, unsigned ms)
{
	return (unsigned) ((uint64_t) n * 1000 / 1024 / (ms ? ms : 1));
}

void
umain(int argc, char **argv)
{
	unsigned t0, t1;
	int fd, i, r;
	envid_t kid;

	memset(buf, 'b', sizeof buf);
	remove("/fsbench.tmp");

	t0 = sys_time_msec();
	if ((fd = open("/fsbench.tmp", O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("create /fsbench.tmp: %e", fd);
	for (i = 0; i < FILE_BYTES; i += sizeof buf)
		if ((r = write(fd, buf, sizeof buf)) != sizeof buf)
			panic("write: %e", r);
	close(fd);	// the server writes the blocks to the disk here
	t1 = sys_time_msec();
	cprintf("fsbench: write 4 MiB file: %u ms, %u KB/s\n", t1 - t0, kbps(FILE_BYTES, t1 - t0));

	t0 = sys_time_msec();
	if ((fd = open("/fsbench.tmp", O_RDONLY)) < 0)
		panic("open /fsbench.tmp: %e", fd);
	for (i = 0; i < FILE_BYTES; i += r)
		if ((r = readn(fd, buf, sizeof buf)) <= 0)
			panic("read: %e", r);
	close(fd);
	t1 = sys_time_msec();
	cprintf("fsbench: read 4 MiB file: %u ms, %u KB/s\n", t1 - t0, kbps(FILE_BYTES, t1 - t0));
	remove("/fsbench.tmp");

	t0 = sys_time_msec();
	for (i = 0; i < SPAWNS; i++) {
		if ((kid = spawnl("/hello", "hello", (char *) NULL)) < 0)
			panic("spawn hello: %e", kid);
		wait(kid);
	}
	t1 = sys_time_msec();
	cprintf("fsbench: spawn and wait for hello: %u us each\n",
		(t1 - t0) * 1000 / SPAWNS);
}
