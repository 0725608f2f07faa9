/*
 * A fuzz loop over the device models (vmm/io/): random port writes and
 * reads of every width, random lines, acknowledges and time steps, with
 * the models' invariants checked after every step.  The argument, if
 * any, is the seed (a run is reproducible); STEPS steps per model
 * (a quarter of that for the RTC, whose reads walk the calendar).
 */
#include <inc/error.h>
#include <vmm/io/i8042.h>
#include <vmm/io/i8254.h>
#include <vmm/io/i8259.h>
#include <vmm/io/rtc.h>
#include <vmm/io/uart16550.h>
#include <vmm/test/hosttest.h>

#define STEPS	3000000
#define SEC	1000000000ULL

static uint64_t rng;
// How often the loops reached the states worth checking.
static uint64_t pic_delivered, pit_timed, uart_raised, rtc_times, kbd_bytes;

/* xorshift64: the next pseudo-random number. */
static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A width: mostly 1, sometimes 2 or 4, rarely a bad one. */
static int
rnd_width(void)
{
	static const int widths[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 4, 4, 3 };

	return widths[rnd() % 16];
}

/* One of ports[n], or now and then a port next to them. */
static uint16_t
rnd_port(const uint16_t *ports, int n)
{
	if (rnd() % 32 == 0)
		return ports[rnd() % n] + 1 + rnd() % 8;
	return ports[rnd() % n];
}

/* Whether v is one of the vectors p's chips give. */
static bool
pic_vector_ok(const struct pic *p, int v)
{
	return (v & ~7) == p->chip[0].base || (v & ~7) == p->chip[1].base;
}

/* Invariants of the PIC pair. */
static void
pic_check(const struct pic *p)
{
	int v = pic_pending_vector(p);

	CHECK(v == PIC_NONE || pic_vector_ok(p, v));
	CHECK(v == PIC_NONE || (p->chip[0].irr & ~p->chip[0].imr));
	for (int i = 0; i < 2; i++) {
		const struct pic_chip *c = &p->chip[i];
		uint8_t level = c->ltim ? 0xFF : c->elcr;

		CHECK(c->init_next == 0 || (c->init_next >= 2 && c->init_next <= 4));
		CHECK(c->lowest < 8 && (c->base & 7) == 0);
		CHECK((c->elcr & ~c->elcr_writable) == 0);
		CHECK((c->irr & level) == (c->lines & level));
	}
}

static void
fuzz_pic(void)
{
	static const uint16_t ports[] = { 0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1 };
	struct pic p;
	uint32_t val;
	int r, v;

	pic_reset(&p);
	for (int step = 0; step < STEPS; step++) {
		uint16_t port = rnd_port(ports, 6);
		int width = rnd_width();
		uint64_t op = rnd() % 8;

		val = rnd();
		if (op < 2) {
			// Mostly OCW2/OCW3, now and then ICW1.
			if ((port & 1) == 0 && port < 0x100 && width == 1 && rnd() % 10)
				val = (val & ~0x10) | (rnd() % 2 ? 0x08 : 0);
			r = pic_io(&p, port, width, true, &val);
			CHECK(r == 0 || r == -E_INVAL);
		} else if (op < 4) {
			r = pic_io(&p, port, width, false, &val);
			CHECK(r == 0 || r == -E_INVAL);
			CHECK(r < 0 || width == 4 || val >> (8 * width) == 0);
		} else if (op < 7) {
			int line = rnd() % 18 - 1;

			r = pic_set_irq(&p, line, rnd() % 2);
			CHECK(r == ((line < 0 || line > 15 || line == 2) ? -E_INVAL : 0));
		} else {
			v = pic_pending_vector(&p);
			r = pic_ack(&p);
			CHECK(pic_vector_ok(&p, r));
			CHECK(v == PIC_NONE ? r == (p.chip[0].base | 7) : r == v);
			pic_delivered += v != PIC_NONE;
		}
		pic_check(&p);
	}
}

/*
 * Invariants of the PIT at its time.  Returns whether it consumed the
 * pending edges (pit_advance) to check the next edge's timing.
 */
static bool
pit_check(struct pit *p)
{
	uint64_t next = pit_next_irq0_ns(p);

	CHECK(next == PIT_NEVER || next > p->now_ns);
	for (int i = 0; i < 3; i++) {
		const struct pit_channel *c = &p->ch[i];

		CHECK(c->latch_left <= 2);
		CHECK(!c->armed || (c->count >= 1 && c->count <= 65536));
		CHECK(!c->running || c->seen >= c->elapsed);
	}
	// The edge comes exactly when promised.
	if (next != PIT_NEVER && next - p->now_ns < SEC && rnd() % 16 == 0) {
		pit_advance(p, p->now_ns);
		CHECK(pit_advance(p, next - 1) == 0);
		CHECK(pit_advance(p, next) >= 1);
		pit_timed++;
		return true;
	}
	return false;
}

