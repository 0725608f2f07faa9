/*
 * Host-side tests of the gdb remote serial protocol (vmm/gdb/rsp.c,
 * cmd.c, tdesc.c) against a fake target: a register file, 64 KiB of
 * memory at FAKE_BASE and a breakpoint list.  Then a fuzz loop feeds
 * random and mutated packets: no crash, no write past a buffer, every
 * reply a well-formed frame no longer than the limit.
 */
#include <inc/string.h>
#include <vmm/gdb/rsp.h>
#include <vmm/test/hosttest.h>

#define FAKE_BASE	0xffff800000100000ULL
#define FAKE_SIZE	65536

static struct {
	bool is64;
	uint64_t regs[RSP_NREGS];
	uint8_t mem[FAKE_SIZE];
	uint64_t bps[8];
	int nbps;
	int nhwbps;		// hardware breakpoints: at most 4, anywhere
} fake;

static bool fake_is64(void *arg) { return fake.is64; }

static int
fake_get_reg(void *arg, enum rsp_reg r, uint64_t *v)
{
	if (r >= RSP_NREGS)
		return -1;
	*v = fake.regs[r];
	return 0;
}

static int
fake_set_reg(void *arg, enum rsp_reg r, uint64_t v)
{
	if (r >= RSP_NREGS)
		return -1;
	fake.regs[r] = v;
	return 0;
}

/* Memory exists only in [FAKE_BASE, FAKE_BASE + FAKE_SIZE). */
static int
fake_read_mem(void *arg, uint64_t addr, uint8_t *buf, int len)
{
	int n = 0;

	while (n < len && addr + n >= FAKE_BASE && addr + n < FAKE_BASE + FAKE_SIZE) {
		buf[n] = fake.mem[addr + n - FAKE_BASE];
		n++;
	}
	return n;
}

static int
fake_write_mem(void *arg, uint64_t addr, const uint8_t *buf, int len)
{
	if (addr < FAKE_BASE || addr + len > FAKE_BASE + FAKE_SIZE || addr + len < addr)
		return -1;
	memcpy(fake.mem + (addr - FAKE_BASE), buf, len);
	return 0;
}

static int
fake_insert_bp(void *arg, uint64_t addr)
{
	if (fake.nbps == 8 || addr < FAKE_BASE || addr >= FAKE_BASE + FAKE_SIZE)
		return -1;
	fake.bps[fake.nbps++] = addr;
	return 0;
}

static int
fake_remove_bp(void *arg, uint64_t addr)
{
	int i;

	for (i = 0; i < fake.nbps; i++)
		if (fake.bps[i] == addr) {
			fake.bps[i] = fake.bps[--fake.nbps];
			return 0;
		}
	return -1;
}

static int
fake_insert_hwbp(void *arg, uint64_t addr)
{
	return fake.nhwbps == 4 ? -1 : (fake.nhwbps++, 0);
}

static int
fake_remove_hwbp(void *arg, uint64_t addr)
{
	return fake.nhwbps == 0 ? -1 : (fake.nhwbps--, 0);
}

static const struct rsp_target fake_target = {
	.is_64bit = fake_is64, .get_reg = fake_get_reg, .set_reg = fake_set_reg,
	.read_mem = fake_read_mem, .write_mem = fake_write_mem,
	.insert_bp = fake_insert_bp, .remove_bp = fake_remove_bp,
	.insert_hwbp = fake_insert_hwbp, .remove_hwbp = fake_remove_hwbp,
};

// The protocol state with guards around it: a write past its buffers
// would change one.
static struct {
	uint8_t before[64];
	struct rsp r;
	uint8_t after[64];
} guarded;
#define R	(&guarded.r)

static bool
guards_intact(void)
{
	int i;

	for (i = 0; i < 64; i++)
		if (guarded.before[i] != 0xA5 || guarded.after[i] != 0x5A)
			return false;
	return true;
}

/* Feed n bytes; the last event seen other than RSP_EV_NONE. */
static enum rsp_event
feed(const char *s, int n)
{
	enum rsp_event ev, last = RSP_EV_NONE;
	int i;

	for (i = 0; i < n; i++)
		if ((ev = rsp_input(R, s[i])) != RSP_EV_NONE)
			last = ev;
	return last;
}

