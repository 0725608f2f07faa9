/* Printing trap frames in the format JOS grading scripts read. */
#include <inc/stdio.h>
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kern/trap.h>
#include <kern/cpu.h>

/* The Intel name of a trap number. */
static const char *
trapname(int trapno)
{
	static const char *const names[] = {
		"Divide error",
		"Debug",
		"Non-Maskable Interrupt",
		"Breakpoint",
		"Overflow",
		"BOUND Range Exceeded",
		"Invalid Opcode",
		"Device Not Available",
		"Double Fault",
		"Coprocessor Segment Overrun",
		"Invalid TSS",
		"Segment Not Present",
		"Stack Fault",
		"General Protection",
		"Page Fault",
		"(unknown trap)",
		"x87 FPU Floating-Point Error",
		"Alignment Check",
		"Machine-Check",
		"SIMD Floating-Point Exception"
	};

	if (trapno >= 0 && trapno < (int) (sizeof(names) / sizeof(names[0])))
		return names[trapno];
	if (trapno == T_SYSCALL)
		return "System call";
	if (trapno >= IRQ_OFFSET && trapno < IRQ_OFFSET + 16)
		return "Hardware Interrupt";
	return "(unknown trap)";
}

void
print_regs(struct PushRegs *regs)
{
	cprintf("  r15  0x%08lx\n", regs->reg_r15);
	cprintf("  r14  0x%08lx\n", regs->reg_r14);
	cprintf("  r13  0x%08lx\n", regs->reg_r13);
	cprintf("  r12  0x%08lx\n", regs->reg_r12);
	cprintf("  r11  0x%08lx\n", regs->reg_r11);
	cprintf("  r10  0x%08lx\n", regs->reg_r10);
	cprintf("  r9   0x%08lx\n", regs->reg_r9);
	cprintf("  r8   0x%08lx\n", regs->reg_r8);
	cprintf("  rsi  0x%08lx\n", regs->reg_rsi);
	cprintf("  rdi  0x%08lx\n", regs->reg_rdi);
	cprintf("  rbp  0x%08lx\n", regs->reg_rbp);
	cprintf("  rdx  0x%08lx\n", regs->reg_rdx);
	cprintf("  rcx  0x%08lx\n", regs->reg_rcx);
	cprintf("  rbx  0x%08lx\n", regs->reg_rbx);
	cprintf("  rax  0x%08lx\n", regs->reg_rax);
}

void
print_trapframe(struct Trapframe *tf)
{

	cprintf("TRAP frame at %p from CPU %d\n", tf, cpunum());
	print_regs(&tf->tf_regs);
	cprintf("  es   0x----%04x\n", tf->tf_es);
	cprintf("  ds   0x----%04x\n", tf->tf_ds);
	cprintf("  trap 0x%08lx %s\n", tf->tf_trapno, trapname(tf->tf_trapno));
	if (tf->tf_trapno == T_PGFLT)
		cprintf("  cr2  0x%08lx\n", rcr2());
	cprintf("  err  0x%08lx", tf->tf_err);
	if (tf->tf_trapno == T_PGFLT)
		cprintf(" [%s, %s, %s]\n",
			tf->tf_err & FEC_U ? "user" : "kernel",
			tf->tf_err & FEC_WR ? "write" : "read",
			tf->tf_err & FEC_PR ? "protection" : "not-present");
	else
		cprintf("\n");
	cprintf("  rip  0x%08lx\n", tf->tf_rip);
	cprintf("  cs   0x----%04x\n", tf->tf_cs);
	cprintf("  flag 0x%08lx\n", tf->tf_eflags);
	if ((tf->tf_cs & 3) != 0) {
		cprintf("  rsp  0x%08lx\n", tf->tf_rsp);
		cprintf("  ss   0x----%04x\n", tf->tf_ss);
	}
}
