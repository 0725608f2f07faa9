/*
 * The remote serial protocol's commands (rsp.h): each packet gdb sends
 * answered through the abstract target.  Malformed packets get an error
 * reply (E01), a failing target E14 (EFAULT), unknown packets the empty
 * reply, which tells gdb the command is not supported.
 */
#include <vmm/gdb/rsp.h>

#define ERR_SYNTAX	"E01"
#define ERR_TARGET	"E14"
// Bytes of memory one m packet may read: its reply is two digits a byte.
#define MEM_MAX		(RSP_PACKET_MAX / 2)

/* Append string s to the reply (cut at RSP_PACKET_MAX). */
static void
reply_append(struct rsp *r, const char *s)
{
	while (*s && r->reply_len < RSP_PACKET_MAX)
		r->reply[r->reply_len++] = *s++;
	r->reply[r->reply_len] = 0;
}

/* Start the reply as string s. */
static void
reply_set(struct rsp *r, const char *s)
{
	r->reply_len = 0;
	reply_append(r, s);
}

/* Append v as a hex number, most significant digit first. */
static void
reply_append_number(struct rsp *r, uint64_t v)
{
	char hex[17];
	int i = 16;

	hex[i] = 0;
	do
		hex[--i] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) && i > 0);
	reply_append(r, hex + i);
}

/* Append hex digits for size bytes of v, least significant first. */
static void
reply_hex_le(struct rsp *r, uint64_t v, int size)
{
	uint8_t bytes[10] = { 0 };
	int i;

	for (i = 0; i < size && i < 8; i++)
		bytes[i] = v >> (8 * i);
	if (r->reply_len + 2 * size <= RSP_PACKET_MAX)
		r->reply_len += rsp_hex_encode(r->reply + r->reply_len,
					       RSP_PACKET_MAX + 1 - r->reply_len, bytes, size);
}

/* Whether packet p begins with s. */
static bool
starts(const char *p, const char *s)
{
	while (*s)
		if (*p++ != *s++)
			return false;
	return true;
}

/*
 * A hex number at *p (at most 16 digits), *p moved past it; -1 if
 * there is none or it is too long.
 */
static int
parse_hex(const char **p, uint64_t *v)
{
	int n = 0, d;

	*v = 0;
	while ((d = rsp_hexval(**p)) >= 0) {
		if (++n > 16)
			return -1;
		*v = *v << 4 | d;
		(*p)++;
	}
	return n ? 0 : -1;
}

/* "ADDR,LEN" at *p, followed by the character end. */
static int
parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char end)
{
	if (parse_hex(p, addr) < 0 || **p != ',')
		return -1;
	(*p)++;
	if (parse_hex(p, len) < 0 || **p != end)
		return -1;
	if (end)
		(*p)++;
	return 0;
}

/* Little-endian bytes of size at hex into *v. */
static int
parse_reg_value(const char *hex, int size, uint64_t *v)
{
	uint8_t bytes[10];
	int i;

	if (rsp_hex_decode(bytes, sizeof(bytes), hex, 2 * size) != size)
		return -1;
	*v = 0;
	for (i = 0; i < size && i < 8; i++)
		*v |= (uint64_t) bytes[i] << (8 * i);
	return 0;
}

static bool
is64(struct rsp *r)
{
	return r->target->is_64bit(r->target->arg);
}

/* gdb's register n: its value and size; -1 if there is no such register. */
static int
reg_read(struct rsp *r, int n, uint64_t *v, int *size)
{
	int reg;

	if (rsp_reg_layout(is64(r), n, &reg, size) < 0)
		return -1;
	*v = 0;
	if (reg < 0)
		return 0;	// x87: zeros
	return r->target->get_reg(r->target->arg, reg, v) < 0 ? -1 : 0;
}

/* g: every register, in layout order. */
static void
cmd_read_regs(struct rsp *r)
{
	uint64_t v;
	int n, size;

	reply_set(r, "");
	for (n = 0; rsp_reg_layout(is64(r), n, &(int){0}, &size) == 0; n++) {
		if (reg_read(r, n, &v, &size) < 0) {
			reply_set(r, ERR_TARGET);
			return;
		}
		reply_hex_le(r, v, size);
	}
}

/* Write gdb's register n from hex digits; -1 on bad input or failure. */
static int
reg_write(struct rsp *r, int n, const char *hex)
{
	uint64_t v;
	int reg, size;

	if (rsp_reg_layout(is64(r), n, &reg, &size) < 0 || parse_reg_value(hex, size, &v) < 0)
		return -1;
	if (reg < 0)
		return 0;	// x87: dropped
	return r->target->set_reg(r->target->arg, reg, v);
}

