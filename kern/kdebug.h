/* Naming kernel addresses: file, line, function and its arguments. */
#ifndef JOS_KERN_KDEBUG_H
#define JOS_KERN_KDEBUG_H

#include <inc/types.h>

#define KDEBUG_MAXARGS 16	// arguments described per function, at most

/* What debuginfo_rip finds out about an instruction address. */
struct Ripdebuginfo {
	const char *rip_file;		// source file, relative to the repo
	int rip_line;			// line number, 0 if unknown
	const char *rip_fn_name;	// function (or assembly label) name
	int rip_fn_namelen;		// length of rip_fn_name
	uintptr_t rip_fn_addr;		// start address of the function
	int rip_fn_narg;		// number of arguments described below
	int rip_fn_argoff[KDEBUG_MAXARGS];	// offset of each from %rbp
	int rip_fn_argsize[KDEBUG_MAXARGS];	// bytes; 0 if not in the frame
};

int debuginfo_rip(uintptr_t rip, struct Ripdebuginfo *info);

/*
 * Stack backtraces (kern/backtrace.c).  print_backtrace_from(rbp) prints
 * the callers of the function whose frame pointer is rbp, innermost
 * first; print_backtrace_at(rbp, rip) starts with the function that is
 * at rip with frame pointer rbp (a trap frame's rbp and rip, say).
 */
void print_backtrace_from(uintptr_t rbp);
void print_backtrace_at(uintptr_t rbp, uintptr_t rip);

/*
 * The table kern/mksymtab.sh generates at build time (section .ksymtab).
 * Addresses are 32-bit offsets from ksym_base; names are offsets into
 * ksym_str.  ksym_fn and ksym_line are sorted by address.
 */
struct Ksymfn {
	uint32_t fn_start;	// first byte, from ksym_base
	uint32_t fn_size;	// bytes of code
	uint32_t fn_name;	// name, in ksym_str
	uint16_t fn_arg;	// first argument, in ksym_arg
	uint8_t fn_narg;	// number of arguments
	uint8_t fn_pad;
};

struct Ksymarg {
	int32_t arg_off;	// offset from the function's %rbp
	uint32_t arg_size;	// bytes; 0 when the location is unknown
};

/* A line row holds from its address up to the next row's. */
struct Ksymline {
	uint32_t ln_addr;	// from ksym_base
	uint16_t ln_file;	// index into ksym_file
	uint16_t ln_line;	// 0: no line information here
};

extern const uint64_t ksym_base;
extern const uint32_t ksym_nfn, ksym_narg, ksym_nline, ksym_nfile;
extern const struct Ksymfn ksym_fn[];
extern const struct Ksymarg ksym_arg[];
extern const struct Ksymline ksym_line[];
extern const uint32_t ksym_file[];
extern const char ksym_str[];

#endif
