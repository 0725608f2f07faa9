/*
 * The virtual MC146818 (vmm/io/rtc.h), after the Motorola MC146818A
 * data sheet and the PC's CMOS layout (memory sizes at 0x15-0x18,
 * 0x30-0x31 and 0x34-0x35, century at 0x32, checksum of 0x10-0x2D at
 * 0x2E-0x2F).  The calendar counts from 1900-01-01 00:00:00.
 * Simplifications: the day of the week follows from the date (a value
 * written there is not kept); the divider bits of register A do not
 * stop the clock; the alarm registers are plain memory.
 */
#include <inc/error.h>
#include <vmm/io/clock.h>
#include <vmm/io/ioport.h>
#include <vmm/io/rtc.h>

#define REG_SEC		0x00
#define REG_MIN		0x02
#define REG_HOUR	0x04
#define REG_WDAY	0x06
#define REG_MDAY	0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0A
#define REG_B		0x0B
#define REG_C		0x0C
#define REG_D		0x0D
#define REG_CENTURY	0x32
#define A_UIP		0x80	// an update is about to happen
#define A_RATE		0x0F	// periodic interrupt rate
#define B_SET		0x80	// updates stopped: the guest sets the time
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_BINARY	0x04
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40
#define C_UF		0x10
#define D_VRT		0x80	// valid RAM and time
#define HOUR_PM		0x80	// 12-hour mode: afternoon

#define UIP_NS		244000		// UIP is set this long before each update
#define S1900_TO_UNIX	2208988800LL	// seconds from 1900 to 1970
#define DAYS_400Y	146097		// days in 400 Gregorian years
#define RTC_HZ		32768		// the time base

/* Whether year y is a leap year. */
static bool
leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Days in month m (1-12) of year y. */
static int
month_days(int64_t y, int m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && leap(y));
}

/* Days from 1900-01-01 to y-m-d (y from 1900, m 1-12, d from 1). */
static int64_t
days_of(int64_t y, int m, int d)
{
	int64_t days = (y - 1900) / 400 * DAYS_400Y;

	for (int64_t yy = 1900 + (y - 1900) / 400 * 400; yy < y; yy++)
		days += leap(yy) ? 366 : 365;
	for (int mm = 1; mm < m; mm++)
		days += month_days(y, mm);
	return days + d - 1;
}

/* The broken-down time of s seconds since 1900. */
struct civil {
	int64_t	year;
	int	month, mday, wday, hour, min, sec;	// wday: 1 is Sunday
};

static struct civil
civil_of(int64_t s)
{
	struct civil c;
	int64_t days = s / 86400, rest = s % 86400;

	c.sec = rest % 60;
	c.min = rest / 60 % 60;
	c.hour = rest / 3600;
	c.wday = (days + 1) % 7 + 1;	// 1900-01-01 was a Monday
	c.year = 1900 + days / DAYS_400Y * 400;
	days %= DAYS_400Y;
	while (days >= (leap(c.year) ? 366 : 365))
		days -= leap(c.year++) ? 366 : 365;
	for (c.month = 1; days >= month_days(c.year, c.month); c.month++)
		days -= month_days(c.year, c.month);
	c.mday = days + 1;
	return c;
}

/* A clock value v as register B's format stores it. */
static uint8_t
to_reg(const struct rtc *r, int v)
{
	return r->ram[REG_B] & B_BINARY ? v : (v / 10) << 4 | v % 10;
}

/* A register's value back to a number (BCD digits above 9 count as 9), at most max. */
static int
from_reg(const struct rtc *r, uint8_t v, int max)
{
	int n = v;

	if (!(r->ram[REG_B] & B_BINARY))
		n = ((v >> 4) > 9 ? 9 : v >> 4) * 10 + ((v & 0xF) > 9 ? 9 : v & 0xF);
	return n > max ? max : n;
}

/* The hours register for hour h (0-23): 24-hour, or 1-12 with the PM bit. */
static uint8_t
hour_reg(const struct rtc *r, int h)
{
	if (r->ram[REG_B] & B_24H)
		return to_reg(r, h);
	return to_reg(r, h % 12 == 0 ? 12 : h % 12) | (h >= 12 ? HOUR_PM : 0);
}

/* The hour (0-23) an hours register says. */
static int
hour_of(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->ram[REG_B] & B_24H)
		return from_reg(r, v & ~HOUR_PM, 23);
	h = from_reg(r, v & ~HOUR_PM, 12);
	return (h == 0 ? 12 : h) % 12 + (v & HOUR_PM ? 12 : 0);
}

