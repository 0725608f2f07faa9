/*
 * Nanoseconds and device clock cycles (vmm/io/clock.h).  Both split the
 * value in whole seconds and a remainder so that no product exceeds
 * 64 bits for hz below 18 GHz.
 */
#include <vmm/io/clock.h>

/* Cycles of an hz clock from time 0 to ns, rounded down. */
uint64_t
clock_ticks(uint64_t ns, uint64_t hz)
{
	return ns / NS_PER_S * hz + ns % NS_PER_S * hz / NS_PER_S;
}

/* The earliest time in ns at which clock_ticks(ns, hz) reaches ticks. */
uint64_t
clock_ns(uint64_t ticks, uint64_t hz)
{
	return ticks / hz * NS_PER_S + (ticks % hz * NS_PER_S + hz - 1) / hz;
}
