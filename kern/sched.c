/*
 * Round-robin scheduling over all envs, shared by all CPUs under the
 * kernel lock.  An env runs on at most one CPU at a time (ENV_RUNNING).
 */
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/monitor.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/cpu.h>
#include <kern/console.h>
#include <kern/lapic.h>
#include <kern/vmmapi.h>

static void sched_halt(void) __attribute__((noreturn));

#ifdef VMM_GUEST
/*
 * A guest kernel gets no interrupts, so nothing tells it of typed input
 * while its envs keep running: while a reader sleeps in sys_cons_wait,
 * look at COM1 (a VM exit) now and then, at most every 10 ms.
 */
static void
guest_poll_console(void)
{
	static uint64_t last;
	uint64_t now = read_tsc();

	if (now - last < time_tsc_hz() / 100)
		return;
	for (int i = 0; i < env_scan_count(); i++)
		if (env_scan(i)->env_cons_waiting && env_scan(i)->env_status == ENV_NOT_RUNNABLE) {
			last = now;
			serial_intr();
			return;
		}
}
#endif

/*
 * Pick the next runnable env after the current one, round robin, and
 * run it; keep the current one if nothing else can run; else idle.
 */
void
sched_yield(void)
{
	int n = env_scan_count();
	int start = curenv ? env_scan_pos(curenv) + 1 : 0;

	// A guest's virtual CPU state kept on this CPU goes back to memory.
	guest_cpu_release();

#ifdef VMM_GUEST
	guest_poll_console();
#endif

	// The next runnable env after the current one, wrapping around.
	// Only slots that ever held an env are scanned: with few envs this
	// keeps the time under the kernel lock short on slow emulators.
	for (int i = 0; i < n; i++) {
		struct Env *e = env_scan((start + i) % n);
		if (e->env_status == ENV_RUNNABLE)
			env_run(e);
	}
	// Nothing else: keep running the current env if it still can.
	if (curenv && curenv->env_status == ENV_RUNNING && curenv->env_cpunum == cpunum())
		env_run(curenv);
	sched_halt();
}

/*
 * Whether some env looks runnable, read without the kernel lock: only a
 * hint (the answer may be stale by the time the caller acts on it).
 */
bool
sched_runnable_hint(void)
{
	for (int i = 0; i < env_scan_count(); i++)
		if (((volatile struct Env *) env_scan(i))->env_status == ENV_RUNNABLE)
			return true;
	return false;
}

bool
sched_any_env_alive(void)
{
	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);

		if (e->env_status == ENV_RUNNABLE || e->env_status == ENV_RUNNING
		    || e->env_status == ENV_DYING
		    || (e->env_status == ENV_NOT_RUNNABLE && e->env_cons_waiting))
			return true;
	}
	return false;
}

/*
 * Typed input has arrived for owner: 0 for the host's envs, else a
 * guest's env id.  Make runnable whoever sleeps waiting for it (host
 * envs in sys_cons_wait, the guest halted in HLT).  Kernel lock held.
 */
void
sched_wake_cons_waiters(int owner)
{
	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);

		if (!e->env_cons_waiting || e->env_status != ENV_NOT_RUNNABLE)
			continue;
		if (owner ? e->env_id != owner : e->env_type == ENV_TYPE_GUEST)
			continue;
		e->env_cons_waiting = false;
		e->env_status = ENV_RUNNABLE;
	}
}

/* Env envid is gone: make runnable every env in sys_env_wait for it. */
void
sched_wake_env_waiters(envid_t envid)
{
	if (envid == 0)		// 0 is no env: it would match everyone not waiting
		return;
	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);

		if (e->env_wait_env != envid || e->env_status != ENV_NOT_RUNNABLE)
			continue;
		e->env_wait_env = 0;
		e->env_status = ENV_RUNNABLE;
	}
}

/*
 * The console went back to the host: make runnable every env in
 * sys_env_wait for a guest (vmm gives its shell the prompt back then).
 */
void
sched_wake_guest_waiters(void)
{
	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);
		envid_t w = e->env_wait_env;

		if (!w || e->env_status != ENV_NOT_RUNNABLE || envs[ENVX(w)].env_id != w
		    || envs[ENVX(w)].env_type != ENV_TYPE_GUEST)
			continue;
		e->env_wait_env = 0;
		e->env_status = ENV_RUNNABLE;
	}
}

/*
 * Nothing to run on this CPU.  With no env left anywhere, enter the
 * monitor.  Otherwise idle: release the kernel lock and halt with
 * interrupts on until the timer or a device wakes the CPU up (a guest
 * kernel, which has one CPU and no interrupts, halts until the monitor
 * wakes it for typed input).
 */
static void
sched_halt(void)
{
	if (!sched_any_env_alive()) {
		extern size_t boot_free_pages;
		// JOS's line for the end of the last env that ran (the file
		// server, blocked for ever, does not count).
		if (env_ever_freed)
			cprintf("Destroyed the only environment - nothing more to do!\n");
		// Every page an env took should be back (blocked envs such as
		// the file server still hold theirs).
		cprintf("Free pages: %lu now, %lu after boot\n",
			(uint64_t) page_free_count(), (uint64_t) boot_free_pages);
		cprintf("No runnable environments in the system!\n");
		for (;;)
			monitor(NULL);
	}

	// A guest kernel's held-back output goes out before it idles.
	cons_flush();
	curenv = NULL;
	lcr3(boot_cr3);
#ifdef VMM_GUEST
	// A guest gets no interrupts (one CPU, no timer): it halts, the
	// monitor ends the HLT when typed input arrives for it (inc/vmx.h),
	// and it polls the console to find it.
	for (;;) {
		asm volatile("hlt");
		serial_intr();
		if (sched_runnable_hint())
			sched_yield();
	}
#endif
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