/* G: every register; the packet must hold them all. */
static void
cmd_write_regs(struct rsp *r)
{
	const char *hex = r->pkt + 1;
	int n, reg, size, total = 0;

	for (n = 0; rsp_reg_layout(is64(r), n, &reg, &size) == 0; n++)
		total += 2 * size;
	if (r->pkt_len - 1 != total) {
		reply_set(r, ERR_SYNTAX);
		return;
	}
	for (n = 0; rsp_reg_layout(is64(r), n, &reg, &size) == 0; n++, hex += 2 * size)
		if (reg_write(r, n, hex) < 0) {
			reply_set(r, ERR_TARGET);
			return;
		}
	reply_set(r, "OK");
}

/* p n: one register. */
static void
cmd_read_reg(struct rsp *r)
{
	const char *p = r->pkt + 1;
	uint64_t n, v;
	int size;

	if (parse_hex(&p, &n) < 0 || *p || n > 1000) {
		reply_set(r, ERR_SYNTAX);
		return;
	}
	if (reg_read(r, n, &v, &size) < 0) {
		reply_set(r, ERR_TARGET);
		return;
	}
	reply_set(r, "");
	reply_hex_le(r, v, size);
}

/* P n=value: one register. */
static void
cmd_write_reg(struct rsp *r)
{
	const char *p = r->pkt + 1;
	uint64_t n;
	int reg, size;

	if (parse_hex(&p, &n) < 0 || *p++ != '=' || n > 1000
	    || rsp_reg_layout(is64(r), n, &reg, &size) < 0
	    || (int) (r->pkt_len - (p - r->pkt)) != 2 * size) {
		reply_set(r, ERR_SYNTAX);
		return;
	}
	reply_set(r, reg_write(r, n, p) < 0 ? ERR_TARGET : "OK");
}

/* m addr,len: memory, as far as it can be read (none: an error). */
static void
cmd_read_mem(struct rsp *r)
{
	const char *p = r->pkt + 1;
	uint64_t addr, len;
	uint8_t buf[MEM_MAX];
	int got;

	if (parse_addr_len(&p, &addr, &len, 0) < 0) {
		reply_set(r, ERR_SYNTAX);
		return;
	}
	if (len > MEM_MAX)
		len = MEM_MAX;		// gdb asks again for the rest
	got = len ? r->target->read_mem(r->target->arg, addr, buf, len) : 0;
	if (got < 0 || (got == 0 && len > 0)) {
		reply_set(r, ERR_TARGET);
		return;
	}
	if (got > (int) len)
		got = len;
	r->reply_len = rsp_hex_encode(r->reply, RSP_PACKET_MAX + 1, buf, got);
}

/* M addr,len:data: write memory. */
static void
cmd_write_mem(struct rsp *r)
{
	const char *p = r->pkt + 1;
	uint64_t addr, len;
	uint8_t buf[MEM_MAX];

	if (parse_addr_len(&p, &addr, &len, ':') < 0 || len > MEM_MAX
	    || rsp_hex_decode(buf, sizeof(buf), p, r->pkt_len - (p - r->pkt)) != (int) len) {
		reply_set(r, ERR_SYNTAX);
		return;
	}
	if (len && r->target->write_mem(r->target->arg, addr, buf, len) < 0)
		reply_set(r, ERR_TARGET);
	else
		reply_set(r, "OK");
}

/*
 * Z0,addr,kind / z0,addr,kind: software breakpoints; Z1 / z1: hardware
 * ones, where the target has them; other kinds unsupported.
 */
static void
cmd_breakpoint(struct rsp *r)
{
	const struct rsp_target *t = r->target;
	const char *p = r->pkt + 3;
	bool hw = r->pkt[1] == '1', insert = r->pkt[0] == 'Z';
	uint64_t addr, kind;
	int err;

	if ((r->pkt[1] != '0' && !hw) || (hw && !t->insert_hwbp)) {
		reply_set(r, "");
		return;
	}
	if (r->pkt[2] != ',' || parse_addr_len(&p, &addr, &kind, 0) < 0) {
		reply_set(r, ERR_SYNTAX);
		return;
	}
	if (hw)
		err = insert ? t->insert_hwbp(t->arg, addr) : t->remove_hwbp(t->arg, addr);
	else
		err = insert ? t->insert_bp(t->arg, addr) : t->remove_bp(t->arg, addr);
	reply_set(r, err < 0 ? ERR_TARGET : "OK");
}

/* qXfer:features:read:ANNEX:offset,length: the target description. */
static void
cmd_xfer_features(struct rsp *r)
{
	const char *p = r->pkt + sizeof("qXfer:features:read:") - 1;
	uint64_t off, len;
	const char *xml;
	int xml_len, i;

	if (!starts(p, "target.xml:")) {
		reply_set(r, "E00");	// no such annex
		return;
	}
	p += sizeof("target.xml:") - 1;
	if (parse_addr_len(&p, &off, &len, 0) < 0) {
		reply_set(r, ERR_SYNTAX);
		return;
	}
	xml = rsp_target_xml(is64(r), &xml_len);
	if (off >= (uint64_t) xml_len) {
		reply_set(r, "l");
		return;
	}
	if (len > RSP_PACKET_MAX - 1)
		len = RSP_PACKET_MAX - 1;
	if (len > (uint64_t) xml_len - off)
		len = xml_len - off;
	r->reply[0] = off + len == (uint64_t) xml_len ? 'l' : 'm';
	for (i = 0; i < (int) len; i++)
		r->reply[1 + i] = xml[off + i];
	r->reply_len = 1 + len;
	r->reply[r->reply_len] = 0;
}

