/*
 * Host-side test of bootcfg.c: vmm's options and .boot files.  Good
 * command lines and files, each option and key, the file's values
 * overridden by options, bad ones refused with the reason (and the
 * line number), and a fuzz loop over random files and argument lists.
 * Prints one line per check and "bootcfg: N checks, 0 failed"; the exit
 * status is 1 if any check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/vmm/bootcfg.h"
#include "user/vmm/test/testrand.h"

static int nchecks, nfailed;

static void
check(bool cond, const char *what, const char *detail)
{
	nchecks++;
	if (!cond)
		nfailed++;
	printf("bootcfg: %s%s%s%s\n", what, detail ? ": " : "", detail ? detail : "",
	       cond ? "" : ": FAIL");
}

/* Parse the words of line (split at spaces) as vmm's arguments into *c. */
static int
args(struct boot_config *c, const char *line, char *err)
{
	char buf[4096], *argv[256];
	int argc = 0;

	snprintf(buf, sizeof buf, "vmm %s", line);
	for (char *p = strtok(buf, " "); p && argc < 255; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	err[0] = '\0';
	return bootcfg_args(c, argc, argv, err, BC_ERR_MAX);
}

/* Parse the len bytes of text as a .boot file into a fresh *c. */
static int
file_len(struct boot_config *c, const char *text, size_t len, char *err)
{
	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	return bootcfg_file(c, text, len, err, BC_ERR_MAX);
}

static int
file(struct boot_config *c, const char *text, char *err)
{
	return file_len(c, text, strlen(text), err);
}

/* An argument list that must be refused with a reason containing want. */
static void
bad_args(const char *line, const char *want)
{
	struct boot_config c = { 0 };
	char err[BC_ERR_MAX], what[256];

	snprintf(what, sizeof what, "vmm %s", line);
	check(args(&c, line, err) < 0 && strstr(err, want), what, err);
}

/* A file of len bytes that must be refused with a reason containing want. */
static void
bad_file_len(const char *name, const char *text, size_t len, const char *want)
{
	struct boot_config c;
	char err[BC_ERR_MAX], what[256];

	snprintf(what, sizeof what, "file with %s", name);
	check(file_len(&c, text, len, err) < 0 && strstr(err, want), what, err);
}

static void
bad_file(const char *name, const char *text, const char *want)
{
	bad_file_len(name, text, strlen(text), want);
}


/* Whether s ends with a NUL within size bytes. */
static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* What every parse must leave, accepted or not: strings ended, counts in range. */
static bool
sane(const struct boot_config *c)
{
	bool ok = terminated(c->kernel, BC_PATH_MAX) && terminated(c->initrd, BC_PATH_MAX) &&
		  terminated(c->disk, BC_PATH_MAX) && terminated(c->bootfile, BC_PATH_MAX) &&
		  terminated(c->cmdline, BC_CMDLINE_MAX) && c->nmods >= 0 &&
		  c->nmods <= BC_MAX_MODS &&
		  (c->mem_mib == 0 || (c->mem_mib >= BC_MEM_MIN_MIB && c->mem_mib <= BC_MEM_MAX_MIB));

	for (int i = 0; i < c->nmods && ok; i++)
		ok = terminated(c->mods[i], BC_PATH_MAX) && c->mods[i][0];
	return ok;
}

/* Random files from pieces of good and bad lines; random argument lists. */
static void
fuzz(int rounds)
{
	static const char *pieces[] = {
		"kernel=", "initramfs=", "module=", "memory=", "commandline=", "disk=",
		"/guests/vmlinuz", "128", "0", "99999", "=", "#", ";", "[", "]", " ", "\t",
		"\n", "\r\n", "console=ttyS0 quiet", "x", "-m", "--kernel", "--modules",
		"a,b", ",", "--", "-f", "--initrd", "--disk",
	};
	struct boot_config c;
	char text[1024], err[BC_ERR_MAX], *argv[16];
	int accepted = 0, broken = 0;

	for (int r = 0; r < rounds; r++) {
		size_t n = 0;
		int k = next_random() % 24, argc = 1;

		while (k-- > 0) {
			const char *p = pieces[next_random() % (sizeof pieces / sizeof pieces[0])];
			if (next_random() % 16 == 0) {
				if (n < sizeof text)
					text[n++] = next_random();	// any byte, NUL too
			} else
				for (; *p && n < sizeof text; p++)
					text[n++] = *p;
		}
		memset(&c, 0, sizeof c);
		if (bootcfg_file(&c, text, n, err, sizeof err) == 0)
			accepted++;
		else if (strncmp(err, "line ", 5) != 0)
			broken++;
		if (!sane(&c))
			broken++;
		// The same pieces as arguments, on top of what the file left.
		argv[0] = "vmm";
		for (int i = 0; i < 12; i++)
			argv[argc++] = (char *) pieces[next_random() % (sizeof pieces / sizeof pieces[0])];
		argv[argc] = NULL;
		if (bootcfg_args(&c, argc, argv, err, sizeof err) == 0)
			accepted++;
		if (!sane(&c))
			broken++;
	}
	nchecks++;
	if (broken || accepted == 0)
		nfailed++;
	printf("bootcfg: fuzz: %d rounds, %d accepted, %d broke an invariant%s\n",
	       rounds, accepted, broken, broken || accepted == 0 ? ": FAIL" : "");
}

int
main(void)
{
	struct boot_config c;
	char err[BC_ERR_MAX];
	char *fargv[] = { "vmm", "-m", "64", "-f", "/guests/linux.boot", "quiet", NULL };

	// vmm's command line.
	memset(&c, 0, sizeof c);
	check(args(&c, "", err) == 0 && !c.kernel[0] && !c.has_cmdline, "vmm alone", NULL);
	memset(&c, 0, sizeof c);
	check(args(&c, "prog=hello disk=a exit", err) == 0 && !c.kernel[0] &&
	      strcmp(c.cmdline, "prog=hello disk=a exit") == 0, "vmm prog=hello disk=a exit",
	      c.cmdline);
	memset(&c, 0, sizeof c);
	check(args(&c, "-m 128 --kernel /guests/vmlinuz --initrd /guests/initrd.gz "
		   "console=ttyS0 noapic", err) == 0 && c.mem_mib == 128 &&
	      strcmp(c.kernel, "/guests/vmlinuz") == 0 &&
	      strcmp(c.initrd, "/guests/initrd.gz") == 0 &&
	      strcmp(c.cmdline, "console=ttyS0 noapic") == 0,
	      "vmm -m 128 --kernel K --initrd I console=ttyS0 noapic", c.cmdline);
	memset(&c, 0, sizeof c);
	check(args(&c, "--kernel /guests/mbtest --modules /motd,/lorem,/x hello", err) == 0 &&
	      c.nmods == 3 && strcmp(c.mods[1], "/lorem") == 0 && strcmp(c.cmdline, "hello") == 0,
	      "vmm --kernel K --modules /motd,/lorem,/x hello", NULL);
	memset(&c, 0, sizeof c);
	check(args(&c, "--gdb --disk keep -- -weird token", err) == 0 && c.gdb &&
	      strcmp(c.disk, "keep") == 0 && strcmp(c.cmdline, "-weird token") == 0,
	      "vmm --gdb --disk keep -- -weird token", c.cmdline);
	memset(&c, 0, sizeof c);
	check(args(&c, "--help", err) == 0 && c.help, "vmm --help", NULL);
	bad_args("-m", "needs a value");
	bad_args("-m 0", "less than 2 MiB");
	bad_args("-m 2048", "more than 1024 MiB");
	bad_args("-m 12x", "not a number");
	bad_args("--bogus", "unknown option");
	bad_args("--modules a,,b", "empty module path");
	bad_args("--modules 1,2,3,4,5,6,7,8,9", "more than 8 modules");
	check(strstr(bootcfg_usage, "usage: vmm [-m MIB] [--kernel PATH] [--initrd PATH]") != NULL,
	      "--help names the options", NULL);

	// .boot files.
	check(file(&c, "# Linux\n[linux]\nkernel=/guests/vmlinuz\r\n  initramfs = /guests/initrd.gz\n"
		   "\n; a comment\nmemory=128\nmodule=/a\nmodule=/b\n"
		   "commandline=console=ttyS0 acpi=off  quiet\n", err) == 0 &&
	      strcmp(c.kernel, "/guests/vmlinuz") == 0 && strcmp(c.initrd, "/guests/initrd.gz") == 0 &&
	      c.mem_mib == 128 && c.nmods == 2 && strcmp(c.mods[1], "/b") == 0 &&
	      strcmp(c.cmdline, "console=ttyS0 acpi=off  quiet") == 0,
	      "a good file: every key, comments, a section, blanks, CRLF", c.cmdline);
	check(file(&c, "kernel=/k", err) == 0 && strcmp(c.kernel, "/k") == 0,
	      "a file without a final newline", NULL);
	bad_file("a line without =", "kernel=/k\n\nnonsense\n", "line 3: the line: not KEY=VALUE");
	bad_file("an unknown key", "colour=blue\n", "line 1: the key: unknown");
	bad_file("memory=lots", "kernel=/k\nmemory=lots\n", "line 2: memory: not a number of MiB");
	bad_file("memory=0", "memory=0\n", "line 1: memory: less than 2 MiB");
	bad_file("an empty kernel", "kernel=\n", "line 1: kernel: an empty path");
	bad_file("no key", "=x\n", "line 1: the line: no key before =");
	bad_file("an open section", "[linux\n", "line 1: a section: no closing ]");
	bad_file_len("a NUL byte", "kernel=/k\nmemory=1\0 28\n", 20, "line 2: the line: holds a NUL byte");
	bad_file("a control character", "kernel=/k\x01\n", "line 1: the line: holds a control");
	bad_file("nine modules", "module=1\nmodule=2\nmodule=3\nmodule=4\nmodule=5\nmodule=6\n"
		 "module=7\nmodule=8\nmodule=9\n", "line 9: module: more than 8 modules");
	{
		static char longline[2048];
		snprintf(longline, sizeof longline, "commandline=%01100d\n", 0);
		bad_file("a command line of 1100 characters", longline, "line 1: commandline: longer");
	}

	// The file first, then the options over it.
	check(bootcfg_find_file(6, fargv) == 4, "-f found among the options", NULL);
	check(file(&c, "kernel=/guests/vmlinuz\nmemory=128\ncommandline=console=ttyS0\n", err) == 0 &&
	      bootcfg_args(&c, 6, fargv, err, sizeof err) == 0 && c.mem_mib == 64 &&
	      strcmp(c.cmdline, "quiet") == 0 && strcmp(c.kernel, "/guests/vmlinuz") == 0 &&
	      strcmp(c.bootfile, "/guests/linux.boot") == 0,
	      "vmm -m 64 -f FILE quiet: -m and the words win over the file", c.cmdline);
	fuzz(200000);
	printf("bootcfg: %d checks, %d failed\n", nchecks, nfailed);
	return nfailed ? 1 : 0;
}
