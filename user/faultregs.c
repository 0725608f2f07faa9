// Checks that a page fault handled at user level keeps every register:
// the UTrapframe must hold the trap-time registers, flags and stack
// pointer, and after the upcall returns they must all be back.

#include <inc/lib.h>

// RF may be set by the processor in a saved fault frame; ignore it.
#define FLAGS_MASK	(~(uint64_t) FL_RF)

struct regs {
	struct PushRegs r;
	uint64_t rip;
	uint64_t rflags;
	uint64_t rsp;
};

// Filled by the assembly below (and by the handler for "during").
struct regs faultregs_before, faultregs_during, faultregs_after;

// The instruction that faults (in the assembly below).
extern char faultregs_fault_ip[];
void faultregs_run(void);

/*
 * faultregs_run: load a distinct value into every general register and
 * set some arithmetic flags, record them all in faultregs_before, write
 * to UTEMP (unmapped: the handler maps it), then record everything in
 * faultregs_after.  Saves and restores the callee-saved registers.
 */
asm(
"	.text\n"
"	.globl faultregs_run\n"
"faultregs_run:\n"
"	pushq %rbx; pushq %rbp; pushq %r12; pushq %r13; pushq %r14; pushq %r15\n"
"	movabs $0x0101010101010101, %rax\n"
"	movabs $0x0202020202020202, %rbx\n"
"	movabs $0x0303030303030303, %rcx\n"
"	movabs $0x0404040404040404, %rdx\n"
"	movabs $0x0505050505050505, %rsi\n"
"	movabs $0x0606060606060606, %rdi\n"
"	movabs $0x0707070707070707, %rbp\n"
"	movabs $0x0808080808080808, %r8\n"
"	movabs $0x0909090909090909, %r9\n"
"	movabs $0x0a0a0a0a0a0a0a0a, %r10\n"
"	movabs $0x0b0b0b0b0b0b0b0b, %r11\n"
"	movabs $0x0c0c0c0c0c0c0c0c, %r12\n"
"	movabs $0x0d0d0d0d0d0d0d0d, %r13\n"
"	movabs $0x0e0e0e0e0e0e0e0e, %r14\n"
"	movabs $0x0f0f0f0f0f0f0f0f, %r15\n"
	// Carry, parity, adjust, zero, sign and overflow all set.
"	pushfq\n"
"	orq $0x8d5, (%rsp)\n"
"	popfq\n"
"	movq %r15, faultregs_before+0(%rip)\n"
"	movq %r14, faultregs_before+8(%rip)\n"
"	movq %r13, faultregs_before+16(%rip)\n"
"	movq %r12, faultregs_before+24(%rip)\n"
"	movq %r11, faultregs_before+32(%rip)\n"
"	movq %r10, faultregs_before+40(%rip)\n"
"	movq %r9, faultregs_before+48(%rip)\n"
"	movq %r8, faultregs_before+56(%rip)\n"
"	movq %rsi, faultregs_before+64(%rip)\n"
"	movq %rdi, faultregs_before+72(%rip)\n"
"	movq %rbp, faultregs_before+80(%rip)\n"
"	movq %rdx, faultregs_before+88(%rip)\n"
"	movq %rcx, faultregs_before+96(%rip)\n"
"	movq %rbx, faultregs_before+104(%rip)\n"
"	movq %rax, faultregs_before+112(%rip)\n"
"	pushfq\n"
"	popq faultregs_before+128(%rip)\n"
"	movq %rsp, faultregs_before+136(%rip)\n"
"	.globl faultregs_fault_ip\n"
"faultregs_fault_ip:\n"
"	movl $0x600d, 0x400000\n"		// UTEMP
"	movq %r15, faultregs_after+0(%rip)\n"
"	movq %r14, faultregs_after+8(%rip)\n"
"	movq %r13, faultregs_after+16(%rip)\n"
"	movq %r12, faultregs_after+24(%rip)\n"
"	movq %r11, faultregs_after+32(%rip)\n"
"	movq %r10, faultregs_after+40(%rip)\n"
"	movq %r9, faultregs_after+48(%rip)\n"
"	movq %r8, faultregs_after+56(%rip)\n"
"	movq %rsi, faultregs_after+64(%rip)\n"
"	movq %rdi, faultregs_after+72(%rip)\n"
"	movq %rbp, faultregs_after+80(%rip)\n"
"	movq %rdx, faultregs_after+88(%rip)\n"
"	movq %rcx, faultregs_after+96(%rip)\n"
"	movq %rbx, faultregs_after+104(%rip)\n"
"	movq %rax, faultregs_after+112(%rip)\n"
"	pushfq\n"
"	popq faultregs_after+128(%rip)\n"
"	movq %rsp, faultregs_after+136(%rip)\n"
	// Leave the direction flag clear for the C code we return to.
"	cld\n"
"	popq %r15; popq %r14; popq %r13; popq %r12; popq %rbp; popq %rbx\n"
"	ret\n"
);

