/*
 * The scheduling tick of a machine without a local APIC (the JOS guest
 * kernel, on the monitor's virtual PC): channel 0 of the 8254 PIT in
 * mode 2 at TICK_HZ, through IRQ 0 of the 8259A pair (kern/picirq.c,
 * whose master acknowledges by itself: auto-EOI).  kern/timer.c counts
 * every one of its interrupts as a tick.
 */
#include <inc/x86.h>
#include <inc/stdio.h>

#include <kern/lapic.h>
#include <kern/picirq.h>
#include <kern/timer.h>

#define PIT_CH0		0x40	// channel 0 counter
#define PIT_MODE	0x43	// mode/command register
#define PIT_CH0_RATE	0x34	// channel 0, low then high byte, mode 2, binary

/* Start the tick: call once, after pic_init, when there is no local APIC. */
void
pit_tick_start(void)
{
	uint32_t count = (PIT_HZ + TICK_HZ / 2) / TICK_HZ;

	outb(PIT_MODE, PIT_CH0_RATE);
	outb(PIT_CH0, count & 0xFF);
	outb(PIT_CH0, count >> 8);
	irq_enable(IRQ_TIMER);
	cprintf("PIT tick: %d Hz on IRQ 0 (no local APIC)\n", TICK_HZ);
}
