/*
 * Stack backtraces: follow the chain of saved %rbp values (every kernel
 * function keeps a frame pointer) and name each return address with
 * debuginfo_rip.  Each frame prints two lines:
 *
 *   rbp <frame pointer>  rip <address in the function>  args <n> <arg>...
 *          <file>:<line>: <function>+<offset of rip in it>
 *
 * where the arguments are read from the frame's slots for them.
 */
#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/memlayout.h>
#include <inc/mmu.h>
#include <inc/x86.h>

#include <kern/cpu.h>
#include <kern/kdebug.h>
#include <kern/monitor.h>

/* Whether va has a present mapping in the current page tables. */
static bool
mapped(uintptr_t va)
{
	static const int shifts[] = { PML4SHIFT, PDPESHIFT, PDXSHIFT, PTXSHIFT };
	uint64_t *table = (uint64_t *) (KERNBASE + PTE_ADDR(rcr3()));
	uint64_t e;
	int level;

	for (level = 0; level < 4; level++) {
		e = table[(va >> shifts[level]) & 0x1FF];
		if (!(e & PTE_P))
			return false;
		if (level == 3 || ((level == 1 || level == 2) && (e & PTE_PS)))
			return true;
		table = (uint64_t *) (KERNBASE + PTE_ADDR(e));
	}
	return false;
}

/*
 * Whether the bytes [lo, hi) lie inside one kernel stack (the per-CPU
 * stacks below KSTACKTOP, or the kernel image, whose .bss holds the boot
 * stack) and are mapped, so that reading them cannot fault.
 */
static bool
kstack_ok(uintptr_t lo, uintptr_t hi)
{
	extern char end[];
	uintptr_t slot, top;

	if (hi <= lo)
		return false;
	if (lo >= KERNBASE && hi <= (uintptr_t) end)
		goto check;
	if (lo < KSTACKTOP - NCPU * (KSTKSIZE + KSTKGAP) || hi > KSTACKTOP)
		return false;
	slot = (KSTACKTOP - 1 - lo) / (KSTKSIZE + KSTKGAP);
	top = KSTACKTOP - slot * (KSTKSIZE + KSTKGAP);
	if (lo < top - KSTKSIZE || hi > top)
		return false;
check:
	return mapped(lo) && mapped(hi - 1);
}

/* Whether rbp can be a frame: 8-aligned, saved rbp and rip readable. */
static bool
frame_ok(uintptr_t rbp)
{
	return rbp % 8 == 0 && kstack_ok(rbp, rbp + 16);
}

/* The value of an argument of size bytes at va, zero-extended. */
static uint64_t
read_arg(uintptr_t va, int size)
{
	const uint8_t *p = (const uint8_t *) va;
	uint64_t v = 0;
	int i;

	if (size > 8)
		size = 8;
	for (i = size - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Print the two lines for the function at rip whose frame is rbp. */
static void
print_frame(uintptr_t rbp, uintptr_t rip, bool readable, bool is_return)
{
	struct Ripdebuginfo info;
	uintptr_t va;
	int i, size;

	// A return address may be the first byte after a call that never
	// returns, i.e. already in the next function: look up the call.
	debuginfo_rip(is_return ? rip - 1 : rip, &info);
	cprintf("  rbp %016lx  rip %016lx  args %d", rbp, rip, info.rip_fn_narg);
	for (i = 0; i < info.rip_fn_narg; i++) {
		va = rbp + info.rip_fn_argoff[i];
		size = info.rip_fn_argsize[i];
		if (readable && size > 0 && kstack_ok(va, va + (size > 8 ? 8 : size)))
			cprintf(" %016lx", read_arg(va, size));
		else
			cprintf(" ????????????????");
	}
	cprintf("\n");
	cprintf("       %s:%d: %.*s+%d\n", info.rip_file, info.rip_line,
		info.rip_fn_namelen, info.rip_fn_name,
		(int) (rip - info.rip_fn_addr));
}

/*
 * Print the frame at rip with frame pointer rbp, then its callers, until
 * the chain ends (rbp 0, as entry.S leaves it) or leaves the kernel
 * stacks; never reads memory outside them.
 */
void
print_backtrace_at(uintptr_t rbp, uintptr_t rip)
{
	uintptr_t prev = 0;
	bool ok;

	for (;;) {
		// Callers' frames lie strictly above their callees'.
		ok = frame_ok(rbp) && (prev == 0 || rbp > prev);
		print_frame(rbp, rip, ok, prev != 0);
		if (!ok)
			break;
		prev = rbp;
		rip = ((uintptr_t *) rbp)[1];
		rbp = ((uintptr_t *) rbp)[0];
	}
}

/* Print the callers of the function whose frame pointer is rbp. */
void
print_backtrace_from(uintptr_t rbp)
{
	if (!frame_ok(rbp))
		return;
	print_backtrace_at(((uintptr_t *) rbp)[0], ((uintptr_t *) rbp)[1]);
}

/* The monitor's "backtrace": this function's frame and all its callers. */
int
mon_backtrace(int argc, char **argv, struct Trapframe *tf)
{
	uintptr_t rbp, rip;

	// Not read_rbp(): at -O0 it is a call, with a frame of its own.
	asm volatile("movq %%rbp, %0" : "=r" (rbp));
	asm volatile("leaq 0(%%rip), %0" : "=r" (rip));
	cprintf("Stack backtrace:\n");
	print_backtrace_at(rbp, rip);
	return 0;
}
