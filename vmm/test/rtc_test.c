/*
 * Host-side tests of the virtual MC146818 and CMOS (vmm/io/rtc.c)
 * against what the data sheet and the PC's CMOS layout say.
 */
#include <inc/error.h>
#include <vmm/io/clock.h>
#include <vmm/io/rtc.h>
#include <vmm/test/hosttest.h>

#define SEC		NS_PER_S
#define T_2026		1796117729ULL	// 2026-12-01 09:35:29 UTC, a Tuesday
#define MIB		(1ULL << 20)

static uint64_t now;

static uint32_t
cmos(struct rtc *r, int reg)
{
	uint32_t v = reg, b = 0xDEAD;

	CHECK(rtc_io(r, now, 0x70, 1, true, &v) == 0);
	CHECK(rtc_io(r, now, 0x71, 1, false, &b) == 0);
	return b;
}

static void
set_cmos(struct rtc *r, int reg, uint32_t b)
{
	uint32_t v = reg;

	CHECK(rtc_io(r, now, 0x70, 1, true, &v) == 0);
	CHECK(rtc_io(r, now, 0x71, 1, true, &b) == 0);
}

/* Write year (two digits) to second, one register at a time, in BCD. */
static void
set_date(struct rtc *r, int yy, int mm, int dd, int hh, int mi, int ss)
{
	set_cmos(r, 9, yy);
	set_cmos(r, 8, mm);
	set_cmos(r, 7, dd);
	set_cmos(r, 4, hh);
	set_cmos(r, 2, mi);
	set_cmos(r, 0, ss);
}

/* A fresh RTC at 2026-12-01 09:35:29.000 for a guest of mem bytes. */
static void
start(struct rtc *r, uint64_t mem)
{
	now = T_2026 * SEC;
	rtc_init(r, now, mem);
}

/* The host's time in BCD, 24 hours; then binary; then 12 hours. */
static void
test_time(void)
{
	struct rtc r;

	now = T_2026 * SEC + 400000000;
	rtc_init(&r, now, 64 * MIB);
	CHECK(cmos(&r, 0x0A) == 0x26 && cmos(&r, 0x0B) == 0x02 && cmos(&r, 0x0D) == 0x80);
	CHECK(cmos(&r, 0) == 0x29 && cmos(&r, 2) == 0x35 && cmos(&r, 4) == 0x09);
	CHECK(cmos(&r, 6) == 3 && cmos(&r, 7) == 0x01 && cmos(&r, 8) == 0x12);
	CHECK(cmos(&r, 9) == 0x26 && cmos(&r, 0x32) == 0x20);
	now += 31 * SEC;		// 09:36:00
	CHECK(cmos(&r, 0) == 0x00 && cmos(&r, 2) == 0x36);
	set_cmos(&r, 0x0B, 0x06);	// binary, 24 hours
	CHECK(cmos(&r, 0) == 0 && cmos(&r, 2) == 36 && cmos(&r, 4) == 9);
	CHECK(cmos(&r, 9) == 26 && cmos(&r, 0x32) == 20 && cmos(&r, 8) == 12);
	now += 6 * 3600 * SEC;		// 15:36
	CHECK(cmos(&r, 4) == 15);
	set_cmos(&r, 0x0B, 0x00);	// BCD, 12 hours
	CHECK(cmos(&r, 4) == 0x83);	// 3 PM
	now += 9 * 3600 * SEC;		// 00:36 the next day
	CHECK(cmos(&r, 4) == 0x12 && cmos(&r, 7) == 0x02 && cmos(&r, 6) == 4);
	now += 12 * 3600 * SEC;		// 12:36
	CHECK(cmos(&r, 4) == 0x92);
	// UIP only in the last 244 us before a second ends.
	now = (now / SEC + 1) * SEC - 100000;
	CHECK(cmos(&r, 0x0A) == 0xA6);
	now += 200000;
	CHECK(cmos(&r, 0x0A) == 0x26);
}

/* The guest sets its own time; it runs on from there, across days and years. */
static void
test_set(void)
{
	struct rtc r;

	start(&r, 64 * MIB);
	set_cmos(&r, 0x0B, 0x82);	// SET: the clock stops
	now += 5 * SEC;
	CHECK(cmos(&r, 0) == 0x29);
	set_cmos(&r, 0x32, 0x19);
	set_date(&r, 0x99, 0x12, 0x31, 0x23, 0x59, 0x58);
	CHECK(cmos(&r, 0x0A) == 0x26);	// no update in progress while SET
	now += 10 * SEC;
	CHECK(cmos(&r, 0) == 0x58);
	set_cmos(&r, 0x0B, 0x02);
	CHECK(cmos(&r, 0) == 0x58 && cmos(&r, 9) == 0x99);
	now += 3 * SEC;
	CHECK(cmos(&r, 0) == 0x01 && cmos(&r, 2) == 0x00 && cmos(&r, 4) == 0x00);
	CHECK(cmos(&r, 7) == 0x01 && cmos(&r, 8) == 0x01 && cmos(&r, 9) == 0x00);
	CHECK(cmos(&r, 0x32) == 0x20 && cmos(&r, 6) == 7);	// 2000-01-01: Saturday
	// One field written while running: the rest keeps going.
	set_date(&r, 0x24, 0x02, 0x28, 0x23, 0x59, 0x59);
	now += SEC;
	CHECK(cmos(&r, 7) == 0x29 && cmos(&r, 8) == 0x02);	// 2024 is a leap year
	CHECK(cmos(&r, 6) == 5);				// a Thursday
	now += 86400 * SEC;
	CHECK(cmos(&r, 7) == 0x01 && cmos(&r, 8) == 0x03);
	// 1900 and 2100 are not leap years.
	set_cmos(&r, 0x32, 0x21);
	set_cmos(&r, 9, 0x00);
	set_cmos(&r, 8, 0x02);
	set_cmos(&r, 7, 0x28);
	now += 86400 * SEC;
	CHECK(cmos(&r, 7) == 0x01 && cmos(&r, 8) == 0x03 && cmos(&r, 0x32) == 0x21);
	// Nonsense is clamped: month 0x1F is 12, day 0x45 is 31, 0xFF hours 23.
	set_cmos(&r, 0x0B, 0x82);
	set_cmos(&r, 8, 0x1F);
	set_cmos(&r, 7, 0x45);
	set_cmos(&r, 4, 0xFF);
	set_cmos(&r, 0x0B, 0x02);
	CHECK(cmos(&r, 8) == 0x12 && cmos(&r, 7) == 0x31 && cmos(&r, 4) == 0x23);
	// Before 1900 there is no time: year 0 is 1900.
	set_cmos(&r, 0x32, 0x00);
	CHECK(cmos(&r, 0x32) == 0x19 && cmos(&r, 9) == 0x00 && cmos(&r, 8) == 0x12);
}

