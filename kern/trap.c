/*
 * Trap handling: the IDT, the common C entry trap(), dispatch by trap
 * number, and the user page-fault upcall.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <inc/assert.h>
#include <inc/string.h>

#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/console.h>
#include <kern/monitor.h>
#include <kern/env.h>
#include <kern/syscall.h>
#include <kern/sched.h>
#include <kern/picirq.h>
#include <kern/cpu.h>
#include <kern/spinlock.h>
#include <kern/lapic.h>
#include <kern/vmmapi.h>

struct Gatedesc idt[256] = { { 0 } };
struct Pseudodesc idt_pd = {
	sizeof(idt) - 1, (uint64_t) idt
};

extern const char *panicstr;

/* Stubs in trapentry.S. */
extern void trap_divide(void), trap_debug(void), trap_nmi(void), trap_brkpt(void);
extern void trap_oflow(void), trap_bound(void), trap_illop(void), trap_device(void);
extern void trap_dblflt(void), trap_coproc(void), trap_tss(void), trap_segnp(void);
extern void trap_stack(void), trap_gpflt(void), trap_pgflt(void), trap_res(void);
extern void trap_fperr(void), trap_align(void), trap_mchk(void), trap_simderr(void);
extern void trap_syscall(void), irq_error(void);
extern void (*const irq_entries[16])(void);

/*
 * Fill the IDT.  All gates are interrupt gates, so the kernel runs with
 * interrupts off.  Only int3 and the system call may be raised by user
 * code with an int instruction; any other int from user mode is a
 * General Protection fault.
 */
void
trap_init(void)
{
	void (*const exceptions[20])(void) = {
		trap_divide, trap_debug, trap_nmi, trap_brkpt, trap_oflow,
		trap_bound, trap_illop, trap_device, trap_dblflt, trap_coproc,
		trap_tss, trap_segnp, trap_stack, trap_gpflt, trap_pgflt,
		trap_res, trap_fperr, trap_align, trap_mchk, trap_simderr
	};

	for (int i = 0; i < 20; i++)
		SETGATE(idt[i], 0, GD_KT, exceptions[i], i == T_BRKPT ? 3 : 0);
	SETGATE(idt[T_SYSCALL], 0, GD_KT, trap_syscall, 3);
	for (int i = 0; i < 16; i++)
		SETGATE(idt[IRQ_OFFSET + i], 0, GD_KT, irq_entries[i], 0);
	SETGATE(idt[IRQ_OFFSET + IRQ_ERROR], 0, GD_KT, irq_error, 0);

	percpu_init();
}

/* Hardware interrupts: acknowledge, then let the driver run. */
static void
handle_irq(struct Trapframe *tf)
{
	int irq = tf->tf_trapno - IRQ_OFFSET;

	switch (irq) {
	case IRQ_TIMER:
		lapic_eoi();
		thiscpu->cpu_ticks++;
		if (cons_input_hint())	// its interrupt may have been lost
			cons_poll();
		sched_yield();		// preempt whatever ran
		break;
	case IRQ_KBD:
		kbd_intr();
		irq_eoi(irq);
		break;
	case IRQ_SERIAL:
		serial_intr();
		irq_eoi(irq);
		break;
	case IRQ_SPURIOUS:
		// A spurious interrupt needs no acknowledgement.
		break;
	case IRQ_ERROR:
		lapic_eoi();
		break;
	default:
		irq_eoi(irq);
		lapic_eoi();
		break;
	}
}

/* Act on a trap.  Returns if the trapped code may continue. */
static void
trap_dispatch(struct Trapframe *tf, struct Trapframe *incoming)
{
	bool from_user = (tf->tf_cs & 3) == 3;

	if (tf->tf_trapno == IRQ_OFFSET + IRQ_SPURIOUS)
		return;
	if (tf->tf_trapno >= IRQ_OFFSET && tf->tf_trapno < IRQ_OFFSET + 16) {
		handle_irq(tf);
		return;
	}
	if (tf->tf_trapno == IRQ_OFFSET + IRQ_ERROR) {
		handle_irq(tf);
		return;
	}

	switch (tf->tf_trapno) {
	case T_PGFLT:
		page_fault_handler(tf);
		return;
	case T_SYSCALL:
		tf->tf_regs.reg_rax = syscall(tf->tf_regs.reg_rax,
					      tf->tf_regs.reg_rdx,
					      tf->tf_regs.reg_rcx,
					      tf->tf_regs.reg_rbx,
					      tf->tf_regs.reg_rdi,
					      tf->tf_regs.reg_rsi);
		return;
	case T_BRKPT:
	case T_DEBUG:
		if (from_user) {
			cprintf("Incoming TRAP frame at %p\n", incoming);
			monitor(tf);
			return;
		}
		break;
	}

	if (from_user)
		cprintf("Incoming TRAP frame at %p\n", incoming);
	print_trapframe(tf);
	if (!from_user)
		panic("unhandled trap %ld in kernel", (long) tf->tf_trapno);
	env_destroy(curenv);
}