/* Send payload as a correct packet and dispatch it; the action. */
static enum rsp_action
send(const char *payload)
{
	char frame[RSP_FRAME_MAX + 16];
	uint8_t sum = 0;
	int i, n = 0;

	frame[n++] = '$';
	for (i = 0; payload[i] && n < RSP_FRAME_MAX; i++) {
		frame[n++] = payload[i];
		sum += (uint8_t) payload[i];
	}
	frame[n++] = '#';
	frame[n++] = "0123456789abcdef"[sum >> 4];
	frame[n++] = "0123456789abcdef"[sum & 15];
	if (feed(frame, n) != RSP_EV_PACKET)
		return -1;
	return rsp_dispatch(R);
}

/* Whether string s holds string sub. */
static bool
strstr_found(const char *s, const char *sub)
{
	int n = strlen(sub);

	for (; *s; s++)
		if (strncmp(s, sub, n) == 0)
			return true;
	return false;
}

static bool
reply_is(const char *s)
{
	return strcmp(R->reply, s) == 0;
}

/* Whether r's frame is $payload#cs with a right checksum, under the limit. */
static bool
frame_ok(void)
{
	int n = rsp_frame(R), i;
	uint8_t sum = 0;

	if (n > RSP_FRAME_MAX || n < 4 || R->frame[0] != '$' || R->frame[n - 3] != '#')
		return false;
	for (i = 1; i < n - 3; i++) {
		if (R->frame[i] == '$' || R->frame[i] == '#')
			return false;
		sum += (uint8_t) R->frame[i];
	}
	return rsp_hexval(R->frame[n - 2]) == sum >> 4 && rsp_hexval(R->frame[n - 1]) == (sum & 15);
}

static void
reset(bool is64)
{
	int i;

	memset(&fake, 0, sizeof(fake));
	fake.is64 = is64;
	for (i = 0; i < RSP_NREGS; i++)
		fake.regs[i] = 0x1111111111111111ULL * (i % 15 + 1);
	for (i = 0; i < FAKE_SIZE; i++)
		fake.mem[i] = i * 7;
	memset(guarded.before, 0xA5, 64);
	memset(guarded.after, 0x5A, 64);
	rsp_init(R, &fake_target);
}

/* Framing: acks, bad checksums, escapes, run length, Ctrl-C, overflow. */
static void
test_framing(void)
{
	char big[RSP_PACKET_MAX + 64];
	int i;

	reset(true);
	CHECK(feed("$g#67", 5) == RSP_EV_PACKET && strcmp(R->pkt, "g") == 0);
	CHECK(feed("$g#68", 5) == RSP_EV_BAD);
	CHECK(feed("$g#6x", 5) == RSP_EV_BAD);
	CHECK(feed("\x03", 1) == RSP_EV_INTERRUPT);
	CHECK(feed("-", 1) == RSP_EV_NAK);
	CHECK(feed("+", 1) == RSP_EV_NONE);
	// '}' escapes: "}]" is ']' ^ 0x20 = '}'; the sum counts raw bytes.
	CHECK(feed("$a}]#3b", 7) == RSP_EV_PACKET && strcmp(R->pkt, "a}") == 0);
	// Run length: "0* " is '0' and 3 more ('  ' is 32, 32 - 29 = 3).
	CHECK(feed("$0* #7a", 7) == RSP_EV_PACKET && strcmp(R->pkt, "0000") == 0);
	// A '$' inside a packet starts a new one.
	CHECK(feed("$ab$g#67", 8) == RSP_EV_PACKET && strcmp(R->pkt, "g") == 0);
	// Longer than the buffer: a packet marked overflowed, answered E01.
	big[0] = '$';
	for (i = 1; i < RSP_PACKET_MAX + 40; i++)
		big[i] = 'm';
	big[i++] = '#';
	big[i++] = '0';
	big[i++] = '0';
	{
		uint8_t sum = ('m' * (RSP_PACKET_MAX + 39)) & 0xFF;
		big[i - 2] = "0123456789abcdef"[sum >> 4];
		big[i - 1] = "0123456789abcdef"[sum & 15];
	}
	CHECK(feed(big, i) == RSP_EV_PACKET && R->overflow && R->pkt_len == RSP_PACKET_MAX);
	CHECK(rsp_dispatch(R) == RSP_ACT_REPLY && reply_is("E01"));
	CHECK(guards_intact());
	// The frame escapes what must be.
	strcpy(R->reply, "a#b$c}d*");
	R->reply_len = 8;
	CHECK(frame_ok() && strncmp(R->frame, "$a}\x03" "b}\x04" "c}]d}\x0a#", 14) == 0);
}

