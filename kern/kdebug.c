/*
 * Naming kernel addresses with the table kern/mksymtab.sh generates from
 * the kernel's own symbols and DWARF information (see kern/kdebug.h).
 */
#include <inc/types.h>
#include <inc/error.h>

#include <kern/kdebug.h>

/* The last function starting at or below off, or -1 if none does. */
static int
find_fn(uint32_t off)
{
	int lo = 0, hi = (int) ksym_nfn - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (ksym_fn[mid].fn_start <= off) {
			found = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return found;
}

/* The last line row starting at or below off, or -1 if none does. */
static int
find_line(uint32_t off)
{
	int lo = 0, hi = (int) ksym_nline - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (ksym_line[mid].ln_addr <= off) {
			found = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return found;
}

static int
slen(const char *s)
{
	int n = 0;

	while (s[n])
		n++;
	return n;
}

/*
 * Fill in info for the instruction at rip: its function, the function's
 * arguments, and its file and line.  Returns 0 if rip is inside a kernel
 * function, -E_INVAL otherwise; either way every field is set, to
 * "<unknown>", line 0 and no arguments where nothing is known.
 */
int
debuginfo_rip(uintptr_t rip, struct Ripdebuginfo *info)
{
	const struct Ksymfn *fn;
	const struct Ksymline *ln;
	uint32_t off;
	int i;

	info->rip_file = "<unknown>";
	info->rip_line = 0;
	info->rip_fn_name = "<unknown>";
	info->rip_fn_namelen = 9;
	info->rip_fn_addr = rip;
	info->rip_fn_narg = 0;

	if (rip < ksym_base || rip - ksym_base > 0xFFFFFFFFUL)
		return -E_INVAL;
	off = rip - ksym_base;

	i = find_fn(off);
	if (i < 0 || off - ksym_fn[i].fn_start >= ksym_fn[i].fn_size)
		return -E_INVAL;
	fn = &ksym_fn[i];
	info->rip_fn_name = ksym_str + fn->fn_name;
	info->rip_fn_namelen = slen(info->rip_fn_name);
	info->rip_fn_addr = ksym_base + fn->fn_start;
	info->rip_fn_narg = fn->fn_narg;
	if (info->rip_fn_narg > KDEBUG_MAXARGS)
		info->rip_fn_narg = KDEBUG_MAXARGS;
	for (i = 0; i < info->rip_fn_narg; i++) {
		info->rip_fn_argoff[i] = ksym_arg[fn->fn_arg + i].arg_off;
		info->rip_fn_argsize[i] = ksym_arg[fn->fn_arg + i].arg_size;
	}

	i = find_line(off);
	if (i >= 0 && ksym_line[i].ln_line != 0
	    && ksym_line[i].ln_file < ksym_nfile) {
		ln = &ksym_line[i];
		info->rip_file = ksym_str + ksym_file[ln->ln_file];
		info->rip_line = ln->ln_line;
	}
	return 0;
}
