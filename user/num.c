// num [FILE...]: copy the files (or the standard input) to the standard
// output with each line numbered.

#include <inc/lib.h>

static int line;	// lines started so far
static bool at_start = true;

/* Copy descriptor f (called name), numbering lines. */
static void
num(int f, const char *name)
{
	char c;
	ssize_t n;

	while ((n = read(f, &c, 1)) > 0) {
		if (at_start) {
			printf("%5d ", ++line);
			at_start = false;
		}
		if (write(1, &c, 1) != 1)
			panic("write error copying %s", name);
		if (c == '\n')
			at_start = true;
	}
	if (n < 0)
		panic("error reading %s: %e", name, (int) n);
}

void
umain(int argc, char **argv)
{
	int f, i;

	binaryname = "num";
	if (argc <= 1)
		num(0, "<stdin>");
	for (i = 1; i < argc; i++) {
		f = open(argv[i], O_RDONLY);
		if (f < 0)
			panic("can't open %s: %e", argv[i], f);
		num(f, argv[i]);
		close(f);
	}
}
