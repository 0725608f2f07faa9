/*
 * The gdb remote serial protocol, as a pure state machine that knows
 * nothing of the monitor (it also builds for the host's unit tests):
 * framing of the bytes that come in ($data#cs, acks, escapes, Ctrl-C),
 * and a dispatcher that answers each packet by calling an abstract
 * target (struct rsp_target).  The monitor's stub (vmm/gdb/stub.c)
 * moves the bytes and runs the guest; this file decides what they mean.
 */
#ifndef JOS_VMM_GDB_RSP_H
#define JOS_VMM_GDB_RSP_H

#include <inc/types.h>

// The longest packet payload taken in or sent (advertised as PacketSize).
#define RSP_PACKET_MAX	1024
// A framed reply: '$', payload (each byte at most escaped: two), '#', checksum.
#define RSP_FRAME_MAX	(2 * RSP_PACKET_MAX + 4)

// The registers a target reads and writes, whatever the guest's mode.
enum rsp_reg {
	RSP_RAX, RSP_RBX, RSP_RCX, RSP_RDX, RSP_RSI, RSP_RDI, RSP_RBP, RSP_RSP,
	RSP_R8, RSP_R9, RSP_R10, RSP_R11, RSP_R12, RSP_R13, RSP_R14, RSP_R15,
	RSP_RIP, RSP_RFLAGS,
	RSP_CS, RSP_SS, RSP_DS, RSP_ES, RSP_FS, RSP_GS,
	RSP_NREGS
};

// What the machine behind the protocol does.  Every call returns 0 or
// a negative number (the request fails with an error reply).
struct rsp_target {
	void *arg;
	bool (*is_64bit)(void *arg);	// the register layout: x86-64 or i386
	int (*get_reg)(void *arg, enum rsp_reg r, uint64_t *value);
	int (*set_reg)(void *arg, enum rsp_reg r, uint64_t value);
	// Guest-virtual memory: read_mem returns the bytes it could read
	// from the start (0 to len), write_mem 0 only when all were written.
	int (*read_mem)(void *arg, uint64_t addr, uint8_t *buf, int len);
	int (*write_mem)(void *arg, uint64_t addr, const uint8_t *buf, int len);
	int (*insert_bp)(void *arg, uint64_t addr);
	int (*remove_bp)(void *arg, uint64_t addr);
	// Hardware (execution) breakpoints; NULL: none (Z1 unsupported).
	int (*insert_hwbp)(void *arg, uint64_t addr);
	int (*remove_hwbp)(void *arg, uint64_t addr);
};

// Why the target last stopped (the stop reply says it).
enum rsp_stop {
	RSP_STOP_ATTACH,		// waiting for gdb before running
	RSP_STOP_INTERRUPT,		// Ctrl-C
	RSP_STOP_STEP,			// a single step ended
	RSP_STOP_BREAKPOINT,		// one of gdb's int3s
	RSP_STOP_HWBREAK,		// one of gdb's hardware breakpoints
};

// What the byte framer found (rsp_input).
enum rsp_event {
	RSP_EV_NONE,		// nothing yet
	RSP_EV_PACKET,		// a whole packet: acked, payload in r->pkt
	RSP_EV_BAD,		// a packet with a wrong checksum: nacked
	RSP_EV_INTERRUPT,	// Ctrl-C (0x03) between packets
	RSP_EV_NAK,		// gdb asks for the last reply again
};

// What the dispatcher tells the stub to do after a packet (rsp_dispatch).
enum rsp_action {
	RSP_ACT_REPLY,		// send r->reply, stay stopped
	RSP_ACT_CONTINUE,	// run the target; a stop reply follows later
	RSP_ACT_STEP,		// one instruction; a stop reply follows
	RSP_ACT_DETACH,		// send r->reply ("OK"), let the target run free
	RSP_ACT_KILL,		// no reply: end the target
};

struct rsp {
	// Framing state.
	int state;
	uint8_t sum;		// checksum of the payload as received
	int cs_digits;		// checksum digits seen
	uint8_t cs;		// checksum as sent
	bool escape;		// the last payload byte was '}'
	bool repeat;		// the last payload byte was '*' (run length)
	bool overflow;		// the payload ran past RSP_PACKET_MAX
	// The packet taken in (NUL-terminated; binary data may hold NULs).
	char pkt[RSP_PACKET_MAX + 1];
	int pkt_len;
	// The reply to send (payload, NUL-terminated) and its framing.
	char reply[RSP_PACKET_MAX + 1];
	int reply_len;
	char frame[RSP_FRAME_MAX + 1];
	int frame_len;
	// Why the target last stopped.
	enum rsp_stop stop;
	const struct rsp_target *target;
};

void	rsp_init(struct rsp *r, const struct rsp_target *t);
enum rsp_event rsp_input(struct rsp *r, uint8_t c);
enum rsp_event rsp_receive(struct rsp *r, uint8_t c, void (*put)(const char *s, int n));
enum rsp_action rsp_dispatch(struct rsp *r);
void	rsp_stop_reply(struct rsp *r, enum rsp_stop why);
int	rsp_frame(struct rsp *r);

// The register layouts gdb is told (tdesc.c): gdb's register n is
// *reg (or none: x87 state, read as zeros) of *size bytes; -1 past the end.
int	rsp_reg_layout(bool is64, int n, int *reg, int *size);
const char *rsp_target_xml(bool is64, int *len);

// Hex helpers (also the tests').
int	rsp_hexval(int c);
int	rsp_hex_encode(char *out, int outmax, const uint8_t *buf, int len);
int	rsp_hex_decode(uint8_t *out, int outmax, const char *hex, int hexlen);

#endif
