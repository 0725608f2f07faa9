/* vmm's arguments: its own options (--gdb), the guest kernel's command line. */
#include <user/vmm/vmm.h>

#define DEFAULT_CMDLINE	""

/*
 * The guest's command line in buf (len bytes): the arguments joined by
 * spaces, or DEFAULT_CMDLINE when there are none.  False if too long.
 */
bool
guest_cmdline(int argc, char **argv, char *buf, size_t len)
{
	size_t n = 0, arglen;
	int i;

	if (argc < 2) {
		strlcpy(buf, DEFAULT_CMDLINE, len);
		return true;
	}
	buf[0] = '\0';
	for (i = 1; i < argc; i++) {
		arglen = strlen(argv[i]);
		if (n + (i > 1) + arglen >= len)
			return false;
		if (i > 1)
			buf[n++] = ' ';
		memmove(buf + n, argv[i], arglen + 1);
		n += arglen;
	}
	return true;
}

/*
 * Whether option opt (e.g. "--gdb") is among the arguments; it is
 * taken out of them, so that the guest's command line does not see it.
 */
bool
take_option(int *argc, char **argv, const char *opt)
{
	bool found = false;
	int i, j;

	for (i = j = 1; i < *argc; i++) {
		if (strcmp(argv[i], opt) == 0)
			found = true;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return found;
}
