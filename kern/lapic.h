/* The local APIC (timer, IPIs, EOI) and the calibrated clock. */
#ifndef JOS_KERN_LAPIC_H
#define JOS_KERN_LAPIC_H

#include <inc/types.h>

void lapic_init(void);
void lapic_eoi(void);
void lapic_timer_quiet(bool quiet);
bool lapic_irq_waiting(void);
void lapic_timer_oneshot(uint64_t tsc_delta);
void lapic_startap(uint8_t apicid, uint32_t addr);
void lapic_ipi_cpu(int cpu, int vector);
void lapic_ipi_all_others(int vector);

// The clock (kern/time.c): the TSC, calibrated against the 8254 PIT.
#define PIT_HZ	1193182		// the PIT's input clock

void time_init(void);
unsigned time_msec(void);
uint64_t time_tsc_hz(void);
void microdelay(unsigned us);
uint64_t pit_measure_rate(uint64_t (*counter)(void));
// The TSC's rate in Hz, never 0, said on the console: measured against
// the PIT on a PC (kern/tsc_pit.c), the host's in a guest (guest/pv_time.c).
uint64_t tsc_calibrate(void);

#endif
