/*
 * The clock: the time-stamp counter, calibrated once at boot against
 * channel 2 of the 8254 PIT, whose input runs at PIT_HZ on every PC and
 * every emulator.  (Under Bochs the TSC counts instructions and the PIT
 * follows emulated time; calibrating keeps both agreeing with the PIT.)
 * Every CPU reads the same TSC rate; emulators start all TSCs together.
 * (A guest kernel takes the host's rate instead: guest/pv_time.c.)
 */
#include <inc/x86.h>
#include <inc/assert.h>

#include <kern/lapic.h>

#define PIT_CH2		0x42	// channel 2 counter
#define PIT_MODE	0x43	// mode/command register
#define PIT_CH2_ONESHOT	0xB0	// channel 2, low then high byte, mode 0, binary
#define PORT_B		0x61	// system control port B
#define PORT_B_GATE2	0x01	// channel 2 counts while set
#define PORT_B_SPEAKER	0x02	// channel 2 drives the speaker while set
#define PORT_B_OUT2	0x20	// channel 2 output (read only)

#define CALIBRATE_USEC	25000	// length of one measurement
#define CALIBRATE_RUNS	3	// measurements; the median counts
#define PIT_POLL_LIMIT	20000000	// reads of port B before giving up on the PIT

static uint64_t tsc_hz;		// TSC ticks per second, 0 until time_init
static uint64_t tsc_at_boot;	// TSC when time_init ran

/*
 * Run channel 2 once for count PIT ticks and return how far counter()
 * advanced meanwhile; false if the output never rose (no PIT).
 */
static bool
pit_run(uint16_t count, uint64_t (*counter)(void), uint64_t *advance)
{
	uint8_t b = inb(PORT_B);
	uint64_t start;

	// Gate on and speaker off first: some emulated PITs start counting
	// when the count is written, whatever the gate.  Mode 0 drops the
	// output; it rises when the count reaches zero.
	outb(PORT_B, (b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE, PIT_CH2_ONESHOT);
	outb(PIT_CH2, count & 0xFF);
	outb(PIT_CH2, count >> 8);
	start = counter();
	for (long n = 0; !(inb(PORT_B) & PORT_B_OUT2); n++)
		if (n == PIT_POLL_LIMIT)
			return false;
	*advance = counter() - start;
	outb(PORT_B, b & ~(PORT_B_SPEAKER | PORT_B_GATE2));
	return true;
}

/*
 * How many times per second counter() advances, measured against the
 * PIT (the median of a few short runs).  counter must count up.
 * Returns 0 if the PIT does not count.
 */
uint64_t
pit_measure_rate(uint64_t (*counter)(void))
{
	uint16_t count = (uint64_t) PIT_HZ * CALIBRATE_USEC / 1000000;
	uint64_t rate[CALIBRATE_RUNS], advance;

	for (int i = 0; i < CALIBRATE_RUNS; i++) {
		if (!pit_run(count, counter, &advance))
			return 0;
		rate[i] = advance * PIT_HZ / count;
		// Insertion sort, for the median.
		for (int j = i; j > 0 && rate[j] < rate[j - 1]; j--) {
			uint64_t t = rate[j];
			rate[j] = rate[j - 1];
			rate[j - 1] = t;
		}
	}
	return rate[CALIBRATE_RUNS / 2];
}

/*
 * Calibrate the TSC; call once, on the boot CPU, before time_msec or
 * microdelay mean anything.  Where the rate comes from is the twin's
 * business: the PIT on a PC (kern/tsc_pit.c), the monitor in a guest
 * kernel (guest/pv_time.c).
 */
void
time_init(void)
{
	tsc_hz = tsc_calibrate();
	tsc_at_boot = read_tsc();
}

/* TSC ticks per second as time_init found them (0 before it). */
uint64_t
time_tsc_hz(void)
{
	return tsc_hz;
}

/* Milliseconds since time_init (0 before it). */
unsigned
time_msec(void)
{
	uint64_t t = read_tsc() - tsc_at_boot;

	if (tsc_hz == 0 || (int64_t) t < 0)
		return 0;
	// Split the division so that t * 1000 cannot overflow.
	return t / tsc_hz * 1000 + t % tsc_hz * 1000 / tsc_hz;
}

/*
 * Busy-wait at least us microseconds.  Before time_init it runs the PIT
 * directly, which is slower to set up but needs no calibration.
 */
void
microdelay(unsigned us)
{
	if (tsc_hz) {
		uint64_t start = read_tsc();
		uint64_t ticks = (uint64_t) us * tsc_hz / 1000000;
		while (read_tsc() - start < ticks)
			pause();
		return;
	}
	while (us > 0) {
		unsigned step = MIN(us, 50000U);	// the counter holds 16 bits
		uint64_t count = (uint64_t) PIT_HZ * step / 1000000 + 1, advance;
		if (!pit_run(count, read_tsc, &advance))
			return;
		us -= step;
	}
}
