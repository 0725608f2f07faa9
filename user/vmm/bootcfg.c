/*
 * vmm's command line and .boot files (user/vmm/bootcfg.h says what they
 * hold).  Pure: strings in, a struct boot_config out, every refusal
 * worded for the user (with the line number, for a file), so that a
 * host test and a fuzzer drive this same file.
 */
#include "bootcfg.h"
#if __STDC_HOSTED__
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#else
#include <inc/stdio.h>
#include <inc/string.h>
#endif

const char bootcfg_usage[] =
	"usage: vmm [-m MIB] [--kernel PATH] [--initrd PATH] [--modules A,B,...]\n"
	"           [--disk NAME] [--gdb] [-f FILE.boot] [CMDLINE...]\n"
	"  (no --kernel)     the JOS guest (/vmm/kernel), CMDLINE its boot tokens\n"
	"  --kernel PATH     a Linux bzImage or a multiboot v1 kernel (told by its headers)\n"
	"  --initrd PATH     Linux: the initramfs\n"
	"  --modules A,B     multiboot: modules, in order\n"
	"  -m MIB            guest memory in MiB (2 to 1024; default 64)\n"
	"  --disk NAME       the JOS guest's disk /vmm/disk-NAME.img (kept)\n"
	"  --gdb             the guest waits for gdb on the host's COM2\n"
	"  -f FILE.boot      settings from an ini file: kernel=, initramfs=, module=\n"
	"                    (repeated), memory=, commandline=, disk=; options win\n"
	"  CMDLINE...        the guest kernel's command line\n";

/* Copy src (n bytes, or to its NUL if n < 0) to dst of size bytes: 0, or -1 if too long. */
static int
copy(char *dst, size_t size, const char *src, long n)
{
	size_t len = n < 0 ? strlen(src) : (size_t) n;

	if (len >= size)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* Set err to "what: why" (with the line number when line > 0); -1. */
static int
fail(char *err, size_t errlen, int line, const char *what, const char *why)
{
	if (line > 0)
		snprintf(err, (int) errlen, "line %d: %s: %s", line, what, why);
	else
		snprintf(err, (int) errlen, "%s: %s", what, why);
	return -1;
}

/* A memory size in MiB from text (n bytes): 0, or -1 with *why. */
static int
parse_mib(const char *text, size_t n, uint32_t *mib, const char **why)
{
	uint64_t v = 0;

	if (n == 0) {
		*why = "no number";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9') {
			*why = "not a number of MiB";
			return -1;
		}
		v = v * 10 + (text[i] - '0');
		if (v > BC_MEM_MAX_MIB) {
			*why = "more than 1024 MiB";
			return -1;
		}
	}
	if (v < BC_MEM_MIN_MIB) {
		*why = "less than 2 MiB";
		return -1;
	}
	*mib = v;
	return 0;
}

/* Add module path (n bytes) to c: 0, or -1 with *why. */
static int
add_module(struct boot_config *c, const char *path, size_t n, const char **why)
{
	if (n == 0) {
		*why = "an empty module path";
		return -1;
	}
	if (c->nmods >= BC_MAX_MODS) {
		*why = "more than 8 modules";
		return -1;
	}
	if (copy(c->mods[c->nmods], BC_PATH_MAX, path, n) < 0) {
		*why = "the module path is too long";
		return -1;
	}
	c->nmods++;
	return 0;
}

/* A path option's value (n bytes) into dst: 0, or -1 with *why. */
static int
set_path(char *dst, const char *path, size_t n, const char **why)
{
	if (n == 0) {
		*why = "an empty path";
		return -1;
	}
	if (copy(dst, BC_PATH_MAX, path, n) < 0) {
		*why = "the path is too long";
		return -1;
	}
	return 0;
}

/* Whether s (n bytes) is exactly the word w. */
static bool
is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncmp(s, w, n) == 0;
}

int
bootcfg_find_file(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-f") == 0)
			return i + 1;
	}
	return 0;
}

