// init: the first program of a normal boot.  Checks that its data and
// bss were loaded right, opens the console as descriptors 0 and 1, and
// keeps a shell running on it.

#include <inc/lib.h>

// Initialized data, with a known sum.
static int data[] = {
	0, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59,
	61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131,
};
#define DATA_SUM	1851

// Uninitialized data, which must read as zeros.
static int bss[6000];

/* The sum of n ints at a. */
static long
sum(const int *a, int n)
{
	long s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += a[i];
	return s;
}

void
umain(int argc, char **argv)
{
	int i, n;
	long s;
	char line[256];

	cprintf("init: running\n");

	s = sum(data, sizeof(data) / sizeof(data[0]));
	if (s == DATA_SUM)
		cprintf("init: data seems okay\n");
	else
		cprintf("init: data is not initialized: got sum %ld wanted %d\n",
			s, DATA_SUM);
	s = sum(bss, sizeof(bss) / sizeof(bss[0]));
	if (s == 0)
		cprintf("init: bss seems okay\n");
	else
		cprintf("init: bss is not initialized: wanted sum 0 got %ld\n", s);

	// One line in one piece: with preemption (a guest has its tick
	// too) the file server's first line could come in between.
	n = snprintf(line, sizeof(line), "init: args:");
	for (i = 0; i < argc && n < (int) sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, " '%s'", argv[i]);
	cprintf("%s\n", line);

	cprintf("init: running sh\n");

	// The console becomes descriptors 0 and 1.
	cons_as_stdio();
	shell_forever("init");
}