static void
fuzz_pit(void)
{
	static const uint16_t ports[] = { 0x40, 0x41, 0x42, 0x43, 0x61 };
	struct pit p;
	uint64_t now = rnd() % (1000 * SEC), since, edges, writes = 0;
	uint32_t val;
	int r;

	pit_init(&p, now);
	since = p.now;
	for (int step = 0; step < STEPS; step++) {
		uint16_t port = rnd_port(ports, 5);
		int width = rnd_width();
		uint64_t op = rnd() % 8;

		// Mostly small steps, sometimes long sleeps or none.
		if (rnd() % 4 == 0)
			now += rnd() % 4 == 0 ? rnd() % (10 * SEC) : rnd() % 100000;
		val = rnd();
		if (op < 3) {
			r = pit_io(&p, now, port, width, true, &val);
			CHECK(r == 0 || r == -E_INVAL);
			writes += width;
		} else if (op < 6) {
			r = pit_io(&p, now, port, width, false, &val);
			CHECK(r == 0 || r == -E_INVAL);
			CHECK(r < 0 || width == 4 || val >> (8 * width) == 0);
		} else {
			// At most one edge per two clocks (the shortest
			// period), and one for each write (a control word
			// or a gate can raise OUT at once).
			edges = pit_advance(&p, now);
			CHECK(edges <= (p.now - since) / 2 + 1 + writes);
			since = p.now;
			writes = 0;
		}
		if (pit_check(&p)) {
			since = p.now;
			writes = 0;
		}
		now = p.now_ns;
	}
}

/* Invariants of the UART. */
static void
uart_check(struct uart *u)
{
	CHECK(u->rx_count <= UART_FIFO && u->rx_head < UART_FIFO);
	CHECK((u->fcr & 1) || u->rx_count <= 1);
	CHECK(uart_rx_space(u) >= 0 && uart_rx_space(u) <= UART_FIFO);
	CHECK(!uart_irq(u) || (u->mcr & 0x18) == 0x08);
	CHECK(u->ier <= 0x0F && u->mcr <= 0x1F);
}

/* The tx callback: count the bytes. */
static void
count_tx(void *arg, uint8_t byte)
{
	(*(uint64_t *) arg)++;
}

static void
fuzz_uart(void)
{
	static const uint16_t ports[] = { 0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF };
	struct uart u;
	uint64_t sent = 0;
	uint32_t val, iir;
	int r, space;

	uart16550_init(&u, 0x3F8, count_tx, &sent);
	for (int step = 0; step < STEPS; step++) {
		uint16_t port = rnd_port(ports, 8);
		int width = rnd_width();
		uint64_t op = rnd() % 8;

		val = rnd();
		if (op < 3) {
			r = uart_io(&u, port, width, true, &val);
			CHECK(r == 0 || r == -E_INVAL);
		} else if (op < 6) {
			uint8_t dr = u.rx_count > 0;

			r = uart_io(&u, port, width, false, &val);
			CHECK(r == 0 || r == -E_INVAL);
			if (r == 0 && port == 0x3FD && width == 1)
				CHECK((val & 1) == dr && (val & 0x60) == 0x60);
			if (r == 0 && port == 0x3FA && width == 1) {
				iir = val & 0x3F;
				CHECK(iir == 0x01 || iir == 0x00 || iir == 0x02 || iir == 0x04 ||
				      iir == 0x06 || iir == 0x0C);
				CHECK((val & 0xC0) == ((u.fcr & 1) ? 0xC0 : 0));
			}
		} else {
			space = uart_rx_space(&u);
			CHECK(uart_input(&u, rnd()) == (space > 0));
		}
		uart_check(&u);
		uart_raised += uart_irq(&u);
	}
	CHECK(sent > 0);
}

/* A clock register's value v as a number, or -1 if it is not valid BCD. */
static int
rtc_number(const struct rtc *r, uint8_t v)
{
	if (r->ram[0x0B] & 0x04)
		return v;
	if ((v >> 4) > 9 || (v & 0xF) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0xF);
}

/* Whether clock register reg reads a valid value v in register B's format. */
static bool
rtc_valid(const struct rtc *r, int reg, uint8_t v)
{
	static const int lo[10] = { 0, 0, 0, 0, 0, 0, 1, 1, 1, 0 };
	static const int hi[10] = { 59, 0, 59, 0, 23, 0, 7, 31, 12, 99 };
	bool h12 = reg == 4 && !(r->ram[0x0B] & 0x02);
	int n = rtc_number(r, h12 ? v & 0x7F : v);

	if (h12)
		return n >= 1 && n <= 12;
	return n >= lo[reg] && n <= hi[reg];
}

