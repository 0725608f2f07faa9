/*
 * A gdb remote target on stdin/stdout for checking the protocol
 * against the real gdb without an emulator (conf/tests/05-unit.sh,
 * unit_rsp_gdb): `target remote | obj/hosttest/rsp_serve`.  Behind it,
 * a fake x86-64 machine (its stdin's end, gdb's last ack, ends it): registers, 64 KiB of memory at FAKE_BASE, a
 * "step" that adds 1 to rip, a "continue" that stops at the lowest
 * breakpoint above rip.
 */
#include <inc/string.h>
#include <vmm/gdb/rsp.h>

long	read(int fd, void *buf, unsigned long n);
long	write(int fd, const void *buf, unsigned long n);

#define FAKE_BASE	0x100000ULL
#define FAKE_SIZE	65536

static uint64_t regs[RSP_NREGS];
static uint8_t mem[FAKE_SIZE];
static uint64_t bps[16];
static int nbps;

static bool is64(void *arg) { return true; }

static int
get_reg(void *arg, enum rsp_reg r, uint64_t *v)
{
	*v = regs[r];
	return 0;
}

static int
set_reg(void *arg, enum rsp_reg r, uint64_t v)
{
	regs[r] = v;
	return 0;
}

static int
read_mem(void *arg, uint64_t addr, uint8_t *buf, int len)
{
	int n = 0;

	for (; n < len && addr + n >= FAKE_BASE && addr + n < FAKE_BASE + FAKE_SIZE; n++)
		buf[n] = mem[addr + n - FAKE_BASE];
	return n;
}

static int
write_mem(void *arg, uint64_t addr, const uint8_t *buf, int len)
{
	if (addr < FAKE_BASE || addr + len > FAKE_BASE + FAKE_SIZE)
		return -1;
	memcpy(mem + addr - FAKE_BASE, buf, len);
	return 0;
}

static int
insert_bp(void *arg, uint64_t addr)
{
	if (nbps == 16)
		return -1;
	bps[nbps++] = addr;
	return 0;
}

static int
remove_bp(void *arg, uint64_t addr)
{
	for (int i = 0; i < nbps; i++)
		if (bps[i] == addr) {
			bps[i] = bps[--nbps];
			return 0;
		}
	return -1;
}

static const struct rsp_target target = {
	.is_64bit = is64, .get_reg = get_reg, .set_reg = set_reg,
	.read_mem = read_mem, .write_mem = write_mem,
	.insert_bp = insert_bp, .remove_bp = remove_bp,
};

static struct rsp r;

static void
put(const char *s, int n)
{
	write(1, s, n);
}

int
main(void)
{
	uint8_t c;
	enum rsp_action act;
	uint64_t best;
	int i;

	for (i = 0; i < RSP_NREGS; i++)
		regs[i] = 0x1000 * i;
	regs[RSP_RIP] = FAKE_BASE;
	regs[RSP_RSP] = FAKE_BASE + 0x8000;
	for (i = 0; i < FAKE_SIZE; i++)
		mem[i] = 0x90;		// nop
	rsp_init(&r, &target);
	while (read(0, &c, 1) == 1) {
		if (rsp_receive(&r, c, put) != RSP_EV_PACKET)
			continue;
		act = rsp_dispatch(&r);
		if (act == RSP_ACT_KILL)
			return 0;
		if (act == RSP_ACT_STEP) {
			regs[RSP_RIP]++;
			regs[RSP_RAX]++;
			rsp_stop_reply(&r, RSP_STOP_STEP);
		} else if (act == RSP_ACT_CONTINUE) {
			best = 0;
			for (i = 0; i < nbps; i++)
				if (bps[i] > regs[RSP_RIP] && (!best || bps[i] < best))
					best = bps[i];
			if (!best) {
				rsp_stop_reply(&r, RSP_STOP_INTERRUPT);
			} else {
				regs[RSP_RIP] = best;
				rsp_stop_reply(&r, RSP_STOP_BREAKPOINT);
			}
		}
		rsp_frame(&r);
		put(r.frame, r.frame_len);
	}
	return 0;
}