/* Registers: g, G, p, P in both layouts. */
static void
test_registers(void)
{
	char expect[64];
	int i;

	reset(true);
	CHECK(send("g") == RSP_ACT_REPLY);
	// rax rbx: 0x1111..., 0x2222... ; 24 + 16 x87 registers: 276 bytes.
	CHECK(R->reply_len == 2 * (16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4));
	CHECK(strncmp(R->reply, "11111111111111112222222222222222", 32) == 0);
	// rip is register 16, eflags 17 (4 bytes).
	CHECK(send("p10") == RSP_ACT_REPLY && reply_is("2222222222222222"));
	CHECK(send("P10=efcdab8967452301") == RSP_ACT_REPLY && reply_is("OK"));
	CHECK(fake.regs[RSP_RIP] == 0x0123456789abcdefULL);
	CHECK(send("p11") == RSP_ACT_REPLY && reply_is("33333333"));	// eflags: 4 bytes
	CHECK(send("p18") == RSP_ACT_REPLY && reply_is("00000000000000000000"));	// st0
	CHECK(send("p28") == RSP_ACT_REPLY && reply_is("E14"));	// past the end
	CHECK(send("P10=12") == RSP_ACT_REPLY && reply_is("E01"));	// too short
	CHECK(send("Pzz=12") == RSP_ACT_REPLY && reply_is("E01"));
	// G writes them all back.
	CHECK(send("g") == RSP_ACT_REPLY);
	{
		char g[RSP_PACKET_MAX + 2];
		g[0] = 'G';
		strcpy(g + 1, R->reply);
		g[1] = 'f';	// rax's low byte: 0xf1
		CHECK(send(g) == RSP_ACT_REPLY && reply_is("OK"));
		CHECK(fake.regs[RSP_RAX] == 0x11111111111111f1ULL);
		g[5] = 0;	// a short G
		CHECK(send(g) == RSP_ACT_REPLY && reply_is("E01"));
	}
	// i386: eax ecx edx ebx esp ...; 16 + 16 registers.
	reset(false);
	CHECK(send("g") == RSP_ACT_REPLY);
	CHECK(R->reply_len == 2 * (16 * 4 + 8 * 10 + 8 * 4));
	// ecx (register 1) is RSP_RCX's low 32 bits.
	for (i = 0; i < 8; i++)
		expect[i] = "33333333"[i];
	expect[8] = 0;
	CHECK(strncmp(R->reply + 8, expect, 8) == 0);
	CHECK(send("p4") == RSP_ACT_REPLY && reply_is("88888888"));	// esp: RSP_RSP = 7
}

/* Memory: m, M, partial reads, bad addresses. */
static void
test_memory(void)
{
	reset(true);
	CHECK(send("mffff800000100000,4") == RSP_ACT_REPLY && reply_is("00070e15"));
	CHECK(send("Mffff800000100000,2:abcd") == RSP_ACT_REPLY && reply_is("OK"));
	CHECK(fake.mem[0] == 0xab && fake.mem[1] == 0xcd);
	// The last two bytes of the fake memory, then nothing.
	CHECK(send("mffff80000010fffe,8") == RSP_ACT_REPLY && R->reply_len == 4);
	CHECK(send("m0,4") == RSP_ACT_REPLY && reply_is("E14"));
	CHECK(send("M0,1:00") == RSP_ACT_REPLY && reply_is("E14"));
	CHECK(send("mffff800000100000") == RSP_ACT_REPLY && reply_is("E01"));
	CHECK(send("Mffff800000100000,2:ab") == RSP_ACT_REPLY && reply_is("E01"));
	CHECK(send("m11111111111111111,1") == RSP_ACT_REPLY && reply_is("E01"));
	// A huge length is cut to what one reply holds.
	CHECK(send("mffff800000100000,ffffffff") == RSP_ACT_REPLY
	      && R->reply_len == RSP_PACKET_MAX);
	CHECK(send("m0,0") == RSP_ACT_REPLY && reply_is(""));
}

