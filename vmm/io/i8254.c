/*
 * The virtual 8254 (vmm/io/i8254.h), after the Intel 8254 data sheet.
 * Each channel's counter and output are closed-form functions of the
 * clocks it has counted since its count was loaded, so time can jump
 * by any amount at no cost.  Simplifications: a count is loaded at
 * once rather than on the next clock; a count of 1, which the data
 * sheet forbids in modes 2 and 3, acts as 2; BCD digits above 9 act
 * as 9.
 */
#include <inc/error.h>
#include <vmm/io/clock.h>
#include <vmm/io/i8254.h>
#include <vmm/io/ioport.h>

#define REFRESH_NS	15085		// port 0x61 bit 4 toggles this often

#define CW_BCD		0x01
#define CW_MODE(v)	(((v) >> 1) & 7)
#define CW_ACCESS(v)	(((v) >> 4) & 3)
#define CW_CHANNEL(v)	((v) >> 6)
#define CW_READBACK	3		// channel field 3: read-back command
#define RB_NO_COUNT	0x20		// read-back: do not latch the count
#define RB_NO_STATUS	0x10		// read-back: do not latch the status
#define ST_OUT		0x80		// status byte: OUT
#define ST_NULL		0x40		// status byte: null count

#define ACC_LO		1
#define ACC_HI		2
#define ACC_BOTH	3

/* How the channel behaves: modes 6 and 7 are 2 and 3. */
static int
mode_of(const struct pit_channel *c)
{
	return c->mode > 5 ? c->mode - 4 : c->mode;
}

/* Clocks counted in this count up to tick t (t at or after the last sync). */
static uint64_t
elapsed_at(const struct pit_channel *c, uint64_t t)
{
	return c->running ? c->elapsed + (t - c->run_start) : c->elapsed;
}

/* Rising edges of OUT in the count's first e clocks. */
static uint64_t
edges_until(const struct pit_channel *c, uint64_t e)
{
	switch (mode_of(c)) {
	case 2:
	case 3:
		return e / c->count;
	case 0:
	case 1:
		return e >= c->count;
	default:	// 4, 5: the strobe ends one clock after terminal count
		return e >= c->count + 1;
	}
}

/* OUT after e clocks of the count. */
static bool
out_at(const struct pit_channel *c, uint64_t e)
{
	int mode = mode_of(c);

	if (!c->armed)
		return mode != 0;
	switch (mode) {
	case 0:
		return e >= c->count;
	case 1:
		return !c->triggered || e >= c->count;
	case 2:
		return !c->gate || e % c->count != c->count - 1;
	case 3:
		return !c->gate || e % c->count < (c->count + 1) / 2;
	case 4:
		return e != c->count;
	default:
		return !c->triggered || e != c->count;
	}
}

/* The counting element after e clocks, as a binary number. */
static uint32_t
count_at(const struct pit_channel *c, uint64_t e)
{
	uint32_t mod = c->bcd ? 10000 : 65536, n = c->count, half, phase;

	if (!c->armed || ((mode_of(c) == 1 || mode_of(c) == 5) && !c->triggered))
		return c->written % mod;
	switch (mode_of(c)) {
	case 2:
		return (n - e % n) % mod;
	case 3:
		// Counts down by two through each half period.
		half = (n + 1) / 2;
		phase = e % n;
		phase = phase < half ? phase : phase - half;
		return ((n & ~1u) - 2 * phase) % mod;
	default:
		return (n % mod + mod - e % mod) % mod;
	}
}

/* Bring c up to tick t: count its edges, let a pending count take over. */
static void
sync(struct pit_channel *c, uint64_t t)
{
	uint64_t e;

	if (!c->armed || !c->running)
		return;
	e = elapsed_at(c, t);
	if (c->pending && e >= c->switch_at) {
		c->edges += edges_until(c, c->switch_at) - edges_until(c, c->seen);
		c->run_start = t - (e - c->switch_at);
		c->elapsed = c->seen = 0;
		c->count = c->written;
		c->pending = c->null_count = false;
		e = t - c->run_start;
	}
	c->edges += edges_until(c, e) - edges_until(c, c->seen);
	c->seen = e;
}

/* Start a new count at tick t with the count written last. */
static void
restart(struct pit_channel *c, uint64_t t, bool run)
{
	c->count = c->written;
	c->pending = c->null_count = false;
	c->elapsed = c->seen = 0;
	c->run_start = t;
	c->running = run;
}

/* Clocks counted in this count at the PIT's time (c synced to it). */
static uint64_t
elapsed_now(const struct pit_channel *c)
{
	return c->running ? c->seen : c->elapsed;
}

/* OUT of c at the PIT's time. */
static bool
out_now(const struct pit_channel *c)
{
	return out_at(c, elapsed_now(c));
}

/* Stop counting at tick t (c synced), keeping the clocks counted. */
static void
pause(struct pit_channel *c, uint64_t t)
{
	if (!c->running)
		return;
	c->elapsed += t - c->run_start;
	c->running = false;
}