static void
fuzz_rtc(void)
{
	static const uint16_t ports[] = { 0x70, 0x71 };
	static const uint8_t clock_regs[] = { 0, 2, 4, 6, 7, 8, 9 };
	struct rtc r;
	uint64_t now = rnd() % (100ULL * 365 * 86400 * SEC), next;
	uint32_t val, idx;
	int ret;

	rtc_init(&r, now, rnd() % (4ULL << 30));
	for (int step = 0; step < STEPS / 4; step++) {
		uint16_t port = rnd_port(ports, 2);
		int width = rnd_width();
		uint64_t op = rnd() % 8;

		if (rnd() % 4 == 0)
			now += rnd() % 4 == 0 ? rnd() % (400 * 86400 * SEC) : rnd() % SEC;
		val = rnd();
		if (op < 3) {
			ret = rtc_io(&r, now, port, width, true, &val);
			CHECK(ret == 0 || ret == -E_INVAL);
		} else if (op < 5) {
			ret = rtc_io(&r, now, port, width, false, &val);
			CHECK(ret == 0 || ret == -E_INVAL);
		} else if (op < 7 && !(r.ram[0x0B] & 0x80)) {
			// The clock running: every field in range.
			idx = clock_regs[rnd() % 7];
			CHECK(rtc_io(&r, now, 0x70, 1, true, &idx) == 0);
			CHECK(rtc_io(&r, now, 0x71, 1, false, &val) == 0);
			CHECK(rtc_valid(&r, idx, val));
			rtc_times++;
		} else {
			next = rtc_next_event_ns(&r);
			CHECK(next == RTC_NEVER || next > r.now_ns);
			rtc_irq(&r, now);
		}
		CHECK(r.index < RTC_CMOS_SIZE);
	}
}

/* The reset callback: count the resets. */
static void
count_reset(void *arg)
{
	(*(uint64_t *) arg)++;
}

static void
fuzz_i8042(void)
{
	static const uint16_t ports[] = { 0x60, 0x64 };
	struct i8042 k;
	uint64_t resets = 0, writes = 0;
	uint32_t val;
	int r, waiting;

	i8042_init(&k, count_reset, &resets);
	for (int step = 0; step < STEPS; step++) {
		uint16_t port = rnd_port(ports, 2);
		int width = rnd_width();
		uint64_t op = rnd() % 8;

		val = rnd();
		if (op < 3) {
			r = i8042_io(&k, port, width, true, &val);
			CHECK(r == 0 || r == -E_INVAL);
			writes += r == 0;
		} else if (op < 6) {
			bool full = k.obf;

			r = i8042_io(&k, port, width, false, &val);
			CHECK(r == 0 || r == -E_INVAL);
			if (r == 0 && port == 0x64 && width == 1)
				CHECK((val & 0x01) == full && (val & 0xC2) == 0);
			kbd_bytes += r == 0 && port == 0x60 && full;
		} else {
			waiting = k.keys.count + k.obf;
			if (i8042_type(&k, rnd() % 160))
				CHECK(k.keys.count + k.obf >= waiting + 2);
			else
				CHECK(k.keys.count + k.obf == waiting);
		}
		CHECK(k.keys.count <= I8042_QUEUE && k.keys.head < I8042_QUEUE);
		CHECK(k.replies.count <= I8042_QUEUE && k.replies.head < I8042_QUEUE);
		CHECK(!i8042_irq1(&k) || k.obf);
		CHECK(!(i8042_irq1(&k) && i8042_irq12(&k)));
		CHECK(resets <= writes);
	}
	CHECK(resets > 0);
}

/* The seed from argv[1] (decimal), or a fixed one. */
static uint64_t
seed_of(int argc, char **argv)
{
	uint64_t s = 0;

	if (argc < 2)
		return 0x8259825416550ULL;
	for (const char *c = argv[1]; *c >= '0' && *c <= '9'; c++)
		s = s * 10 + (*c - '0');
	return s ? s : 1;
}

int
main(int argc, char **argv)
{
	uint64_t seed = seed_of(argc, argv);

	printf("devfuzz_test: seed %llu, %d steps per model\n", (unsigned long long) seed, STEPS);
	rng = seed;
	fuzz_pic();
	fuzz_pit();
	fuzz_uart();
	fuzz_rtc();
	fuzz_i8042();
	printf("devfuzz_test: %llu PIC deliveries, %llu PIT edges timed, %llu UART IRQ steps, "
	       "%llu RTC times read, %llu keyboard bytes read\n",
	       (unsigned long long) pic_delivered, (unsigned long long) pit_timed,
	       (unsigned long long) uart_raised, (unsigned long long) rtc_times,
	       (unsigned long long) kbd_bytes);
	CHECK(pic_delivered > 1000 && pit_timed > 1000 && uart_raised > 1000);
	CHECK(rtc_times > 1000 && kbd_bytes > 1000);
	return hosttest_report("devfuzz_test");
}