/* Run control, breakpoints, stop replies. */
static void
test_control(void)
{
	reset(true);
	CHECK(send("?") == RSP_ACT_REPLY && reply_is("S05"));
	CHECK(send("Z0,ffff800000100010,1") == RSP_ACT_REPLY && reply_is("OK"));
	CHECK(fake.nbps == 1 && fake.bps[0] == 0xffff800000100010ULL);
	CHECK(send("Z0,10,1") == RSP_ACT_REPLY && reply_is("E14"));
	CHECK(send("z0,ffff800000100010,1") == RSP_ACT_REPLY && reply_is("OK") && fake.nbps == 0);
	for (int i = 0; i < 4; i++)
		CHECK(send("Z1,ffff800000100010,1") == RSP_ACT_REPLY && reply_is("OK"));
	CHECK(send("Z1,ffff800000100020,1") == RSP_ACT_REPLY && reply_is("E14"));
	CHECK(send("z1,ffff800000100010,1") == RSP_ACT_REPLY && reply_is("OK") && fake.nhwbps == 3);
	CHECK(send("Z1,zz") == RSP_ACT_REPLY && reply_is("E01"));
	CHECK(send("Z2,ffff800000100010,8") == RSP_ACT_REPLY && reply_is(""));
	CHECK(send("Z0,zz") == RSP_ACT_REPLY && reply_is("E01"));
	CHECK(send("c") == RSP_ACT_CONTINUE);
	CHECK(send("s") == RSP_ACT_STEP);
	CHECK(send("cffff800000100000") == RSP_ACT_CONTINUE
	      && fake.regs[RSP_RIP] == 0xffff800000100000ULL);
	CHECK(send("vCont?") == RSP_ACT_REPLY && reply_is("vCont;c;C;s;S"));
	CHECK(send("vCont;s:1;c") == RSP_ACT_STEP);
	CHECK(send("vCont;c") == RSP_ACT_CONTINUE);
	CHECK(send("vCont;x") == RSP_ACT_REPLY && reply_is(""));
	CHECK(send("vCont") == RSP_ACT_REPLY && reply_is("E01"));
	rsp_stop_reply(R, RSP_STOP_BREAKPOINT);
	CHECK(reply_is("T05swbreak:;"));
	CHECK(send("?") == RSP_ACT_REPLY && reply_is("T05swbreak:;"));
	rsp_stop_reply(R, RSP_STOP_HWBREAK);
	CHECK(reply_is("T05hwbreak:;"));
	rsp_stop_reply(R, RSP_STOP_INTERRUPT);
	CHECK(reply_is("S02"));
	CHECK(send("D") == RSP_ACT_DETACH && reply_is("OK"));
	CHECK(send("k") == RSP_ACT_KILL);
	CHECK(send("Hg0") == RSP_ACT_REPLY && reply_is("OK"));
	CHECK(send("X0,0:") == RSP_ACT_REPLY && reply_is(""));	// unknown: empty
}

