// primespipe [N]: the prime sieve as a chain of envs joined by pipes.
// Each stage prints the first number it reads, a prime, and passes on
// the numbers that prime does not divide.  Numbers go up to N (1000).

#include <inc/lib.h>

/* Read one int from fd, or return false at the end of the pipe. */
static bool
getint(int fd, int *v)
{
	int r = readn(fd, v, sizeof *v);

	if (r < 0)
		panic("primespipe: read: %e", r);
	if (r != 0 && r != sizeof *v)
		panic("primespipe: short read %d", r);
	return r == sizeof *v;
}

/* One stage of the sieve, reading from fd; returns at the end of input. */
static void
primeproc(int fd)
{
	int p, i, pfd[2], r;

top:
	if (!getint(fd, &p))
		return;
	cprintf("%d\n", p);

	if ((r = pipe(pfd)) < 0)
		panic("pipe: %e", r);
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		close(fd);
		close(pfd[1]);
		fd = pfd[0];
		goto top;
	}
	close(pfd[0]);
	while (getint(fd, &i))
		if (i % p && write(pfd[1], &i, sizeof i) != sizeof i)
			panic("primespipe: write failed");
	close(pfd[1]);
	close(fd);
	wait(r);
}

void
umain(int argc, char **argv)
{
	int i, n, p[2], r;

	binaryname = "primespipe";
	n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;

	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		close(p[1]);
		primeproc(p[0]);
		exit();
	}
	close(p[0]);
	for (i = 2; i <= n; i++)
		if (write(p[1], &i, sizeof i) != sizeof i)
			panic("primespipe: generator write failed");
	close(p[1]);
	wait(r);
	cprintf("primespipe: done\n");
}
