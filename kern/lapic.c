/*
 * The local APIC of each CPU: its one-shot timer drives preemption and
 * the timer queue (kern/timer.c sets it), it takes the end-of-interrupt, and it sends the inter-processor interrupts
 * that start the other CPUs.  Every CPU sees its own APIC at the same
 * physical address, so one mapping serves all of them.
 */
#include <inc/x86.h>
#include <inc/trap.h>
#include <inc/assert.h>

#include <kern/cpu.h>
#include <kern/pmap.h>
#include <kern/lapic.h>
#include <kern/timer.h>

// Registers, as indices into the uint32_t array lapic[].
#define ID	(0x0020 / 4)	// ID
#define VER	(0x0030 / 4)	// version; bits 16..23: the last LVT entry
#define TPR	(0x0080 / 4)	// task priority
#define EOI	(0x00B0 / 4)	// end of interrupt
#define SVR	(0x00F0 / 4)	// spurious interrupt vector
#define   SVR_ENABLE	0x00000100	// the APIC is on
#define IRR1	(0x0210 / 4)	// interrupt requests, vectors 32..63
#define ESR	(0x0280 / 4)	// error status
#define ICRLO	(0x0300 / 4)	// interrupt command, low half (writing it sends)
#define   ICR_FIXED	0x00000000
#define   ICR_INIT	0x00000500
#define   ICR_STARTUP	0x00000600
#define   ICR_BUSY	0x00001000	// delivery pending
#define   ICR_ASSERT	0x00004000
#define   ICR_LEVEL	0x00008000
#define   ICR_OTHERS	0x000C0000	// all CPUs but this one
#define ICRHI	(0x0310 / 4)	// interrupt command, high half: destination
#define TIMER	(0x0320 / 4)	// local vector table: timer
#define PCINT	(0x0340 / 4)	// local vector table: performance counters
#define LINT0	(0x0350 / 4)	// local vector table: LINT0 pin
#define LINT1	(0x0360 / 4)	// local vector table: LINT1 pin
#define   LVT_NMI	0x00000400
#define   LVT_EXTINT	0x00000700	// the 8259A's vector, as in virtual wire mode
#define   LVT_MASKED	0x00010000
#define ERROR	(0x0370 / 4)	// local vector table: APIC errors
#define TICR	(0x0380 / 4)	// timer initial count
#define TCCR	(0x0390 / 4)	// timer current count
#define TDCR	(0x03E0 / 4)	// timer divide configuration
#define   TDCR_DIV16	0x00000003

#define TIMER_HZ	100	// the calibration's unit: counts per 1/TIMER_HZ s

// Timer counts (after the divider) in 1/TIMER_HZ s; all CPUs share the
// bus clock, so the boot CPU measures it once for everyone.
static uint32_t timer_period;

static void
lapicw(int index, uint32_t value)
{
	lapic[index] = value;
	(void) lapic[ID];	// a read waits for the write to finish
}

/*
 * Stop (quiet) or restart this CPU's timer.  The monitor stops it while
 * a guest runs on this CPU: the VMX-preemption timer ends the guest's
 * slice instead, and a host tick would only cost the guest a VM exit.
 * A zero initial count stops the timer without a tick left pending (a
 * masked timer may keep one, which would preempt whoever runs next at
 * once: Bochs does); the restart begins a whole tick period.
 */
void
lapic_timer_quiet(bool quiet)
{
	if (!lapic)
		return;
	if (quiet)
		lapicw(TICR, 0);
	else
		timer_restart_tick();
}

/*
 * This CPU's timer interrupts once, tsc_delta TSC ticks from now (at
 * once for 0), and then stays silent until set again.
 */
void
lapic_timer_oneshot(uint64_t tsc_delta)
{
	uint64_t tsc_per_period = time_tsc_hz() / TIMER_HZ, count;

	if (!lapic)
		return;
	if (!tsc_per_period)
		tsc_per_period = 1;
	// A deadline beyond 4 periods needs no precision: the tick comes first.
	tsc_delta = MIN(tsc_delta, 4 * tsc_per_period);
	count = tsc_delta * timer_period / tsc_per_period;
	lapicw(TICR, MAX(count, 1UL));
}

/*
 * Whether an interrupt of vector 32..63 (the timer's among them) waits
 * in this CPU's APIC for RFLAGS.IF to let it in: for a monitor whose
 * CPU may fail to exit for one (vmm/amd/run.c).
 */
bool
lapic_irq_waiting(void)
{
	return lapic && lapic[IRR1] != 0;
}

/* Wait, at most a second, for the last interrupt command to go out. */
static void
icr_wait(void)
{
	for (int i = 0; i < 100000 && (lapic[ICRLO] & ICR_BUSY); i++)
		microdelay(10);
	if (lapic[ICRLO] & ICR_BUSY)
		warn("lapic: an interprocessor interrupt is stuck");
}