/* Queries and the target description, read in pieces. */
static void
test_queries(void)
{
	char xml[8192];
	int len = 0, off, guard;

	reset(true);
	CHECK(send("qSupported:multiprocess+;swbreak+") == RSP_ACT_REPLY
	      && reply_is("PacketSize=400;qXfer:features:read+;swbreak+;hwbreak+"));
	CHECK(send("qAttached") == RSP_ACT_REPLY && reply_is("1"));
	CHECK(send("qXfer:features:read:other.xml:0,100") == RSP_ACT_REPLY && reply_is("E00"));
	CHECK(send("qXfer:features:read:target.xml:0") == RSP_ACT_REPLY && reply_is("E01"));
	for (off = 0, guard = 0; guard < 100; guard++) {
		char q[64] = "qXfer:features:read:target.xml:";
		int n = strlen(q), d;
		// offset in hex, then ",80"
		for (d = 12; d >= 0; d -= 4)
			q[n++] = "0123456789abcdef"[(off >> d) & 15];
		strcpy(q + n, ",80");
		CHECK(send(q) == RSP_ACT_REPLY);
		if (R->reply[0] != 'm' && R->reply[0] != 'l')
			break;
		memcpy(xml + len, R->reply + 1, R->reply_len - 1);
		len += R->reply_len - 1;
		off += R->reply_len - 1;
		if (R->reply[0] == 'l')
			break;
	}
	xml[len] = 0;
	CHECK(R->reply[0] == 'l');
	CHECK(strstr_found(xml, "<architecture>i386:x86-64</architecture>"));
	CHECK(strstr_found(xml, "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"));
	CHECK(strstr_found(xml, "org.gnu.gdb.i386.core"));
	CHECK(strstr_found(xml, "</target>"));
	reset(false);
	CHECK(send("qXfer:features:read:target.xml:0,fff") == RSP_ACT_REPLY && R->reply[0] == 'm'
	      && R->reply_len == RSP_PACKET_MAX);
	CHECK(strstr_found(R->reply, "<architecture>i386</architecture>"));
	CHECK(strstr_found(R->reply, "<reg name=\"eip\" bitsize=\"32\""));
	CHECK(send("qXfer:features:read:target.xml:ffff,10") == RSP_ACT_REPLY && reply_is("l"));
	CHECK(send("qFoo") == RSP_ACT_REPLY && reply_is(""));
}

// A small pseudo-random generator (xorshift), fixed seed: repeatable.
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Fuzz: random bytes, and valid packets with bytes changed, inserted or
 * cut, through framing and dispatch.  Every reply must frame well and
 * the guards must hold.
 */
static void
test_fuzz(void)
{
	static const char *seeds[] = {
		"g", "G0011", "p10", "P10=0011223344556677", "mffff800000100000,40",
		"Mffff800000100000,2:abcd", "Z0,ffff800000100010,1", "z0,ffff800000100010,1",
		"c", "sffff800000100000", "vCont;s:1;c", "vCont?", "qSupported:xmlRegisters=i386",
		"qXfer:features:read:target.xml:0,fff", "qAttached", "?", "D", "k", "H g0",
	};
	char pkt[RSP_PACKET_MAX + 200];
	int iter, i, n, bad_frames = 0, packets = 0;
	enum rsp_event ev;

	reset(true);
	for (iter = 0; iter < 200000; iter++) {
		if (iter % 1000 == 0)
			fake.is64 = !fake.is64;
		if (rng() % 4 == 0) {
			// Raw noise, now and then a long run.
			n = rng() % 8 == 0 ? sizeof(pkt) : 40;
			n = rng() % n;
			for (i = 0; i < n; i++)
				pkt[i] = rng() % 3 == 0 ? "$#}*\x03-+0a,:;"[rng() % 13] : rng();
			for (i = 0; i < n; i++) {
				ev = rsp_input(R, pkt[i]);
				if (ev == RSP_EV_PACKET) {
					packets++;
					rsp_dispatch(R);
					if (!frame_ok())
						bad_frames++;
				}
			}
			continue;
		}
		// A seed, mutated.
		strcpy(pkt, seeds[rng() % (sizeof(seeds) / sizeof(seeds[0]))]);
		n = strlen(pkt);
		for (i = rng() % 4; i > 0; i--) {
			int at = n ? rng() % n : 0;
			switch (rng() % 3) {
			case 0: pkt[at] = rng() % 2 ? rng() : "0123456789abcdef,:;=zZ"[rng() % 22]; break;
			case 1: if (n < (int) sizeof(pkt) - 2) { memmove(pkt + at + 1, pkt + at, n - at); pkt[at] = rng(); n++; } break;
			default: n = at; break;
			}
		}
		pkt[n] = 0;
		for (i = 0; i < n; i++)	// no NULs in send()'s payload
			if (!pkt[i])
				pkt[i] = '0';
		if (send(pkt) != (enum rsp_action) -1) {
			packets++;
			if (!frame_ok())
				bad_frames++;
		}
		if (!guards_intact())
			break;
	}
	CHECK(iter == 200000);
	CHECK(guards_intact());
	CHECK(bad_frames == 0);
	CHECK(packets > 100000);
	printf("rsp_test: fuzz: %d packets dispatched\n", packets);
}

int
main(void)
{
	test_framing();
	test_registers();
	test_memory();
	test_control();
	test_queries();
	test_fuzz();
	return hosttest_report("rsp_test");
}
