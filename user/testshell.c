// testshell: run /testshell.sh through the shell with its output going
// into a pipe, and compare that output with /testshell.key.

#include <inc/lib.h>

/* Print the line (from position off) where the outputs part, and exit. */
static void
wrong(int off, const char *got, int ngot, const char *want, int nwant)
{
	cprintf("shell produced incorrect output.\n");
	cprintf("expected (from byte %d):\n===\n%.*s\n===\n", off, nwant, want);
	cprintf("got:\n===\n%.*s\n===\n", ngot, got);
	exit();
}

void
umain(int argc, char **argv)
{
	char got[64], want[64];
	int rfd, kfd, p[2], r, off = 0, n1, n2;

	if ((rfd = open("/testshell.sh", O_RDONLY)) < 0)
		panic("open /testshell.sh: %e", rfd);
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	cprintf("running sh < /testshell.sh, output to a pipe\n");

	// A child starts the shell, so that the shell never holds the
	// reading end: only writers come and go while we read.
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		close(p[0]);
		if (rfd != 0) {
			dup(rfd, 0);
			close(rfd);
		}
		if (p[1] != 1) {
			dup(p[1], 1);
			close(p[1]);
		}
		if ((r = spawnl("/sh", "sh", (char *) NULL)) < 0)
			panic("spawn sh: %e", r);
		exit();
	}
	close(rfd);
	close(p[1]);

	if ((kfd = open("/testshell.key", O_RDONLY)) < 0)
		panic("open /testshell.key: %e", kfd);

	for (;;) {
		n1 = readn(p[0], got, sizeof got);
		n2 = readn(kfd, want, sizeof want);
		if (n1 < 0)
			panic("reading the shell's output: %e", n1);
		if (n2 < 0)
			panic("reading testshell.key: %e", n2);
		if (n1 != n2 || memcmp(got, want, n1) != 0)
			wrong(off, got, n1, want, n2);
		if (n1 == 0)
			break;
		off += n1;
	}
	cprintf("shell ran correctly\n");
}
