/*
 * The TSC's rate in the guest kernel.  The PIT belongs to the host, and
 * the guest reads the host's TSC: the monitor tells the rate it measured
 * (HC_TSC_HZ).  Linked in place of kern/tsc_pit.c.
 */
#include <inc/stdio.h>
#include <inc/vmm/hypercall.h>

#include <kern/lapic.h>

/* The host's TSC rate; a monitor without that hypercall leaves 1 GHz. */
uint64_t
tsc_calibrate(void)
{
	int64_t rax = hypercall0(HC_TSC_HZ);

	if (rax <= 0) {
		cprintf("TSC: not calibrated in a guest; taking 1000.000 MHz\n");
		return 1000000000;
	}
	uint64_t hz = rax;
	cprintf("TSC: %lu.%03lu MHz (the host's)\n", hz / 1000000, hz / 1000 % 1000);
	return hz;
}
