/*
 * Host-side tests of the virtual 8254 and port 0x61 (vmm/io/i8254.c)
 * against what the Intel 8254 data sheet says.
 */
#include <inc/error.h>
#include <vmm/io/clock.h>
#include <vmm/io/i8254.h>
#include <vmm/test/hosttest.h>

#define SEC	NS_PER_S

static uint64_t now;	// the simulated time, ns

static void
out(struct pit *p, uint16_t port, uint32_t v)
{
	CHECK(pit_io(p, now, port, 1, true, &v) == 0);
}

static uint32_t
in(struct pit *p, uint16_t port)
{
	uint32_t v = 0xDEAD;

	CHECK(pit_io(p, now, port, 1, false, &v) == 0);
	return v;
}

/* Both bytes of channel ch's count, low first. */
static uint32_t
in16(struct pit *p, int ch)
{
	uint32_t lo = in(p, 0x40 + ch);

	return lo | in(p, 0x40 + ch) << 8;
}

static void
out16(struct pit *p, int ch, uint32_t v)
{
	out(p, 0x40 + ch, v & 0xFF);
	out(p, 0x40 + ch, v >> 8);
}

/* The read-back status byte of channel ch. */
static uint32_t
status(struct pit *p, int ch)
{
	out(p, 0x43, 0xE0 | 2 << ch);
	return in(p, 0x40 + ch);
}

/* Set the time to tick t (as a time in ns that maps to exactly t). */
static void
at_tick(uint64_t t)
{
	now = clock_ns(t, PIT_HZ);
	CHECK(clock_ticks(now, PIT_HZ) == t);
	CHECK(now == 0 || clock_ticks(now - 1, PIT_HZ) == t - 1);
}

/* ns <-> ticks conversions: exact, monotonic, no overflow at large times. */
static void
test_clock(void)
{
	CHECK(clock_ticks(SEC, PIT_HZ) == PIT_HZ);
	CHECK(clock_ticks(SEC - 1, PIT_HZ) == PIT_HZ - 1);
	CHECK(clock_ticks(3600 * SEC, PIT_HZ) == 3600ULL * PIT_HZ);
	CHECK(clock_ns(PIT_HZ, PIT_HZ) == SEC);
	CHECK(clock_ns(1, PIT_HZ) == 839);	// 838.1 ns per clock, rounded up
	CHECK(clock_ticks(838, PIT_HZ) == 0 && clock_ticks(839, PIT_HZ) == 1);
	// A year of uptime: still exact.
	CHECK(clock_ticks(365ULL * 86400 * SEC, PIT_HZ) == 365ULL * 86400 * PIT_HZ);
}

/* Mode 2, divisor 1193: 1000 IRQ 0 edges per simulated second. */
static void
test_rate(void)
{
	struct pit p;
	uint64_t n = 0, next;

	now = 0;
	pit_init(&p, now);
	out(&p, 0x43, 0x34);
	out16(&p, 0, 1193);
	CHECK(pit_advance(&p, 0) == 0);
	next = pit_next_irq0_ns(&p);
	CHECK(next == clock_ns(1193, PIT_HZ));
	CHECK(pit_advance(&p, next - 1) == 0);
	CHECK(pit_advance(&p, next) == 1);
	CHECK(pit_next_irq0_ns(&p) == clock_ns(2 * 1193, PIT_HZ));
	CHECK(pit_advance(&p, SEC) == 999);
	// In steps of 1 ms and of 137 us: the same total, 10 s = 10001 edges.
	for (now = SEC; now < 5 * SEC; now += 1000000)
		n += pit_advance(&p, now);
	for (; now < 10 * SEC; now += 137000)
		n += pit_advance(&p, now);
	n += pit_advance(&p, 10 * SEC);
	CHECK(n == 10001 - 1000);
	// Counting down: 1193, then one less each clock, reloading.
	at_tick((clock_ticks(10 * SEC, PIT_HZ) / 1193 + 1) * 1193 + 100);
	CHECK(in16(&p, 0) == 1193 - 100);
	// OUT low for the one clock at count 1.
	at_tick(clock_ticks(now, PIT_HZ) + 1092);
	CHECK(in16(&p, 0) == 1);
	CHECK((status(&p, 0) & 0x80) == 0);
	at_tick(clock_ticks(now, PIT_HZ) + 1);
	CHECK(in16(&p, 0) == 1193);
	CHECK((status(&p, 0) & 0x80) != 0);
	// Two periods ended since 10 s, seen by the port reads meanwhile;
	// time going backwards changes nothing.
	CHECK(pit_advance(&p, 0) == 2);
	CHECK(pit_advance(&p, now) == 0);
}

