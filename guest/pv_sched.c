/*
 * Idling in the guest kernel.  Its one interrupt is the PIT's tick
 * (kern/pit.c), which preempts its programs; nothing tells it of typed
 * input, so it looks at COM1 itself, and its HLT, with interrupts off,
 * lasts until the monitor has input for it (inc/vmx.h): an idle guest
 * takes no ticks.  Linked in place of kern/sched_idle.c.
 */
#include <inc/x86.h>

#include <kern/env.h>
#include <kern/console.h>
#include <kern/lapic.h>
#include <kern/sched.h>
#include <guest/pv.h>

/*
 * Before each pick: send console output held back too long, and while
 * a reader sleeps in sys_cons_wait and other envs keep running, look
 * at COM1 (a VM exit) now and then, at most every 10 ms.
 */
void
sched_poll_input(void)
{
	static uint64_t last;
	uint64_t now = read_tsc();

	cons_flush_stale();

	if (now - last < time_tsc_hz() / 100)
		return;
	for (int i = 0; i < env_scan_count(); i++)
		if (env_scan(i)->env_cons_waiting && env_scan(i)->env_status == ENV_NOT_RUNNABLE) {
			last = now;
			serial_intr();
			return;
		}
}

/* Halt, then look at COM1, until some env can run; the kernel lock stays held. */
void
sched_idle(void)
{
	for (;;) {
		asm volatile("hlt");
		serial_intr();
		if (sched_runnable_hint())
			sched_yield();
	}
}
