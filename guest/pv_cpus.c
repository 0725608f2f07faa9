/*
 * The guest kernel's CPUs: the monitor gives a guest one CPU and no
 * local APIC, and there is no firmware whose tables could say more.
 * Linked in place of kern/acpi.c.
 */
#include <inc/x86.h>
#include <inc/stdio.h>

#include <kern/cpu.h>

/* Make this CPU cpus[0], the only one, with no local APIC to map. */
void
mp_init(void)
{
	uint32_t ebx;

	cpuid(1, NULL, &ebx, NULL, NULL);
	ncpu = 1;
	cpus[0].cpu_id = 0;
	cpus[0].cpu_apic_id = ebx >> 24;
	lapicaddr = 0;
	bootcpu = &cpus[0];
	bootcpu->cpu_status = CPU_STARTED;
	cprintf("SMP: guest: one CPU, no local APIC\n");
}