static int mismatches;

/* Print one row of the comparison table; count it if the values differ. */
static void
check1(const char *name, uint64_t want, uint64_t got)
{
	int ok = (want == got);

	cprintf("%-6s %016lx %016lx %s\n", name, (unsigned long) want,
		(unsigned long) got, ok ? "OK" : "MISMATCH");
	if (!ok)
		mismatches++;
}

/*
 * Compare a register set with the one recorded before the fault and
 * print "Registers WHAT OK" or "Registers WHAT MISMATCH".
 */
static void
check(const char *what, const struct regs *want, const struct regs *got, bool rip)
{
	mismatches = 0;
	cprintf("%-6s %-16s %-16s\n", "", "before", what);
	check1("rax", want->r.reg_rax, got->r.reg_rax);
	check1("rbx", want->r.reg_rbx, got->r.reg_rbx);
	check1("rcx", want->r.reg_rcx, got->r.reg_rcx);
	check1("rdx", want->r.reg_rdx, got->r.reg_rdx);
	check1("rsi", want->r.reg_rsi, got->r.reg_rsi);
	check1("rdi", want->r.reg_rdi, got->r.reg_rdi);
	check1("rbp", want->r.reg_rbp, got->r.reg_rbp);
	check1("r8", want->r.reg_r8, got->r.reg_r8);
	check1("r9", want->r.reg_r9, got->r.reg_r9);
	check1("r10", want->r.reg_r10, got->r.reg_r10);
	check1("r11", want->r.reg_r11, got->r.reg_r11);
	check1("r12", want->r.reg_r12, got->r.reg_r12);
	check1("r13", want->r.reg_r13, got->r.reg_r13);
	check1("r14", want->r.reg_r14, got->r.reg_r14);
	check1("r15", want->r.reg_r15, got->r.reg_r15);
	if (rip)
		check1("rip", want->rip, got->rip);
	check1("rflags", want->rflags & FLAGS_MASK, got->rflags & FLAGS_MASK);
	check1("rsp", want->rsp, got->rsp);
	cprintf("Registers %s %s\n", what, mismatches ? "MISMATCH" : "OK");
}

/* The fault handler: check the UTrapframe, then map UTEMP. */
static void
handler(struct UTrapframe *utf)
{
	int r;

	if (utf->utf_fault_va != (uintptr_t) UTEMP)
		panic("fault at %lx, not at UTEMP (ip %lx)",
		      (unsigned long) utf->utf_fault_va, (unsigned long) utf->utf_rip);

	faultregs_during.r = utf->utf_regs;
	faultregs_during.rip = utf->utf_rip;
	faultregs_during.rflags = utf->utf_eflags;
	faultregs_during.rsp = utf->utf_rsp;
	check("in UTrapframe", &faultregs_before, &faultregs_during, true);

	if ((r = sys_page_alloc(0, UTEMP, PTE_U | PTE_P | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	faultregs_before.rip = (uintptr_t) faultregs_fault_ip;
	faultregs_run();

	if (*(volatile int *) UTEMP != 0x600d)
		panic("the faulting write did not happen");
	check("after page-fault", &faultregs_before, &faultregs_after, false);
}
