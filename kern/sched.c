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

/*
 * Pick the next runnable env after the current one, round robin, and
 * run it; keep the current one if nothing else can run; else idle.
 */
void
sched_yield(void)
{
	int n = env_scan_count();
	int start = curenv ? env_scan_pos(curenv) + 1 : 0;

	// A guest's state kept loaded on this CPU stays, unless another
	// CPU asked for it (kern/vmmapi.c).
	guest_cpu_release();

	sched_poll_input();

	// The next runnable env after the current one, wrapping around.
	// Only slots that ever held an env are scanned: with few envs this
	// keeps the time under the kernel lock short on slow emulators.
	for (int i = 0; i < n; i++) {
		struct Env *e = env_scan((start + i) % n);
		if (e->env_status == ENV_RUNNABLE && guest_may_run_here(e))
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
 * monitor.  Otherwise idle until something can run: sched_idle, whose
 * twins are kern/sched_idle.c (a PC) and guest/pv_sched.c.
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
	sched_idle();
}
