// ls [-dFl] [FILE...]: list files; directories by their entries.
//   -d  list a directory itself, not its entries
//   -F  mark directories with a trailing /
//   -l  show the type (d or -) and the size in bytes

#include <inc/lib.h>

static int flag[256];

/* Print one entry: the file name under directory prefix (may be NULL). */
static void
ls1(const char *prefix, bool isdir, off_t size, const char *name)
{
	const char *sep;

	if (flag['l'])
		printf("%11ld %c ", (long) size, isdir ? 'd' : '-');
	if (prefix) {
		if (prefix[0] && prefix[strlen(prefix) - 1] != '/')
			sep = "/";
		else
			sep = "";
		printf("%s%s", prefix, sep);
	}
	printf("%s", name);
	if (flag['F'] && isdir && name[0] && name[strlen(name) - 1] != '/')
		printf("/");
	printf("\n");
}

/* List the entries of directory path. */
static void
lsdir(const char *path, const char *prefix)
{
	struct File f;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		panic("open %s: %e", path, fd);
	while ((n = readn(fd, &f, sizeof f)) == sizeof f)
		if (f.f_name[0])
			ls1(prefix, f.f_type == FTYPE_DIR, f.f_size, f.f_name);
	if (n > 0)
		panic("short read in directory %s", path);
	if (n < 0)
		panic("error reading directory %s: %e", path, (int) n);
	close(fd);
}

/* List path: its entries if it is a directory (unless -d), else itself. */
static void
ls(const char *path, const char *prefix)
{
	struct Stat st;
	int r;

	if ((r = stat(path, &st)) < 0) {
		printf("ls: %s: %e\n", path, r);
		return;
	}
	if (st.st_isdir && !flag['d'])
		lsdir(path, prefix);
	else
		ls1(NULL, st.st_isdir, st.st_size, path);
}

/* Print the usage line and exit. */
static void
usage(void)
{
	printf("usage: ls [-dFl] [file...]\n");
	exit();
}

void
umain(int argc, char **argv)
{
	struct Argstate args;
	int i, ch;

	binaryname = "ls";
	argstart(&argc, argv, &args);
	while ((ch = argnext(&args)) >= 0)
		switch (ch) {
		case 'd':
		case 'F':
		case 'l':
			flag[ch]++;
			break;
		default:
			usage();
		}

	if (argc == 1)
		ls("/", "");
	else
		for (i = 1; i < argc; i++)
			ls(argv[i], argv[i]);
}