/* The memory-size bytes and their checksum. */
static void
test_memory(void)
{
	struct rtc r;
	uint32_t sum = 0, v = 0;

	start(&r, 256 * MIB);
	CHECK(cmos(&r, 0x15) == 0x80 && cmos(&r, 0x16) == 0x02);	// 640 KiB
	CHECK(cmos(&r, 0x17) == 0xFF && cmos(&r, 0x18) == 0xFF);	// 255 MiB: at most 0xFFFF
	CHECK(cmos(&r, 0x30) == 0xFF && cmos(&r, 0x31) == 0xFF);
	CHECK(cmos(&r, 0x34) == 0x00 && cmos(&r, 0x35) == 0x0F);	// 240 MiB / 64 KiB
	for (int i = 0x10; i <= 0x2D; i++)
		sum += cmos(&r, i);
	CHECK(cmos(&r, 0x2E) == sum >> 8 && cmos(&r, 0x2F) == (sum & 0xFF));
	start(&r, 8 * MIB);
	CHECK(cmos(&r, 0x17) == 0x00 && cmos(&r, 0x18) == 0x1C);	// 7168 KiB
	CHECK(cmos(&r, 0x30) == 0x00 && cmos(&r, 0x31) == 0x1C);
	CHECK(cmos(&r, 0x34) == 0 && cmos(&r, 0x35) == 0);
	// Other CMOS bytes are memory; C and D are read only.
	set_cmos(&r, 0x50, 0xA5);
	set_cmos(&r, 0x7F, 0x5A);
	CHECK(cmos(&r, 0x50) == 0xA5 && cmos(&r, 0x7F) == 0x5A);
	set_cmos(&r, 0x0D, 0x00);
	CHECK(cmos(&r, 0x0D) == 0x80);
	// The NMI bit of the index port is ignored; the index port reads 0xFF.
	CHECK(cmos(&r, 0x80 | 0x50) == 0xA5);
	CHECK(rtc_io(&r, now, 0x70, 1, false, &v) == 0 && v == 0xFF);
	CHECK(rtc_io(&r, now, 0x72, 1, false, &v) == -E_INVAL);
	CHECK(rtc_io(&r, now, 0x70, 0, false, &v) == -E_INVAL);
	v = 0x500F;			// index 0x0F, then data: 0x50
	CHECK(rtc_io(&r, now, 0x70, 2, true, &v) == 0);
	CHECK(cmos(&r, 0x0F) == 0x50);
}

/* Register C: periodic and update-ended flags, IRQ 8, the next event. */
static void
test_interrupts(void)
{
	struct rtc r;

	start(&r, 64 * MIB);
	CHECK(rtc_next_event_ns(&r) == RTC_NEVER);
	now += 2 * SEC;
	CHECK(!rtc_irq(&r, now));
	CHECK(cmos(&r, 0x0C) == 0x50);	// flags raised, no interrupt enabled
	CHECK(cmos(&r, 0x0C) == 0x00);	// and cleared by the read
	set_cmos(&r, 0x0B, 0x42);	// PIE, 1024 Hz
	CHECK(rtc_next_event_ns(&r) == now + 976563);	// 1/1024 s, rounded up
	CHECK(!rtc_irq(&r, now + 976562));
	CHECK(rtc_irq(&r, now + 976563));
	now += 976563;
	CHECK(cmos(&r, 0x0C) == 0xC0);
	CHECK(!rtc_irq(&r, now));
	set_cmos(&r, 0x0A, 0x2F);	// rate 15: 2 Hz
	CHECK(rtc_next_event_ns(&r) == T_2026 * SEC + 2 * SEC + SEC / 2);
	set_cmos(&r, 0x0B, 0x12);	// UIE only
	CHECK(rtc_next_event_ns(&r) == T_2026 * SEC + 3 * SEC);
	CHECK(rtc_irq(&r, T_2026 * SEC + 3 * SEC));
	now = T_2026 * SEC + 3 * SEC;
	CHECK(cmos(&r, 0x0C) == 0xD0);
	// SET clears UIE and stops updates.
	set_cmos(&r, 0x0B, 0x92);
	CHECK(cmos(&r, 0x0B) == 0x82);
	now += 5 * SEC;
	CHECK(cmos(&r, 0x0C) == 0x40);
	CHECK(rtc_next_event_ns(&r) == RTC_NEVER);
}

int
main(void)
{
	test_time();
	test_set();
	test_memory();
	test_interrupts();
	return hosttest_report("rtc_test");
}