/* A resume (c, s or a vCont action): an optional new address first. */
static enum rsp_action
resume(struct rsp *r, const char *addr, bool step)
{
	uint64_t pc;

	if (*addr) {
		if (parse_hex(&addr, &pc) < 0 || *addr
		    || r->target->set_reg(r->target->arg, RSP_RIP, pc) < 0) {
			reply_set(r, ERR_SYNTAX);
			return RSP_ACT_REPLY;
		}
	}
	reply_set(r, "");
	return step ? RSP_ACT_STEP : RSP_ACT_CONTINUE;
}

/* vCont;ACTION[:thread]...: the first action is the one thread's. */
static enum rsp_action
cmd_vcont(struct rsp *r)
{
	char a = r->pkt[6];

	if (r->pkt[5] != ';' || !a) {
		reply_set(r, ERR_SYNTAX);
		return RSP_ACT_REPLY;
	}
	if (a == 'c' || a == 'C')
		return resume(r, "", false);
	if (a == 's' || a == 'S')
		return resume(r, "", true);
	reply_set(r, "");	// t, r: unsupported
	return RSP_ACT_REPLY;
}

/* Queries (q...) and their empty answer when unknown. */
static void
cmd_query(struct rsp *r)
{
	if (starts(r->pkt, "qSupported")) {
		reply_set(r, "PacketSize=");
		reply_append_number(r, RSP_PACKET_MAX);
		reply_append(r, ";qXfer:features:read+;swbreak+;hwbreak+");
	} else if (starts(r->pkt, "qXfer:features:read:"))
		cmd_xfer_features(r);
	else if (starts(r->pkt, "qAttached"))
		reply_set(r, "1");
	else if (!r->pkt[1] || r->pkt[1] == 'C')
		reply_set(r, r->pkt[1] == 'C' ? "QC1" : "");
	else if (starts(r->pkt, "qfThreadInfo"))
		reply_set(r, "m1");
	else if (starts(r->pkt, "qsThreadInfo"))
		reply_set(r, "l");
	else
		reply_set(r, "");
}

/*
 * Answer the packet in r->pkt: the reply in r->reply (RSP_ACT_REPLY,
 * RSP_ACT_DETACH), or what the target must do next.
 */
enum rsp_action
rsp_dispatch(struct rsp *r)
{
	reply_set(r, "");
	if (r->overflow) {
		reply_set(r, ERR_SYNTAX);	// longer than PacketSize
		return RSP_ACT_REPLY;
	}
	switch (r->pkt[0]) {
	case '?':
		rsp_stop_reply(r, r->stop);
		break;
	case 'g':
		if (r->pkt_len == 1)
			cmd_read_regs(r);
		else
			reply_set(r, ERR_SYNTAX);
		break;
	case 'G':
		cmd_write_regs(r);
		break;
	case 'p':
		cmd_read_reg(r);
		break;
	case 'P':
		cmd_write_reg(r);
		break;
	case 'm':
		cmd_read_mem(r);
		break;
	case 'M':
		cmd_write_mem(r);
		break;
	case 'c':
		return resume(r, r->pkt + 1, false);
	case 's':
		return resume(r, r->pkt + 1, true);
	case 'Z':
	case 'z':
		cmd_breakpoint(r);
		break;
	case 'q':
		cmd_query(r);
		break;
	case 'v':
		if (starts(r->pkt, "vCont?"))
			reply_set(r, "vCont;c;C;s;S");
		else if (starts(r->pkt, "vCont"))
			return cmd_vcont(r);
		else if (starts(r->pkt, "vMustReplyEmpty"))
			reply_set(r, "");
		break;
	case 'H':	// one thread: any selection is it
	case 'T':
		reply_set(r, "OK");
		break;
	case 'D':
		reply_set(r, "OK");
		return RSP_ACT_DETACH;
	case 'k':
		return RSP_ACT_KILL;
	default:
		break;		// unknown: the empty reply
	}
	return RSP_ACT_REPLY;
}

/* The stop reply for why the target stopped, in r->reply. */
void
rsp_stop_reply(struct rsp *r, enum rsp_stop why)
{
	r->stop = why;
	if (why == RSP_STOP_BREAKPOINT)
		reply_set(r, "T05swbreak:;");
	else if (why == RSP_STOP_HWBREAK)
		reply_set(r, "T05hwbreak:;");
	else if (why == RSP_STOP_INTERRUPT)
		reply_set(r, "S02");
	else
		reply_set(r, "S05");
}
