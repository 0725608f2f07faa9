// fsbench: file system figures: the throughput of writing and reading a
// file through the file server, of reading /bench.1m (1 MiB on the disk
// image) twice, the first time from the disk when nothing read it since
// boot and the second from the server's block cache, and the cost of
// spawning hello.  Prints figures only; nothing here is a pass or fail.
//
//   fsbench [KB]   the size of the written file (default 4096 KB)

#include <inc/lib.h>

#define DEFAULT_KB	4096
#define BIG_FILE	"/bench.1m"
#define SPAWNS		10

static char buf[8192];

/* KB/s for n bytes in ms milliseconds (ms 0 counts as 1). */
static unsigned
kbps(unsigned n, unsigned ms)
{
	return (unsigned) ((uint64_t) n * 1000 / 1024 / (ms ? ms : 1));
}

/* Read all of path, saying how long it took as pass (cold or warm). */
static void
read_file(const char *path, const char *pass)
{
	unsigned t0, t1, n = 0;
	int fd, r;

	t0 = sys_time_msec();
	if ((fd = open(path, O_RDONLY)) < 0) {
		cprintf("fsbench: %s: %e\n", path, fd);
		return;
	}
	while ((r = read(fd, buf, sizeof buf)) > 0)
		n += r;
	close(fd);
	t1 = sys_time_msec();
	if (r < 0)
		cprintf("fsbench: read %s: %e\n", path, r);
	else
		cprintf("fsbench: read %s (%u KB, %s): %u ms, %u KB/s\n",
			path, n / 1024, pass, t1 - t0, kbps(n, t1 - t0));
}

void
umain(int argc, char **argv)
{
	unsigned t0, t1, kb = DEFAULT_KB, file_bytes;
	int fd, i, r;
	envid_t kid;

	if (argc > 1 && (kb = strtol(argv[1], NULL, 10)) == 0)
		kb = DEFAULT_KB;
	file_bytes = kb * 1024;
	memset(buf, 'b', sizeof buf);

	read_file(BIG_FILE, "cold unless read since boot");
	read_file(BIG_FILE, "warm");

	remove("/fsbench.tmp");

	t0 = sys_time_msec();
	if ((fd = open("/fsbench.tmp", O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("create /fsbench.tmp: %e", fd);
	for (i = 0; i < file_bytes; i += sizeof buf)
		if ((r = write(fd, buf, sizeof buf)) != sizeof buf)
			panic("write: %e", r);
	close(fd);	// the server writes the blocks to the disk here
	t1 = sys_time_msec();
	cprintf("fsbench: write %u KB file: %u ms, %u KB/s\n", kb, t1 - t0, kbps(file_bytes, t1 - t0));

	t0 = sys_time_msec();
	if ((fd = open("/fsbench.tmp", O_RDONLY)) < 0)
		panic("open /fsbench.tmp: %e", fd);
	for (i = 0; i < file_bytes; i += r)
		if ((r = readn(fd, buf, sizeof buf)) <= 0)
			panic("read: %e", r);
	close(fd);
	t1 = sys_time_msec();
	cprintf("fsbench: read %u KB file: %u ms, %u KB/s\n", kb, t1 - t0, kbps(file_bytes, t1 - t0));
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
