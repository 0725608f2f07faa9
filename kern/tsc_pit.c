/* The TSC's rate on a PC, measured against the 8254 PIT (kern/time.c). */
#include <inc/x86.h>
#include <inc/stdio.h>
#include <inc/assert.h>

#include <kern/lapic.h>

/* Measure the TSC's rate; a PC without a counting PIT gets 1 GHz, with a warning. */
uint64_t
tsc_calibrate(void)
{
	uint64_t hz = pit_measure_rate(read_tsc);

	if (hz == 0) {
		warn("time_init: the PIT does not count; assuming a 1 GHz TSC");
		return 1000000000;
	}
	cprintf("TSC: %lu.%03lu MHz\n", hz / 1000000, hz / 1000 % 1000);
	return hz;
}
