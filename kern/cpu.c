/* Which CPU is this: the local APIC id, mapped to an index in cpus[]. */
#include <kern/cpu.h>

struct CpuInfo cpus[NCPU];
int ncpu = 1;
struct CpuInfo *bootcpu = &cpus[0];
physaddr_t lapicaddr;
volatile uint32_t *lapic;

#define LAPIC_ID	(0x0020 / 4)	// ID register, id in bits 24..31

int
cpunum(void)
{
	if (!lapic)
		return 0;
	uint8_t apic_id = lapic[LAPIC_ID] >> 24;
	for (int i = 0; i < ncpu; i++)
		if (cpus[i].cpu_apic_id == apic_id)
			return i;
	return 0;
}
