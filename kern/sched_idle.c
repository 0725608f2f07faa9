/*
 * Idling on a PC, where every device interrupts (kern/sched.c).  The
 * guest kernel links guest/pv_sched.c instead.
 */
#include <inc/x86.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/cpu.h>

/* Typed input raises IRQ 1 or 4 (and the timer looks too): nothing to poll. */
void
sched_poll_input(void)
{
}

/*
 * Release the kernel lock and halt with interrupts on until the timer
 * or a device wakes the CPU up; the trap handler takes the lock again
 * (kern/trap.c) and the scheduler runs from there.
 */
void
sched_idle(void)
{
	xchg(&thiscpu->cpu_status, CPU_HALTED);
	unlock_kernel();

	// Start over at the top of this CPU's stack; nothing below matters.
	asm volatile("movq %0, %%rsp\n\t"
		     "xorq %%rbp, %%rbp\n\t"
		     "sti\n"
		     "1:\n\t"
		     "hlt\n\t"
		     "jmp 1b"
		     : : "r" (thiscpu->cpu_ts.ts_rsp0) : "memory");
	for (;;)
		;
}