/* The BIOS state: mode 3, count 65536, 18.2 Hz. */
static void
test_bios(void)
{
	struct pit p;

	now = 5 * SEC;
	pit_init(&p, now);
	CHECK(pit_advance(&p, 6 * SEC) == 18);
	CHECK(pit_advance(&p, 16 * SEC) == 182);
	CHECK(status(&p, 0) == (0x30 | 3 << 1 | (status(&p, 0) & 0x80)));
}

/* Mode 0: one edge at terminal count, counting on through zero. */
static void
test_mode0(void)
{
	struct pit p;
	uint64_t t;

	now = 0;
	pit_init(&p, now);
	out(&p, 0x43, 0x30);
	CHECK(status(&p, 0) == 0x70);	// OUT low, null count, both bytes, mode 0
	out16(&p, 0, 100);
	CHECK(status(&p, 0) == 0x30);
	CHECK(pit_next_irq0_ns(&p) == clock_ns(100, PIT_HZ));
	at_tick(99);
	CHECK(pit_advance(&p, now) == 0);
	CHECK(in16(&p, 0) == 1);
	at_tick(100);
	CHECK(pit_advance(&p, now) == 1);
	CHECK(status(&p, 0) == 0xB0);
	CHECK(pit_next_irq0_ns(&p) == PIT_NEVER);
	at_tick(101);
	CHECK(in16(&p, 0) == 0xFFFF);	// wrapped, OUT stays high
	CHECK(pit_advance(&p, 100 * SEC) == 0);
	// A new count: OUT low again, one more edge; the first byte
	// of two stops the count.
	t = clock_ticks(100 * SEC, PIT_HZ);
	at_tick(t + 1000);
	out(&p, 0x40, 50);
	at_tick(t + 1100);
	CHECK(pit_advance(&p, now) == 0);
	out(&p, 0x40, 0);
	CHECK((status(&p, 0) & 0x80) == 0);
	at_tick(t + 1149);
	CHECK(pit_advance(&p, now) == 0);
	at_tick(t + 1150);
	CHECK(pit_advance(&p, now) == 1);
}

/* Counter latch: the value freezes while counting goes on. */
static void
test_latch(void)
{
	struct pit p;

	now = 0;
	pit_init(&p, now);
	out(&p, 0x43, 0x34);
	out16(&p, 0, 50000);
	at_tick(1234);
	out(&p, 0x43, 0x00);		// latch channel 0
	at_tick(5000);
	out(&p, 0x43, 0x00);		// a second latch before the read: ignored
	CHECK(in16(&p, 0) == 50000 - 1234);
	CHECK(in16(&p, 0) == 50000 - 5000);	// released: live again
	CHECK(pit_advance(&p, now) == 0);
	// Low byte only, high byte only.
	out(&p, 0x43, 0x94);		// channel 2, low byte, mode 2
	out(&p, 0x42, 0x80);
	out(&p, 0x61, 0x01);		// gate 2 high
	at_tick(5016);
	CHECK(in(&p, 0x42) == 0x80 - 16);
	CHECK(in(&p, 0x42) == 0x80 - 16);
	out(&p, 0x43, 0xA4);		// channel 2, high byte, mode 2
	out(&p, 0x42, 0x02);		// 0x200
	at_tick(5016 + 0x101);
	CHECK(in(&p, 0x42) == 0x00);
	out(&p, 0x43, 0x80);
	at_tick(5016 + 0x180);
	CHECK(in(&p, 0x42) == 0x00);	// latched 0x00FF: high byte 0
	CHECK(in(&p, 0x42) == 0x00);	// 0x0080: high byte 0
}