/* Channel 2's GATE goes to g at tick t. */
static void
set_gate(struct pit_channel *c, uint64_t t, bool g)
{
	bool was_out;

	sync(c, t);
	if (g == c->gate)
		return;
	was_out = out_now(c);
	c->gate = g;
	if (!c->armed)
		return;
	switch (mode_of(c)) {
	case 0:
	case 4:
		if (g) {
			c->run_start = t;
			c->running = true;
		} else {
			pause(c, t);
		}
		break;
	case 2:
	case 3:
		// Low: counting stops, OUT goes high; rising: reload.
		if (g)
			restart(c, t, true);
		else
			pause(c, t);
		break;
	default:
		// Modes 1 and 5: a rising edge (re)triggers the count.
		if (g) {
			restart(c, t, true);
			c->triggered = true;
		}
		break;
	}
	c->edges += !was_out && out_now(c);
}

/* The count of 16 bits written to c, in clocks (0 is the largest count). */
static uint32_t
count_value(const struct pit_channel *c, uint16_t v)
{
	uint32_t n = v, digit;

	if (c->bcd) {
		n = 0;
		for (int i = 3; i >= 0; i--) {
			digit = (v >> (4 * i)) & 0xF;
			n = n * 10 + (digit > 9 ? 9 : digit);
		}
	}
	if (n == 0)
		n = c->bcd ? 10000 : 65536;
	if (n == 1 && (mode_of(c) == 2 || mode_of(c) == 3))
		n = 2;
	return n;
}

/* A whole count v was written to c at tick t. */
static void
load(struct pit_channel *c, uint64_t t, uint16_t v)
{
	bool was_armed = c->armed;
	uint64_t e;

	c->written = count_value(c, v);
	c->null_count = true;
	c->armed = true;
	switch (mode_of(c)) {
	case 2:
	case 3:
		if (was_armed && c->running) {
			// Takes over at the end of the current period.
			e = elapsed_at(c, t);
			c->pending = true;
			c->switch_at = (e / c->count + 1) * c->count;
		} else {
			restart(c, t, c->gate);
		}
		break;
	case 1:
	case 5:
		// Waits for a trigger on GATE.
		if (!was_armed) {
			c->count = c->written;
			c->running = c->triggered = false;
			c->elapsed = c->seen = 0;
		}
		break;
	default:
		restart(c, t, c->gate);
		break;
	}
}

/* The counter value of c now as it reads: binary or BCD. */
static uint16_t
read_value(const struct pit_channel *c)
{
	uint32_t v = count_at(c, elapsed_now(c));

	if (c->bcd)
		v = (v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10;
	return v;
}

/* The byte of v the access mode (and the both-bytes toggle *hi) selects. */
static uint8_t
access_byte(uint8_t access, uint16_t v, bool hi)
{
	if (access == ACC_HI || (access == ACC_BOTH && hi))
		return v >> 8;
	return v & 0xFF;
}

/* Counter latch command on c: the value now, frozen until read. */
static void
latch_count(struct pit_channel *c)
{
	if (c->latch_left)
		return;
	c->latch = read_value(c);
	c->latch_left = c->access == ACC_BOTH ? 2 : 1;
}

/* A read of c's data port. */
static uint8_t
read_data(struct pit_channel *c)
{
	uint8_t b;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		b = access_byte(c->access, c->latch, c->latch_left == 1);
		c->latch_left--;
		return b;
	}
	b = access_byte(c->access, read_value(c), c->read_hi);
	if (c->access == ACC_BOTH)
		c->read_hi = !c->read_hi;
	return b;
}

/* A write of c's data port at tick t. */
static void
write_data(struct pit_channel *c, uint64_t t, uint8_t b)
{
	switch (c->access) {
	case ACC_LO:
		load(c, t, b);
		break;
	case ACC_HI:
		load(c, t, b << 8);
		break;
	default:
		if (!c->write_hi) {
			c->low = b;
			c->write_hi = true;
			// Mode 0: the first byte stops the count.
			if (mode_of(c) == 0 && c->armed)
				pause(c, t);
		} else {
			c->write_hi = false;
			load(c, t, c->low | b << 8);
		}
		break;
	}
}

/* A control word for c (not a latch command), c synced to the PIT's time. */
static void
program(struct pit_channel *c, uint8_t v)
{
	bool was_out = out_now(c);

	c->mode = CW_MODE(v);
	c->access = CW_ACCESS(v);
	c->bcd = v & CW_BCD;
	c->armed = c->running = c->triggered = c->pending = false;
	c->null_count = true;
	c->write_hi = c->read_hi = c->status_latched = false;
	c->latch_left = 0;
	c->elapsed = c->seen = 0;
	c->edges += !was_out && out_now(c);
}