/* The guest's time now, in seconds since 1900 (never before 1900). */
static int64_t
guest_seconds(const struct rtc *r)
{
	int64_t s = (int64_t) (r->now_ns / NS_PER_S) + S1900_TO_UNIX + r->offset;

	return s < 0 ? 0 : s;
}

/* The clock registers for the guest's time now, into ram. */
static void
snapshot(struct rtc *r)
{
	struct civil c = civil_of(guest_seconds(r));

	r->ram[REG_SEC] = to_reg(r, c.sec);
	r->ram[REG_MIN] = to_reg(r, c.min);
	r->ram[REG_HOUR] = hour_reg(r, c.hour);
	r->ram[REG_WDAY] = to_reg(r, c.wday);
	r->ram[REG_MDAY] = to_reg(r, c.mday);
	r->ram[REG_MONTH] = to_reg(r, c.month);
	r->ram[REG_YEAR] = to_reg(r, c.year % 100);
	r->ram[REG_CENTURY] = to_reg(r, c.year / 100 % 100);
}

/*
 * The time the clock registers in ram say becomes the guest's time now.
 * Out-of-range fields are clamped; a day past the month's end runs
 * into the next month.
 */
static void
commit(struct rtc *r)
{
	int64_t year = from_reg(r, r->ram[REG_CENTURY], 99) * 100 +
		from_reg(r, r->ram[REG_YEAR], 99);
	int month = from_reg(r, r->ram[REG_MONTH], 12), mday = from_reg(r, r->ram[REG_MDAY], 31);
	int64_t s;

	if (year < 1900)
		year = 1900;
	s = days_of(year, month < 1 ? 1 : month, mday < 1 ? 1 : mday) * 86400 +
		hour_of(r, r->ram[REG_HOUR]) * 3600 + from_reg(r, r->ram[REG_MIN], 59) * 60 +
		from_reg(r, r->ram[REG_SEC], 59);
	r->offset = s - ((int64_t) (r->now_ns / NS_PER_S) + S1900_TO_UNIX);
}

/* Periodic interrupt: log2 of its period in time-base cycles, or -1 for none. */
static int
period_shift(const struct rtc *r)
{
	int rate = r->ram[REG_A] & A_RATE;

	if (rate == 0)
		return -1;
	return (rate <= 2 ? rate + 7 : rate) - 1;	// rates 1 and 2 are 8 and 9
}

/* Register C now: the flags raised since it was last read. */
static uint8_t
flags(const struct rtc *r)
{
	int k = period_shift(r);
	uint8_t c = 0;

	if (k >= 0 && clock_ticks(r->now_ns, RTC_HZ) >> k > clock_ticks(r->c_read_ns, RTC_HZ) >> k)
		c |= C_PF;
	if (!(r->ram[REG_B] & B_SET) && r->now_ns / NS_PER_S > r->c_read_ns / NS_PER_S)
		c |= C_UF;
	if (((c & C_PF) && (r->ram[REG_B] & B_PIE)) || ((c & C_UF) && (r->ram[REG_B] & B_UIE)))
		c |= C_IRQF;
	return c;
}

/* Whether reg is one of the clock's time and date registers. */
static bool
is_clock_reg(int reg)
{
	return reg == REG_SEC || reg == REG_MIN || reg == REG_HOUR || reg == REG_WDAY ||
		reg == REG_MDAY || reg == REG_MONTH || reg == REG_YEAR || reg == REG_CENTURY;
}

/* A read of register reg. */
static uint8_t
read_reg(struct rtc *r, int reg)
{
	uint8_t v;

	if (is_clock_reg(reg) && !(r->ram[REG_B] & B_SET))
		snapshot(r);
	switch (reg) {
	case REG_A:
		v = r->ram[REG_A];
		if (!(r->ram[REG_B] & B_SET) && r->now_ns % NS_PER_S >= NS_PER_S - UIP_NS)
			v |= A_UIP;
		return v;
	case REG_C:
		v = flags(r);
		r->c_read_ns = r->now_ns;
		return v;
	case REG_D:
		return D_VRT;
	default:
		return r->ram[reg];
	}
}

/* A write of v to register reg. */
static void
write_reg(struct rtc *r, int reg, uint8_t v)
{
	bool was_set = r->ram[REG_B] & B_SET;

	switch (reg) {
	case REG_A:
		r->ram[REG_A] = v & ~A_UIP;
		break;
	case REG_B:
		// SET stops the clock at its time now and clears UIE;
		// clearing SET starts it from what the guest wrote.
		if ((v & B_SET) && !was_set)
			snapshot(r);
		r->ram[REG_B] = v & B_SET ? v & ~B_UIE : v;
		if (!(v & B_SET) && was_set)
			commit(r);
		break;
	case REG_C:
	case REG_D:
		break;		// read only
	default:
		if (is_clock_reg(reg) && !was_set) {
			snapshot(r);
			r->ram[reg] = v;
			commit(r);
		} else {
			r->ram[reg] = v;
		}
		break;
	}
}

