/*
 * The remote serial protocol's framing and hex helpers (rsp.h): bytes
 * from gdb become packets, replies become frames.  A packet is
 * $payload#cs, cs the payload's byte sum mod 256 in two hex digits;
 * '}' escapes the next byte (XOR 0x20); '*' repeats the byte before it
 * (the next byte minus 29 times); 0x03 between packets is Ctrl-C.
 */
#include <vmm/gdb/rsp.h>

enum { FR_IDLE, FR_DATA, FR_CSUM };

/* A fresh protocol state for target t, stopped before it first runs. */
void
rsp_init(struct rsp *r, const struct rsp_target *t)
{
	r->state = FR_IDLE;
	r->pkt_len = 0;
	r->pkt[0] = 0;
	r->reply_len = 0;
	r->reply[0] = 0;
	r->frame_len = 0;
	r->frame[0] = 0;
	r->overflow = false;
	r->stop = RSP_STOP_ATTACH;
	r->target = t;
}

/* The value of hex digit c, or -1 if it is none. */
int
rsp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * len bytes of buf as 2*len hex digits at out (NUL-terminated), if
 * they fit in outmax bytes; the digits written, or -1.
 */
int
rsp_hex_encode(char *out, int outmax, const uint8_t *buf, int len)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	if (len < 0 || 2 * len + 1 > outmax)
		return -1;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 15];
	}
	out[2 * len] = 0;
	return 2 * len;
}

/*
 * hexlen hex digits (an even number) as bytes at out, at most outmax;
 * the bytes written, or -1 if a digit is bad or they do not fit.
 */
int
rsp_hex_decode(uint8_t *out, int outmax, const char *hex, int hexlen)
{
	int i, hi, lo;

	if (hexlen < 0 || hexlen % 2 || hexlen / 2 > outmax)
		return -1;
	for (i = 0; i < hexlen / 2; i++) {
		hi = rsp_hexval(hex[2 * i]);
		lo = rsp_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return hexlen / 2;
}

/* Append payload byte c; past the limit the packet is marked too long. */
static void
rsp_store(struct rsp *r, char c)
{
	if (r->pkt_len < RSP_PACKET_MAX)
		r->pkt[r->pkt_len++] = c;
	else
		r->overflow = true;
}

/*
 * Take one byte from gdb.  RSP_EV_PACKET: r->pkt holds a whole packet
 * whose checksum is right (the caller acks it with '+'; one that ran
 * past RSP_PACKET_MAX has r->overflow set and gets an error reply).
 * RSP_EV_BAD: a wrong checksum or digit (the caller nacks with '-').
 */
enum rsp_event
rsp_input(struct rsp *r, uint8_t c)
{
	int d, n;

	switch (r->state) {
	case FR_IDLE:
		if (c == '$') {
			r->state = FR_DATA;
			r->sum = 0;
			r->pkt_len = 0;
			r->escape = r->repeat = r->overflow = false;
			return RSP_EV_NONE;
		}
		if (c == 0x03)
			return RSP_EV_INTERRUPT;
		if (c == '-')
			return RSP_EV_NAK;
		return RSP_EV_NONE;	// '+' and noise between packets
	case FR_DATA:
		if (c == '$') {		// a new packet: drop the broken one
			r->state = FR_IDLE;
			return rsp_input(r, c);
		}
		if (c == '#') {
			r->state = FR_CSUM;
			r->cs_digits = 0;
			r->cs = 0;
			return RSP_EV_NONE;
		}
		r->sum += c;
		if (r->escape) {
			r->escape = false;
			rsp_store(r, c ^ 0x20);
		} else if (r->repeat) {
			r->repeat = false;
			n = c - 29;
			if (r->pkt_len == 0 || n < 0)
				r->overflow = true;	// malformed: answered with an error
			else
				while (n-- > 0)
					rsp_store(r, r->pkt[r->pkt_len - 1]);
		} else if (c == '}')
			r->escape = true;
		else if (c == '*')
			r->repeat = true;
		else
			rsp_store(r, c);
		return RSP_EV_NONE;
	default:	// FR_CSUM
		d = rsp_hexval(c);
		if (d < 0) {
			r->state = FR_IDLE;
			return RSP_EV_BAD;
		}
		r->cs = r->cs << 4 | d;
		if (++r->cs_digits < 2)
			return RSP_EV_NONE;
		r->state = FR_IDLE;
		r->pkt[r->pkt_len] = 0;
		return r->cs == r->sum ? RSP_EV_PACKET : RSP_EV_BAD;
	}
}

/*
 * Frame r->reply into r->frame ($payload#cs, with '$', '#', '}' and
 * '*' escaped); returns its length.
 */
int
rsp_frame(struct rsp *r)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t sum = 0;
	int i, n = 0;
	char c;

	r->frame[n++] = '$';
	for (i = 0; i < r->reply_len; i++) {
		c = r->reply[i];
		if (c == '$' || c == '#' || c == '}' || c == '*') {
			r->frame[n++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		r->frame[n++] = c;
		sum += (uint8_t) c;
	}
	r->frame[n++] = '#';
	r->frame[n++] = digits[sum >> 4];
	r->frame[n++] = digits[sum & 15];
	r->frame[n] = 0;
	r->frame_len = n;
	return n;
}

/*
 * Take byte c as rsp_input does, and send the framing's own answers
 * through put: '+' for a good packet, '-' for a bad one, the last
 * frame again when gdb asks.  Returns RSP_EV_PACKET (to dispatch),
 * RSP_EV_INTERRUPT, or RSP_EV_NONE.
 */
enum rsp_event
rsp_receive(struct rsp *r, uint8_t c, void (*put)(const char *s, int n))
{
	switch (rsp_input(r, c)) {
	case RSP_EV_PACKET:
		put("+", 1);
		return RSP_EV_PACKET;
	case RSP_EV_BAD:
		put("-", 1);
		return RSP_EV_NONE;
	case RSP_EV_NAK:
		put(r->frame, r->frame_len);
		return RSP_EV_NONE;
	case RSP_EV_INTERRUPT:
		return RSP_EV_INTERRUPT;
	default:
		return RSP_EV_NONE;
	}
}