/* The read-back command: latch count and/or status of the channels chosen. */
static void
read_back(struct pit *p, uint8_t v)
{
	for (int i = 0; i < 3; i++) {
		struct pit_channel *c = &p->ch[i];

		if (!(v & (2 << i)))
			continue;
		if (!(v & RB_NO_STATUS) && !c->status_latched) {
			c->status = (out_now(c) ? ST_OUT : 0) | (c->null_count ? ST_NULL : 0) |
				c->access << 4 | c->mode << 1 | c->bcd;
			c->status_latched = true;
		}
		if (!(v & RB_NO_COUNT))
			latch_count(c);
	}
}

/* Bring every channel to time now_ns (earlier times count as the latest). */
static void
set_time(struct pit *p, uint64_t now_ns)
{
	if (now_ns > p->now_ns) {
		p->now_ns = now_ns;
		p->now = clock_ticks(now_ns, PIT_HZ);
	}
	for (int i = 0; i < 3; i++)
		sync(&p->ch[i], p->now);
}

/*
 * Reset p at time now_ns to the state a PC BIOS leaves: channel 0 in
 * mode 3 with count 65536 (IRQ 0 at 18.2 Hz), channel 1 in mode 2 with
 * count 18 (the refresh clock), channel 2 programmed for mode 3 with no
 * count and its gate low, the speaker off.
 */
void
pit_init(struct pit *p, uint64_t now_ns)
{
	*p = (struct pit) { .now_ns = now_ns, .now = clock_ticks(now_ns, PIT_HZ) };
	p->ch[0].gate = p->ch[1].gate = true;
	program(&p->ch[0], 0x36);	// both bytes, mode 3
	program(&p->ch[1], 0x34);	// both bytes, mode 2
	program(&p->ch[2], 0x36);
	p->ch[0].edges = p->ch[1].edges = p->ch[2].edges = 0;
	load(&p->ch[0], p->now, 0);
	load(&p->ch[1], p->now, 18);
}

/*
 * Advance p to time now_ns.  Returns the rising edges of channel 0's
 * output (IRQ 0) since the previous call, port accesses in between
 * included.
 */
uint64_t
pit_advance(struct pit *p, uint64_t now_ns)
{
	uint64_t n;

	set_time(p, now_ns);
	n = p->ch[0].edges;
	p->ch[0].edges = 0;
	return n;
}

/*
 * The time in ns of channel 0's next rising edge after p's time, or
 * PIT_NEVER when none will come without a new count or mode.
 */
uint64_t
pit_next_irq0_ns(const struct pit *p)
{
	const struct pit_channel *c = &p->ch[0];
	uint64_t e = c->seen, target;

	if (!c->armed || !c->running)
		return PIT_NEVER;
	switch (mode_of(c)) {
	case 2:
	case 3:
		target = (e / c->count + 1) * c->count;
		break;
	case 0:
	case 1:
		if (e >= c->count)
			return PIT_NEVER;
		target = c->count;
		break;
	default:
		if (e >= c->count + 1)
			return PIT_NEVER;
		target = c->count + 1;
		break;
	}
	return clock_ns(c->run_start + (target - c->elapsed), PIT_HZ);
}

/* One byte access to the PIT's ports (io_byte_fn), at the PIT's time. */
static int
pit_byte(void *dev, uint16_t port, bool write, uint8_t *b)
{
	struct pit *p = dev;
	struct pit_channel *c2 = &p->ch[2];

	switch (port) {
	case PIT_CH0:
	case PIT_CH0 + 1:
	case PIT_CH2:
		if (write)
			write_data(&p->ch[port - PIT_CH0], p->now, *b);
		else
			*b = read_data(&p->ch[port - PIT_CH0]);
		return 0;
	case PIT_CTRL:
		if (!write)
			*b = 0xFF;	// the control word cannot be read
		else if (CW_CHANNEL(*b) == CW_READBACK)
			read_back(p, *b);
		else if (CW_ACCESS(*b) == 0)
			latch_count(&p->ch[CW_CHANNEL(*b)]);
		else
			program(&p->ch[CW_CHANNEL(*b)], *b);
		return 0;
	case PIT_PORT_B:
		if (write) {
			p->port_b = *b & 0x0F;
			set_gate(c2, p->now, *b & PIT_B_GATE2);
		} else {
			*b = p->port_b | (out_now(c2) ? PIT_B_OUT2 : 0) |
				(p->now_ns / REFRESH_NS % 2 ? PIT_B_REFRESH : 0);
		}
		return 0;
	default:
		return -E_INVAL;
	}
}

/*
 * A guest's access of width bytes at port (0x40-0x43, 0x61) at time
 * now_ns: writes *val, or reads into *val.  Returns 0, or -E_INVAL for
 * another port or a bad width.
 */
int
pit_io(struct pit *p, uint64_t now_ns, uint16_t port, int width, bool write, uint32_t *val)
{
	set_time(p, now_ns);
	return io_split(p, pit_byte, port, width, write, val);
}
