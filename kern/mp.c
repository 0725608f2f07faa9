/*
 * Starting the application processors (APs): the boot CPU starts them
 * one at a time; each comes up through mpentry.S into mp_main and joins
 * the scheduler.
 */
#include <inc/x86.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/cpu.h>
#include <kern/pmap.h>
#include <kern/lapic.h>
#include <kern/spinlock.h>
#include <kern/sched.h>
#include <kern/trap.h>

#define AP_START_MSEC	2000	// how long an AP may take to report in

// The AP entry code (kern/mpentry.S), copied to MPENTRY_PADDR.
extern unsigned char mpentry_start[], mpentry_end[];

// The stack top each AP takes in mpentry.S, by local APIC id; 0 for
// CPUs that are not expected.
uintptr_t mpentry_kstacks[256];

/*
 * Start every CPU that mp_init found besides this (the boot) one and
 * wait until each reports CPU_STARTED; a CPU that does not within
 * AP_START_MSEC is reported and left behind.  The caller holds the
 * kernel lock, so the APs wait in mp_main until it lets them go.
 */
void
boot_aps(void)
{
	if (!lapic) {
		if (ncpu > 1)
			warn("boot_aps: no local APIC; not starting the other CPUs");
		return;
	}

	memmove(KADDR(MPENTRY_PADDR), mpentry_start, mpentry_end - mpentry_start);

	for (struct CpuInfo *c = cpus; c < cpus + ncpu; c++) {
		if (c == bootcpu)
			continue;
		int i = c - cpus;
		mpentry_kstacks[c->cpu_apic_id] = KSTACKTOP - i * (KSTKSIZE + KSTKGAP);
		lapic_startap(c->cpu_apic_id, MPENTRY_PADDR);

		unsigned start = time_msec();
		while (c->cpu_status != CPU_STARTED
		       && time_msec() - start < AP_START_MSEC)
			pause();
		if (c->cpu_status != CPU_STARTED)
			warn("boot_aps: CPU %d (APIC id %d) did not start within %d ms",
			     i, c->cpu_apic_id, AP_START_MSEC);
	}
}

/*
 * An AP's first C code, on its own kernel stack with the kernel's page
 * table loaded (mpentry.S did both) and interrupts off.
 */
void
mp_main(void)
{
	cprintf("SMP: CPU %d starting\n", cpunum());

	lapic_init();
	percpu_init();
	xchg(&thiscpu->cpu_status, CPU_STARTED);	// boot_aps may go on

	// Wait for the kernel lock, then run envs like every CPU.
	lock_kernel();
	sched_yield();
}