/* Send the interrupt command low to the CPU with APIC id apicid. */
static void
icr_send(uint8_t apicid, uint32_t low)
{
	lapicw(ICRHI, (uint32_t) apicid << 24);
	lapicw(ICRLO, low);
	icr_wait();
}

/* The timer's elapsed count since it was loaded with ~0 (it counts down). */
static uint64_t
timer_elapsed(void)
{
	return 0xFFFFFFFF - lapic[TCCR];
}

/* Measure the timer's rate against the PIT and set timer_period. */
static void
timer_calibrate(void)
{
	lapicw(TIMER, LVT_MASKED);		// one-shot, silent
	lapicw(TICR, 0xFFFFFFFF);
	uint64_t hz = pit_measure_rate(timer_elapsed);
	lapicw(TICR, 0);
	if (hz == 0) {
		hz = 1000000000 / 16;
		warn("lapic: the PIT does not count; assuming a 1 GHz bus");
	}
	timer_period = MAX(hz / TIMER_HZ, 1UL);
	cprintf("LAPIC timer: %lu kHz bus, %u counts per %d ms\n",
		hz * 16 / 1000, timer_period, 1000 / TIMER_HZ);
}

/*
 * Set up this CPU's local APIC: enabled, the one-shot timer on
 * IRQ_OFFSET+IRQ_TIMER set for the first tick (kern/timer.c), errors on IRQ_OFFSET+IRQ_ERROR, no
 * interrupt pending, every priority accepted.  On the boot CPU LINT0
 * passes the 8259A's interrupts through; elsewhere LINT0 and LINT1 are
 * masked.  The first call maps the APIC and calibrates the timer.
 * Does nothing if the machine has no local APIC (lapicaddr 0).
 */
void
lapic_init(void)
{
	if (!lapicaddr)
		return;
	if (!lapic)
		lapic = mmio_map_region(lapicaddr, PGSIZE);

	lapicw(SVR, SVR_ENABLE | (IRQ_OFFSET + IRQ_SPURIOUS));

	lapicw(TDCR, TDCR_DIV16);
	if (!timer_period)
		timer_calibrate();
	lapicw(TIMER, IRQ_OFFSET + IRQ_TIMER);		// one-shot
	timer_restart_tick();

	if (thiscpu == bootcpu) {
		lapicw(LINT0, LVT_EXTINT);
		lapicw(LINT1, LVT_NMI);
	} else {
		lapicw(LINT0, LVT_MASKED);
		lapicw(LINT1, LVT_MASKED);
	}
	if (((lapic[VER] >> 16) & 0xFF) >= 4)	// the entry exists
		lapicw(PCINT, LVT_MASKED);
	lapicw(ERROR, IRQ_OFFSET + IRQ_ERROR);

	lapicw(ESR, 0);		// clear errors (it takes two writes)
	lapicw(ESR, 0);
	lapicw(EOI, 0);		// forget any interrupt in service
	lapicw(TPR, 0);
}

/* Tell this CPU's APIC that the interrupt being handled is done. */
void
lapic_eoi(void)
{
	if (lapic)
		lapicw(EOI, 0);
}

/*
 * Start the CPU with APIC id apicid at physical address addr (page
 * aligned, below 1 MiB), where it begins in real mode with CS = addr/16
 * and IP = 0.  The universal start-up sequence of the Intel MP
 * specification: INIT, 10 ms, STARTUP, 200 us, STARTUP, 200 us.
 */
void
lapic_startap(uint8_t apicid, uint32_t addr)
{
	assert(addr % PGSIZE == 0 && addr < 0x100000);

	// INIT, asserted then deasserted (only the 82489DX needs the
	// second; later APICs ignore it).
	icr_send(apicid, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	microdelay(200);
	icr_send(apicid, ICR_INIT | ICR_LEVEL);
	microdelay(10000);

	// Two STARTUPs: a CPU that took the first ignores the second.
	for (int i = 0; i < 2; i++) {
		icr_send(apicid, ICR_STARTUP | (addr >> 12));
		microdelay(200);
	}
}

/* Send interrupt vector to the CPU cpus[cpu] (not this one). */
void
lapic_ipi_cpu(int cpu, int vector)
{
	if (!lapic || cpu < 0 || cpu >= ncpu)
		return;
	icr_send(cpus[cpu].cpu_apic_id, ICR_FIXED | vector);
}

/* Send interrupt vector to every CPU but this one. */
void
lapic_ipi_all_others(int vector)
{
	if (!lapic)
		return;
	lapicw(ICRHI, 0);
	lapicw(ICRLO, ICR_OTHERS | ICR_FIXED | vector);
	icr_wait();
}