/*
 * The C entry of every trap, interrupt and system call, on the kernel
 * stack, with interrupts off.  A trap from user mode takes the kernel
 * lock and saves the frame in the env; the trapped env then resumes
 * (or the scheduler picks another).
 */
void
trap(struct Trapframe *tf)
{
	struct Trapframe *incoming = tf;

	asm volatile("cld" ::: "cc");

	// After a panic on another CPU, stop here.
	if (panicstr)
		for (;;)
			asm volatile("hlt");

	assert(!(read_rflags() & FL_IF));

	// An interrupt that woke this CPU from the idle halt: the CPU gave
	// up the kernel lock when it went idle, so take it again -- unless
	// it is only the timer, nothing waits to run and no typed input
	// waits in a device, in which case go straight back to the halt
	// without touching the lock (idle CPUs would otherwise keep the
	// lock busy on slow emulators).
	if (thiscpu->cpu_status == CPU_HALTED) {
		if (tf->tf_trapno == IRQ_OFFSET + IRQ_TIMER && !sched_runnable_hint()
		    && !cons_input_hint() && !guest_cpu_pending()) {
			lapic_eoi();
			env_pop_tf(tf);		// back into the idle loop
		}
		xchg(&thiscpu->cpu_status, CPU_STARTED);
		lock_kernel();
	}

	if ((tf->tf_cs & 3) == 3) {
		lock_kernel();
		assert(curenv);
		// Destroyed by another CPU while it ran here: finish it now.
		if (curenv->env_status == ENV_DYING) {
			env_free(curenv);
			curenv = NULL;
			sched_yield();
		}
		curenv->env_tf = *tf;
		tf = &curenv->env_tf;
	}

	trap_dispatch(tf, incoming);

	if (curenv && curenv->env_status == ENV_RUNNING)
		env_run(curenv);
	else
		sched_yield();
}

/*
 * A page fault.  In the kernel it is a bug: panic.  In user mode, run
 * the env's upcall on its exception stack with a UTrapframe describing
 * the fault, or destroy the env if it has none (or its exception stack
 * or upcall is not usable).
 */
void
page_fault_handler(struct Trapframe *tf)
{
	uintptr_t fault_va = rcr2();
	struct UTrapframe *utf;
	uintptr_t top;

	if ((tf->tf_cs & 3) == 0) {
		print_trapframe(tf);
		panic("kernel page fault at va %016lx, rip %016lx", fault_va, tf->tf_rip);
	}

	if (!curenv->env_pgfault_upcall) {
		// Where trap() found the frame: the top of this CPU's stack.
		cprintf("Incoming TRAP frame at %p\n",
			(void *) (thiscpu->cpu_ts.ts_rsp0 - sizeof(struct Trapframe)));
		cprintf("[%08x] user fault va %08lx ip %08lx\n",
			curenv->env_id, fault_va, tf->tf_rip);
		print_trapframe(tf);
		env_destroy(curenv);
		return;
	}

	// A fault while already on the exception stack nests below the
	// current frame, leaving one empty word between the two.
	if (tf->tf_rsp >= UXSTACKTOP - PGSIZE && tf->tf_rsp < UXSTACKTOP)
		top = tf->tf_rsp - 8;
	else
		top = UXSTACKTOP;
	utf = (struct UTrapframe *) (top - sizeof(struct UTrapframe));
	user_mem_assert(curenv, utf, sizeof(struct UTrapframe), PTE_W);
	user_mem_assert(curenv, curenv->env_pgfault_upcall, 1, 0);

	utf->utf_fault_va = fault_va;
	utf->utf_err = tf->tf_err;
	utf->utf_regs = tf->tf_regs;
	utf->utf_rip = tf->tf_rip;
	utf->utf_eflags = tf->tf_eflags;
	utf->utf_rsp = tf->tf_rsp;

	tf->tf_rip = (uintptr_t) curenv->env_pgfault_upcall;
	tf->tf_rsp = (uintptr_t) utf;
}
