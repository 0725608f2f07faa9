// cat [FILE...]: copy each file (or the standard input) to the standard output.

#include <inc/lib.h>

char buf[8192];

/* Copy everything from descriptor f (called name) to descriptor 1. */
static void
cat(int f, const char *name)
{
	ssize_t n, r;

	while ((n = read(f, buf, sizeof buf)) > 0)
		if ((r = write(1, buf, n)) != n)
			panic("write error copying %s: %e", name, (int) r);
	if (n < 0)
		panic("error reading %s: %e", name, (int) n);
}

void
umain(int argc, char **argv)
{
	int f, i;

	binaryname = "cat";
	if (argc <= 1)
		cat(0, "<stdin>");
	for (i = 1; i < argc; i++) {
		f = open(argv[i], O_RDONLY);
		if (f < 0)
			printf("cat: can't open %s: %e\n", argv[i], f);
		else {
			cat(f, argv[i]);
			close(f);
		}
	}
}