/* Read-back: status and count, several channels at once. */
static void
test_read_back(void)
{
	struct pit p;

	now = 0;
	pit_init(&p, now);
	out(&p, 0x43, 0x34);
	CHECK(status(&p, 0) == 0xF4);	// OUT high, null count, both, mode 2
	out16(&p, 0, 1000);
	CHECK(status(&p, 0) == 0xB4);
	out(&p, 0x43, 0xB6);		// channel 2: both bytes, mode 3
	out16(&p, 2, 300);
	at_tick(10);
	out(&p, 0x43, 0xCA);		// latch count and status of 0 and 2
	at_tick(20);
	CHECK(in(&p, 0x40) == 0xB4);	// status first
	CHECK(in16(&p, 0) == 990);
	CHECK(in(&p, 0x42) == 0xB6);	// loaded, though the gate is low
	CHECK(in16(&p, 2) == 300);
	out(&p, 0x43, 0xD2);		// count only, channel 0
	out(&p, 0x43, 0xE2);		// status only: latched after the count
	at_tick(30);
	CHECK(in(&p, 0x40) == 0xB4);
	CHECK(in16(&p, 0) == 980);
	CHECK(in16(&p, 0) == 970);
	out(&p, 0x43, 0xE2);
	out(&p, 0x43, 0xE2 & ~0x20);	// status stays the first latched
	CHECK(in(&p, 0x40) == 0xB4);
	CHECK(in16(&p, 0) == 970);
	// A count written in mode 2 waits for the end of the period.
	out16(&p, 0, 100);
	CHECK(status(&p, 0) == 0xF4);
	at_tick(999);
	CHECK(pit_advance(&p, now) == 0);
	at_tick(1000);
	CHECK(pit_advance(&p, now) == 1);
	CHECK(status(&p, 0) == 0xB4);
	at_tick(1100);
	CHECK(pit_advance(&p, now) == 1);
	CHECK(pit_next_irq0_ns(&p) == clock_ns(1200, PIT_HZ));
}

/* Mode 3 square wave, mode 4 strobe, BCD counting. */
static void
test_modes(void)
{
	struct pit p;

	now = 0;
	pit_init(&p, now);
	out(&p, 0x43, 0x36);
	out16(&p, 0, 10);
	at_tick(4);
	CHECK((status(&p, 0) & 0x80) != 0 && in16(&p, 0) == 2);
	at_tick(5);
	CHECK((status(&p, 0) & 0x80) == 0 && in16(&p, 0) == 10);
	at_tick(10);
	CHECK((status(&p, 0) & 0x80) != 0 && pit_advance(&p, now) == 1);
	CHECK(pit_advance(&p, clock_ns(1000, PIT_HZ)) == 99);
	// Odd count 7: high for 4 clocks, low for 3.
	out(&p, 0x43, 0x36);
	out16(&p, 0, 7);
	at_tick(1003);
	CHECK((status(&p, 0) & 0x80) != 0);
	at_tick(1004);
	CHECK((status(&p, 0) & 0x80) == 0);
	at_tick(1007);
	CHECK((status(&p, 0) & 0x80) != 0);
	CHECK(pit_advance(&p, now) == 1);
	// Mode 4: OUT low for the one clock after terminal count.
	out(&p, 0x43, 0x38);
	CHECK((status(&p, 0) & 0x80) != 0);
	out16(&p, 0, 20);
	at_tick(1027);
	CHECK((status(&p, 0) & 0x80) == 0 && pit_advance(&p, now) == 0);
	at_tick(1028);
	CHECK((status(&p, 0) & 0x80) != 0 && pit_advance(&p, now) == 1);
	CHECK(pit_next_irq0_ns(&p) == PIT_NEVER);
	// BCD: count 0x0100 is a hundred clocks, read back in BCD.
	out(&p, 0x43, 0x31);
	out16(&p, 0, 0x0100);
	at_tick(1028 + 1);
	CHECK(in16(&p, 0) == 0x0099);
	at_tick(1028 + 100);
	CHECK(pit_advance(&p, now) == 1);
	at_tick(1028 + 101);
	CHECK(in16(&p, 0) == 0x9999);	// BCD wraps at 10000
	// Count 0 in BCD is 10000; 0 in binary, 65536.
	out(&p, 0x43, 0x35);
	out16(&p, 0, 0);
	at_tick(1129 + 9999);
	CHECK(pit_advance(&p, now) == 0);
	at_tick(1129 + 10000);
	CHECK(pit_advance(&p, now) == 1);
	out(&p, 0x43, 0x34);
	out16(&p, 0, 0);
	CHECK(pit_next_irq0_ns(&p) == clock_ns(11129 + 65536, PIT_HZ));
	// Count 1 is refused in mode 2: it acts as 2.
	out(&p, 0x43, 0x34);
	out16(&p, 0, 1);
	CHECK(pit_next_irq0_ns(&p) == clock_ns(11129 + 2, PIT_HZ));
}

