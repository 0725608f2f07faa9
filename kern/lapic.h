/* The local APIC (timer, IPIs, EOI) and the calibrated clock. */
#ifndef JOS_KERN_LAPIC_H
#define JOS_KERN_LAPIC_H

#include <inc/types.h>

void lapic_init(void);
void lapic_eoi(void);
void lapic_startap(uint8_t apicid, uint32_t addr);

void time_init(void);
unsigned time_msec(void);

#endif