int
bootcfg_args(struct boot_config *c, int argc, char **argv, char *err, size_t errlen)
{
	bool words = false, mods_given = false;
	size_t n = 0;
	const char *why;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (words || a[0] != '-') {
			size_t len = strlen(a);
			if (!words) {
				words = true;
				c->has_cmdline = true;
				c->cmdline[0] = '\0';
			}
			if (n + (n > 0) + len >= BC_CMDLINE_MAX)
				return fail(err, errlen, 0, "the command line", "longer than 1023 characters");
			if (n > 0)
				c->cmdline[n++] = ' ';
			memcpy(c->cmdline + n, a, len + 1);
			n += len;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			words = true;
			c->has_cmdline = true;
			c->cmdline[0] = '\0';
			continue;
		}
		if (strcmp(a, "--gdb") == 0) {
			c->gdb = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			c->help = true;
			continue;
		}
		if (strcmp(a, "-m") && strcmp(a, "--memory") && strcmp(a, "--kernel") &&
		    strcmp(a, "--initrd") && strcmp(a, "--modules") && strcmp(a, "--module") &&
		    strcmp(a, "--disk") && strcmp(a, "-f"))
			return fail(err, errlen, 0, a, "unknown option (vmm --help lists them)");
		if (!v)
			return fail(err, errlen, 0, a, "needs a value");
		i++;
		if (strcmp(a, "-m") == 0 || strcmp(a, "--memory") == 0) {
			if (parse_mib(v, strlen(v), &c->mem_mib, &why) < 0)
				return fail(err, errlen, 0, a, why);
		} else if (strcmp(a, "--kernel") == 0) {
			if (set_path(c->kernel, v, strlen(v), &why) < 0)
				return fail(err, errlen, 0, a, why);
		} else if (strcmp(a, "--initrd") == 0) {
			if (set_path(c->initrd, v, strlen(v), &why) < 0)
				return fail(err, errlen, 0, a, why);
		} else if (strcmp(a, "--disk") == 0) {
			if (set_path(c->disk, v, strlen(v), &why) < 0)
				return fail(err, errlen, 0, a, why);
		} else if (strcmp(a, "-f") == 0) {
			if (set_path(c->bootfile, v, strlen(v), &why) < 0)
				return fail(err, errlen, 0, a, why);
		} else {
			// --modules A,B,...: replaces the file's list.
			if (!mods_given)
				c->nmods = 0;
			mods_given = true;
			for (const char *p = v;; ) {
				const char *comma = strchr(p, ',');
				size_t len = comma ? (size_t) (comma - p) : strlen(p);
				if (add_module(c, p, len, &why) < 0)
					return fail(err, errlen, 0, a, why);
				if (!comma)
					break;
				p = comma + 1;
			}
		}
	}
	return 0;
}

/* The first byte c in s (n bytes), or NULL (libjos has no memchr). */
static const char *
find(const char *s, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

/* Whether c is a blank: space or tab. */
static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One line of a .boot file (n bytes, no newline), number line: into c.
 * 0, or -1 with the reason in err.
 */
static int
file_line(struct boot_config *c, const char *s, size_t n, int line, char *err, size_t errlen)
{
	const char *key, *val, *eq, *why;
	size_t klen, vlen;

	while (n > 0 && (blank(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	while (n > 0 && blank(*s))
		s++, n--;
	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char) s[i] < 0x20 && s[i] != '\t')
			return fail(err, errlen, line, "the line", "holds a control character");
	if (s[0] == '[') {
		if (s[n - 1] != ']')
			return fail(err, errlen, line, "a section", "no closing ]");
		return 0;
	}
	if (!(eq = find(s, '=', n)))
		return fail(err, errlen, line, "the line", "not KEY=VALUE");
	key = s;
	klen = eq - s;
	while (klen > 0 && blank(key[klen - 1]))
		klen--;
	val = eq + 1;
	vlen = n - (val - s);
	while (vlen > 0 && blank(*val))
		val++, vlen--;

	if (is(key, klen, "kernel")) {
		if (set_path(c->kernel, val, vlen, &why) < 0)
			return fail(err, errlen, line, "kernel", why);
	} else if (is(key, klen, "initramfs") || is(key, klen, "initrd")) {
		if (set_path(c->initrd, val, vlen, &why) < 0)
			return fail(err, errlen, line, "initramfs", why);
	} else if (is(key, klen, "module")) {
		if (add_module(c, val, vlen, &why) < 0)
			return fail(err, errlen, line, "module", why);
	} else if (is(key, klen, "memory")) {
		if (parse_mib(val, vlen, &c->mem_mib, &why) < 0)
			return fail(err, errlen, line, "memory", why);
	} else if (is(key, klen, "disk")) {
		if (set_path(c->disk, val, vlen, &why) < 0)
			return fail(err, errlen, line, "disk", why);
	} else if (is(key, klen, "commandline") || is(key, klen, "cmdline")) {
		if (copy(c->cmdline, BC_CMDLINE_MAX, val, vlen) < 0)
			return fail(err, errlen, line, "commandline", "longer than 1023 characters");
		c->has_cmdline = true;
	} else if (klen == 0)
		return fail(err, errlen, line, "the line", "no key before =");
	else
		return fail(err, errlen, line, "the key", "unknown (kernel, initramfs, module, "
			    "memory, commandline, disk)");
	return 0;
}

int
bootcfg_file(struct boot_config *c, const char *text, size_t len, char *err, size_t errlen)
{
	size_t at = 0;
	int line = 0;

	while (at < len) {
		const char *nl = find(text + at, '\n', len - at);
		size_t n = nl ? (size_t) (nl - (text + at)) : len - at;

		line++;
		if (find(text + at, '\0', n))
			return fail(err, errlen, line, "the line", "holds a NUL byte");
		if (file_line(c, text + at, n, line, err, errlen) < 0)
			return -1;
		at += n + (nl != NULL);
	}
	return 0;
}