/* Port 0x61: channel 2 gate and output, speaker bit, refresh toggle. */
static void
test_port_b(void)
{
	struct pit p;
	uint32_t v;
	bool seen[2] = { false, false };

	now = 0;
	pit_init(&p, now);
	CHECK((in(&p, 0x61) & 0x23) == 0x20);	// gate low, OUT2 high (mode 3)
	out(&p, 0x43, 0xB0);		// channel 2, mode 0
	out16(&p, 2, 1000);
	CHECK((in(&p, 0x61) & 0x20) == 0);
	at_tick(2000);
	CHECK((in(&p, 0x61) & 0x20) == 0);	// gate low: not counting
	CHECK(in16(&p, 2) == 1000);
	out(&p, 0x61, 0x03);
	CHECK((in(&p, 0x61) & 0x0F) == 0x03);
	at_tick(2999);
	CHECK((in(&p, 0x61) & 0x20) == 0);
	at_tick(3000);
	CHECK((in(&p, 0x61) & 0x20) != 0);
	// Gate low pauses mode 0 counting; high resumes it.
	out(&p, 0x43, 0xB0);
	out16(&p, 2, 100);
	at_tick(3050);
	out(&p, 0x61, 0x02);
	at_tick(9000);
	CHECK(in16(&p, 2) == 50);
	out(&p, 0x61, 0x01);
	at_tick(9049);
	CHECK((in(&p, 0x61) & 0x20) == 0);
	at_tick(9050);
	CHECK((in(&p, 0x61) & 0x20) != 0);
	// Mode 1: the gate's rising edge triggers the one-shot.
	out(&p, 0x43, 0xB2);
	out16(&p, 2, 10);
	at_tick(9100);
	CHECK((in(&p, 0x61) & 0x20) != 0 && in16(&p, 2) == 10);
	out(&p, 0x61, 0x00);
	out(&p, 0x61, 0x01);
	CHECK((in(&p, 0x61) & 0x20) == 0);
	at_tick(9110);
	CHECK((in(&p, 0x61) & 0x20) != 0);
	// Bits 6 and 7 read 0; bit 4 toggles with time.
	for (uint64_t end = now + 100000; now < end; now += 1000) {
		v = in(&p, 0x61);
		CHECK((v & 0xC0) == 0);
		seen[(v >> 4) & 1] = true;
	}
	CHECK(seen[0] && seen[1]);
	// Ports and widths.
	v = 0x55;
	CHECK(pit_io(&p, now, 0x44, 1, true, &v) == -E_INVAL);
	CHECK(pit_io(&p, now, 0x3F, 1, false, &v) == -E_INVAL && v == 0x55);
	CHECK(pit_io(&p, now, 0x43, 8, true, &v) == -E_INVAL);
	CHECK(pit_io(&p, now, 0x43, 1, false, &v) == 0 && v == 0xFF);
}

/*
 * The run loop's contract, n times from now: the next edge is after
 * now (or never), and advancing to it makes at least one edge.
 * Returns the time that took.
 */
static uint64_t
next_edges(struct pit *p, int n)
{
	uint64_t t0 = now, next;

	for (int i = 0; i < n; i++) {
		next = pit_next_irq0_ns(p);
		CHECK(next == PIT_NEVER || next > now);
		if (next == PIT_NEVER || next <= now)
			break;
		now = next;
		CHECK(pit_advance(p, now) >= 1);
	}
	return now - t0;
}

/* Channel 0 gets control word cw and count, at now. */
static void
set_ch0(struct pit *p, uint32_t cw, uint32_t count)
{
	out(p, 0x43, cw);
	out16(p, 0, count);
	pit_advance(p, now);
}

/*
 * A running 100 Hz tick reprogrammed, as guests do: to 1 kHz with a
 * new control word, to count 2 with a count alone (mode 2 takes it at
 * the end of the period), at a time far from 0 (a host up for hours).
 */
static void
test_reprogram(void)
{
	struct pit p;
	uint64_t n = 0, t0;

	now = 3600 * SEC + 12345;
	pit_init(&p, now);
	set_ch0(&p, 0x34, 11932);
	CHECK(next_edges(&p, 50) < SEC / 2 + SEC / 100);
	// 1 kHz: a new control word, then the count.
	now += 3 * SEC / 1000 + 777;
	pit_advance(&p, now);
	set_ch0(&p, 0x34, 1193);
	CHECK(next_edges(&p, 1000) <= SEC + SEC / 1000);
	// Steps of 37 us across one second: about 1000 edges.
	for (t0 = now; now < t0 + SEC; now += 37000)
		n += pit_advance(&p, now);
	CHECK(n >= 999 && n <= 1001);
	// Count 2 alone, mode 2: the period in progress ends, then 2 clocks.
	now += 500 * 1000;
	out16(&p, 0, 2);
	next_edges(&p, 100);
	n = pit_advance(&p, now + SEC / 1000);
	CHECK(n >= 596 && n <= 597);
	now += SEC / 1000;
	// Count 1 with a control word (acts as 2), then back to 100 Hz.
	set_ch0(&p, 0x34, 1);
	CHECK(next_edges(&p, 100) <= 200 * clock_ns(1, PIT_HZ));
	set_ch0(&p, 0x34, 11932);
	CHECK(next_edges(&p, 100) <= SEC + SEC / 100);
	// Mode 3 at 1 kHz written over mode 2: edges at the new rate.
	set_ch0(&p, 0x36, 1193);
	CHECK(next_edges(&p, 100) <= SEC / 10 + SEC / 1000);
}

