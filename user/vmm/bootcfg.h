/*
 * What vmm boots, from its command line and a .boot file
 * (user/vmm/bootcfg.c): the pure part, also built for the host tests.
 *
 *   vmm [-m MIB] [--kernel PATH] [--initrd PATH] [--modules A,B,...]
 *       [--disk NAME] [--gdb] [-f FILE.boot] [CMDLINE...]
 *
 * A .boot file is an ini file of KEY=VALUE lines (blank lines and
 * lines starting with # or ; are skipped, a [section] line is allowed):
 * kernel=PATH, initramfs=PATH (or initrd=), module=PATH (repeated),
 * memory=MIB, commandline=TEXT (the rest of the line), disk=NAME.
 * Options given on vmm's command line win over the file's.
 */
#ifndef JOS_USER_VMM_BOOTCFG_H
#define JOS_USER_VMM_BOOTCFG_H

#if __STDC_HOSTED__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#else
#include <inc/types.h>
#endif

#define BC_PATH_MAX	128
#define BC_MAX_MODS	8
#define BC_CMDLINE_MAX	1024	// with the NUL
#define BC_ERR_MAX	128
#define BC_MEM_MIN_MIB	2
#define BC_MEM_MAX_MIB	1024

struct boot_config {
	uint32_t mem_mib;		// 0: the loader's default
	char kernel[BC_PATH_MAX];	// "": the JOS guest
	char initrd[BC_PATH_MAX];
	int nmods;
	char mods[BC_MAX_MODS][BC_PATH_MAX];
	char disk[BC_PATH_MAX];		// --disk NAME: "" for none
	char bootfile[BC_PATH_MAX];	// -f FILE: "" for none
	bool has_cmdline;		// a command line was given (maybe empty)
	char cmdline[BC_CMDLINE_MAX];
	bool gdb, help;
};

/*
 * Parse vmm's arguments (argv[1..argc-1]) into *c, which the caller
 * zeroed or filled from a .boot file: each option given replaces what
 * is there.  Words that are not options are the guest's command line,
 * joined by spaces.  0, or -1 with the reason in err (errlen bytes).
 */
int	bootcfg_args(struct boot_config *c, int argc, char **argv, char *err, size_t errlen);

/*
 * Parse the len bytes of .boot file text into *c.  0, or -1 with the
 * reason and its line number in err.
 */
int	bootcfg_file(struct boot_config *c, const char *text, size_t len, char *err, size_t errlen);

/* Which option of argv is -f's file: its index, or 0 if none (or -f ends argv). */
int	bootcfg_find_file(int argc, char **argv);

/* vmm --help's text. */
extern const char bootcfg_usage[];

#endif
