// lsfd [-1]: list this env's open descriptors (on the console, or with
// -1 on the standard output).

#include <inc/lib.h>

/* Print the usage line and exit. */
static void
usage(void)
{
	cprintf("usage: lsfd [-1]\n");
	exit();
}

void
umain(int argc, char **argv)
{
	struct Argstate args;
	struct Stat st;
	int i, ch, usefprint = 0;

	argstart(&argc, argv, &args);
	while ((ch = argnext(&args)) >= 0)
		if (ch == '1')
			usefprint = 1;
		else
			usage();

	for (i = 0; i < 32; i++) {
		if (fstat(i, &st) < 0)
			continue;
		if (usefprint)
			fprintf(1, "fd %d: name %s isdir %d size %ld dev %s\n",
				i, st.st_name, st.st_isdir, (long) st.st_size,
				st.st_dev->dev_name);
		else
			cprintf("fd %d: name %s isdir %d size %ld dev %s\n",
				i, st.st_name, st.st_isdir, (long) st.st_size,
				st.st_dev->dev_name);
	}
}
