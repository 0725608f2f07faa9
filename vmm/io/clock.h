/*
 * Conversions between a time in nanoseconds (the clock the core passes
 * to the device models) and counts of a device's input clock of hz
 * cycles per second, exact and without overflow for any uptime.
 */
#ifndef JOS_VMM_IO_CLOCK_H
#define JOS_VMM_IO_CLOCK_H

#include <inc/types.h>

#define NS_PER_S	1000000000ULL

uint64_t	clock_ticks(uint64_t ns, uint64_t hz);
uint64_t	clock_ns(uint64_t ticks, uint64_t hz);

#endif