/* One byte access to the RTC's ports (io_byte_fn), at its time. */
static int
rtc_byte(void *dev, uint16_t port, bool write, uint8_t *b)
{
	struct rtc *r = dev;

	switch (port) {
	case RTC_INDEX:
		if (write)
			r->index = *b & (RTC_CMOS_SIZE - 1);	// bit 7 (NMI mask) ignored
		else
			*b = 0xFF;			// write only
		return 0;
	case RTC_DATA:
		if (write)
			write_reg(r, r->index, *b);
		else
			*b = read_reg(r, r->index);
		return 0;
	default:
		return -E_INVAL;
	}
}

/* Later times only: an earlier one counts as the latest seen. */
static void
set_time(struct rtc *r, uint64_t now_ns)
{
	if (now_ns > r->now_ns)
		r->now_ns = now_ns;
}

/* A 16-bit little-endian value at CMOS offset at. */
static void
put16(struct rtc *r, int at, uint64_t v)
{
	if (v > 0xFFFF)
		v = 0xFFFF;
	r->ram[at] = v & 0xFF;
	r->ram[at + 1] = v >> 8;
}

/*
 * Reset r at time now_ns (ns since 1970) for a guest with mem_bytes of
 * memory (below 4 GiB): the host's time, BCD and 24 hours, no
 * interrupts; base memory 640 KiB, extended memory in KiB above 1 MiB
 * (0x17 and 0x30), memory above 16 MiB in 64 KiB units (0x34), each at
 * most 0xFFFF; the checksum over 0x10-0x2D.
 */
void
rtc_init(struct rtc *r, uint64_t now_ns, uint64_t mem_bytes)
{
	uint32_t sum = 0;

	*r = (struct rtc) { .now_ns = now_ns, .c_read_ns = now_ns };
	r->ram[REG_A] = 0x26;		// 32.768 kHz time base, 1024 Hz rate
	r->ram[REG_B] = B_24H;
	put16(r, 0x15, MIN(mem_bytes >> 10, (uint64_t) 640));
	put16(r, 0x17, mem_bytes > (1 << 20) ? (mem_bytes - (1 << 20)) >> 10 : 0);
	put16(r, 0x30, mem_bytes > (1 << 20) ? (mem_bytes - (1 << 20)) >> 10 : 0);
	put16(r, 0x34, mem_bytes > (16 << 20) ? (mem_bytes - (16 << 20)) >> 16 : 0);
	for (int i = 0x10; i <= 0x2D; i++)
		sum += r->ram[i];
	r->ram[0x2E] = sum >> 8;
	r->ram[0x2F] = sum & 0xFF;
	snapshot(r);
}

/*
 * A guest's access of width bytes at port (0x70, 0x71) at time now_ns:
 * writes *val, or reads into *val.  Returns 0, or -E_INVAL for another
 * port or a bad width.
 */
int
rtc_io(struct rtc *r, uint64_t now_ns, uint16_t port, int width, bool write, uint32_t *val)
{
	set_time(r, now_ns);
	return io_split(r, rtc_byte, port, width, write, val);
}

/* The level of IRQ 8 at time now_ns: an enabled flag raised and not yet read. */
bool
rtc_irq(struct rtc *r, uint64_t now_ns)
{
	set_time(r, now_ns);
	return flags(r) & C_IRQF;
}

/*
 * When IRQ 8 next rises: the next periodic or update-ended interrupt
 * that is enabled, after the RTC's time; RTC_NEVER if none is enabled.
 * (If the line is already high, it stays so until register C is read.)
 */
uint64_t
rtc_next_event_ns(const struct rtc *r)
{
	uint64_t next = RTC_NEVER, t;
	int k = period_shift(r);
	uint8_t b = r->ram[REG_B];

	if ((b & B_PIE) && k >= 0) {
		t = ((clock_ticks(r->now_ns, RTC_HZ) >> k) + 1) << k;
		next = clock_ns(t, RTC_HZ);
	}
	if ((b & B_UIE) && !(b & B_SET)) {
		t = (r->now_ns / NS_PER_S + 1) * NS_PER_S;
		next = MIN(next, t);
	}
	return next;
}