/*
 * What an unmodified Linux does with the PIT at boot: channel 0 in
 * mode 2 at HZ=250 (count 4773), the TSC calibrated on channel 2 in
 * mode 0 with its gate on port 0x61 (the counter's high byte read as
 * it falls, OUT2 polled until the count ends), then channel 0 as a
 * one-shot clock event (mode 4) and shut down (mode 0, count 0).
 */
static void
test_linux_boot(void)
{
	struct pit p;
	uint64_t t, t0, n = 0;
	uint32_t b, msb, prev;

	now = 2 * SEC;
	pit_init(&p, now);
	out(&p, 0x43, 0x34);
	out16(&p, 0, 4773);
	pit_advance(&p, now);
	for (t0 = now; now < t0 + SEC; now += 1000000)
		n += pit_advance(&p, now);
	CHECK(n >= 249 && n <= 251);
	// Calibration: gate 2 on, the speaker off, mode 0 from 0xFFFF.
	b = in(&p, 0x61);
	out(&p, 0x61, (b & ~0x02) | 0x01);
	out(&p, 0x43, 0xB0);
	out(&p, 0x42, 0xFF);
	out(&p, 0x42, 0xFF);
	t = clock_ticks(now, PIT_HZ);
	prev = 0xFF;
	for (int i = 1; i <= 200; i++) {
		at_tick(t + 256 * i);
		(void) in(&p, 0x42);		// low byte first
		msb = in(&p, 0x42);
		CHECK(msb == 0xFF - i);
		CHECK(msb < prev);
		prev = msb;
		CHECK((in(&p, 0x61) & 0x20) == 0);	// OUT2 low while counting
	}
	// pit_calibrate_tsc's way: a 50 ms count, OUT2 polled until it rises.
	out(&p, 0x43, 0xB0);
	out16(&p, 2, 59659);
	t = clock_ticks(now, PIT_HZ);
	at_tick(t + 59658);
	CHECK((in(&p, 0x61) & 0x20) == 0);
	at_tick(t + 59659);
	CHECK((in(&p, 0x61) & 0x20) != 0);
	CHECK((in(&p, 0x61) & 0x03) == 0x01);	// gate on, speaker off, as written
	// Channel 2 never touched channel 0: still 250 Hz, all along.
	n += pit_advance(&p, now);
	for (; now < t0 + 3 * SEC; now += 777777)
		n += pit_advance(&p, now);
	n += pit_advance(&p, now);
	t = clock_ticks(now, PIT_HZ) - clock_ticks(t0, PIT_HZ);
	CHECK(n >= t / 4773 - 1 && n <= t / 4773 + 1);
	// A one-shot clock event: mode 4, one edge one clock after the count.
	out(&p, 0x43, 0x38);
	out16(&p, 0, 11932);
	pit_advance(&p, now);
	t = clock_ticks(now, PIT_HZ);
	CHECK(pit_next_irq0_ns(&p) == clock_ns(t + 11933, PIT_HZ));
	at_tick(t + 11933);
	CHECK(pit_advance(&p, now) == 1);
	CHECK(pit_next_irq0_ns(&p) == PIT_NEVER);
	now += SEC;
	CHECK(pit_advance(&p, now) == 0);
	// Shut down: mode 0 with count 0 (65536), one last edge, then none.
	out(&p, 0x43, 0x30);
	out(&p, 0x40, 0);
	out(&p, 0x40, 0);
	CHECK(pit_advance(&p, now + SEC) == 1);
	CHECK(pit_advance(&p, now + 100 * SEC) == 0);
	CHECK(pit_next_irq0_ns(&p) == PIT_NEVER);
}

int
main(void)
{
	test_clock();
	test_rate();
	test_bios();
	test_mode0();
	test_latch();
	test_read_back();
	test_modes();
	test_port_b();
	test_reprogram();
	test_linux_boot();
	return hosttest_report("i8254_test");
}
