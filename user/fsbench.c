// fsbench: file system figures: the throughput of writing and reading a
// file through the file server, of reading /bench.1m (1 MiB on the disk
// image) twice, the first time from the disk when nothing read it since
// boot and the second from the server's block cache, and the cost of
// spawning hello.  Prints figures only; nothing here is a pass or fail.
//
//   fsbench [KB]   the size of the written file (default 4096 KB, in a
//                  guest of the JOS monitor 1024 KB: a guest's whole disk
//                  is one host file, at most MAXFILESIZE (4136 KB) long)
//
// A disk too full for the file is an error line (-E_NO_DISK), not a panic.

#include <inc/lib.h>
#include <inc/vmm/cpuid.h>

#define DEFAULT_KB	4096
#define GUEST_DEFAULT_KB 1024
#define BIG_FILE	"/bench.1m"
#define TMP_FILE	"/fsbench.tmp"
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

/*
 * Say why the written file's figures cannot be had (a full disk is
 * -E_NO_DISK), give its space back, and end: errors are the disk's,
 * not the program's, so no panic (which would stop in the monitor).
 */
static void
give_up(const char *what, unsigned done, int r)
{
	cprintf("fsbench: %s %s after %u KB: %e\n", what, TMP_FILE, done / 1024, r);
	remove(TMP_FILE);
	exit();
}

void
umain(int argc, char **argv)
{
	unsigned t0, t1, kb = DEFAULT_KB, file_bytes;
	int fd, i, r;
	envid_t kid;

	if (in_jos_guest())
		kb = GUEST_DEFAULT_KB;
	if (argc > 1 && strtol(argv[1], NULL, 10) > 0)
		kb = strtol(argv[1], NULL, 10);
	file_bytes = kb * 1024;
	memset(buf, 'b', sizeof buf);

	read_file(BIG_FILE, "cold unless read since boot");
	read_file(BIG_FILE, "warm");

	remove(TMP_FILE);

	t0 = sys_time_msec();
	if ((fd = open(TMP_FILE, O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		give_up("create", 0, fd);
	// A short write is the disk filling up: the next one says why.
	for (i = 0; i < file_bytes; i += r)
		if ((r = write(fd, buf, MIN(sizeof buf, file_bytes - i))) <= 0) {
			close(fd);
			give_up("write", i, r);
		}
	close(fd);	// the server writes the blocks to the disk here
	t1 = sys_time_msec();
	cprintf("fsbench: write %u KB file: %u ms, %u KB/s\n", kb, t1 - t0, kbps(file_bytes, t1 - t0));

	t0 = sys_time_msec();
	if ((fd = open(TMP_FILE, O_RDONLY)) < 0)
		give_up("open", 0, fd);
	for (i = 0; i < file_bytes; i += r)
		if ((r = readn(fd, buf, sizeof buf)) <= 0) {
			close(fd);
			give_up("read", i, r ? r : -E_EOF);
		}
	close(fd);
	t1 = sys_time_msec();
	cprintf("fsbench: read %u KB file: %u ms, %u KB/s\n", kb, t1 - t0, kbps(file_bytes, t1 - t0));
	remove(TMP_FILE);

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
