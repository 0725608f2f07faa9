/*
 * Naming kernel addresses with the table kern/mksymtab.sh generates from
 * the kernel's own symbols and DWARF information (see kern/kdebug.h).
 */
#include <inc/types.h>
#include <inc/error.h>
#include <inc/string.h>

#include <kern/kdebug.h>

/*
 * In a table of n rows of row_size bytes, sorted by the 32-bit address
 * at byte key_offset of each row, the index of the last row whose
 * address is at or below off; -1 if none is.
 */
static int
last_row_at_or_below(const void *table, int n, size_t row_size,
		     size_t key_offset, uint32_t off)
{
	int lo = 0, hi = n - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		const uint8_t *row = (const uint8_t *) table + (size_t) mid * row_size;
		if (*(const uint32_t *) (row + key_offset) <= off) {
			found = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return found;
}

/* The last function starting at or below off, or -1 if none does. */
static int
find_fn(uint32_t off)
{
	return last_row_at_or_below(ksym_fn, ksym_nfn, sizeof(ksym_fn[0]),
				    offsetof(typeof(ksym_fn[0]), fn_start), off);
}

/* The last line row starting at or below off, or -1 if none does. */
static int
find_line(uint32_t off)
{
	return last_row_at_or_below(ksym_line, ksym_nline, sizeof(ksym_line[0]),
				    offsetof(typeof(ksym_line[0]), ln_addr), off);
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
	info->rip_fn_namelen = strlen(info->rip_fn_name);
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
