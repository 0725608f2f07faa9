/*
 * The virtual 8042 and PS/2 keyboard (vmm/io/i8042.h), after the IBM
 * PC/AT technical reference's controller commands and the PS/2
 * keyboard's command set.  The keyboard speaks scan code set 1, as the
 * controller's translation gives it to a PC's software.  There is no
 * mouse: the aux port exists (its loopback command works) but nothing
 * answers on it.
 */
#include <inc/error.h>
#include <vmm/io/i8042.h>
#include <vmm/io/ioport.h>

#define ST_OBF		0x01	// status: output buffer full
#define ST_SYS		0x04	// system flag (from the command byte)
#define ST_CMD		0x08	// the last write was to port 0x64
#define ST_UNLOCKED	0x10	// keyboard not inhibited by the key lock
#define ST_AUX		0x20	// the output buffer holds an aux byte
#define CB_KBD_INT	0x01	// command byte: IRQ 1 on keyboard output
#define CB_AUX_INT	0x02	// IRQ 12 on aux output
#define CB_SYS		0x04
#define CB_KBD_OFF	0x10	// keyboard clock disabled
#define CB_AUX_OFF	0x20	// aux clock disabled
#define CB_XLATE	0x40	// translate to set 1
#define OP_RESET	0x01	// output port: reset line (0 resets the CPU)
#define OP_A20		0x02

#define KBD_ACK		0xFA
#define KBD_RESEND	0xFE
#define KBD_BAT_OK	0xAA
#define KBD_ECHO	0xEE

#define SC_BREAK	0x80	// set 1: the break code is the make code | 0x80
#define SC_ESC		0x01
#define SC_BACKSPACE	0x0E
#define SC_TAB		0x0F
#define SC_ENTER	0x1C
#define SC_LCTRL	0x1D
#define SC_LSHIFT	0x2A
#define SC_SPACE	0x39

/* Rows of the US keyboard in set 1: first code, then each key's characters. */
static const struct {
	uint8_t		first;
	const char	*plain, *shifted;
} rows[] = {
	{ 0x02, "1234567890-=", "!@#$%^&*()_+" },
	{ 0x10, "qwertyuiop[]", "QWERTYUIOP{}" },
	{ 0x1E, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
	{ 0x2B, "\\zxcvbnm,./", "|ZXCVBNM<>?" },
};

/* Append byte to q; false if q is full. */
static bool
q_push(struct i8042_queue *q, uint8_t byte)
{
	if (q->count == I8042_QUEUE)
		return false;
	q->b[(q->head + q->count++) % I8042_QUEUE] = byte;
	return true;
}

/* Take the oldest byte of q (which is not empty). */
static uint8_t
q_pop(struct i8042_queue *q)
{
	uint8_t byte = q->b[q->head];

	q->head = (q->head + 1) % I8042_QUEUE;
	q->count--;
	return byte;
}

/* The key that types character c: its make code and whether it needs shift. */
static bool
key_of(uint8_t c, uint8_t *code, bool *shift)
{
	*shift = false;
	switch (c) {
	case 0x1B:
		*code = SC_ESC;
		return true;
	case '\b':
	case 0x7F:
		*code = SC_BACKSPACE;
		return true;
	case '\t':
		*code = SC_TAB;
		return true;
	case '\n':
	case '\r':
		*code = SC_ENTER;
		return true;
	case ' ':
		*code = SC_SPACE;
		return true;
	}
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
		for (int i = 0; rows[r].plain[i]; i++)
			if (rows[r].plain[i] == c || rows[r].shifted[i] == c) {
				*code = rows[r].first + i;
				*shift = rows[r].shifted[i] == c;
				return true;
			}
	return false;
}

/* Move the next waiting byte into an empty output buffer: replies first. */
static void
fill(struct i8042 *k)
{
	if (k->obf)
		return;
	if (k->replies.count)
		k->obuf = q_pop(&k->replies);
	else if (k->keys.count && !(k->cmd_byte & CB_KBD_OFF))
		k->obuf = q_pop(&k->keys);
	else
		return;
	k->obf = true;
	k->obuf_aux = false;
}

/* The controller itself answers: straight into the output buffer. */
static void
controller_reply(struct i8042 *k, uint8_t byte, bool aux)
{
	k->obuf = byte;
	k->obf = true;
	k->obuf_aux = aux;
}

/* The keyboard answers a command (bytes lost only if 64 are waiting). */
static void
keyboard_reply(struct i8042 *k, uint8_t byte)
{
	q_push(&k->replies, byte);
}

/* The keyboard's defaults: LEDs off, typed keys forgotten. */
static void
keyboard_defaults(struct i8042 *k)
{
	k->leds = 0;
	k->keys.count = 0;
}

/* A byte the guest sends to the keyboard: a command or its parameter. */
static void
keyboard_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->kbd_cmd;

	k->kbd_cmd = 0;
	if (cmd) {
		if (cmd == 0xED)
			k->leds = v & 7;
		keyboard_reply(k, KBD_ACK);
		if (cmd == 0xF0 && v == 0)
			keyboard_reply(k, 0x02);	// set 2, translated to set 1
		return;
	}
	switch (v) {
	case 0xED:		// set LEDs
	case 0xF0:		// get/set scan code set
	case 0xF3:		// typematic rate
		k->kbd_cmd = v;
		keyboard_reply(k, KBD_ACK);
		break;
	case 0xEE:
		keyboard_reply(k, KBD_ECHO);
		break;
	case 0xF2:		// identify: an MF2 keyboard, translated
		keyboard_reply(k, KBD_ACK);
		keyboard_reply(k, 0xAB);
		keyboard_reply(k, 0x41);
		break;
	case 0xF4:		// enable scanning
		k->keys.count = 0;
		k->scanning = true;
		keyboard_reply(k, KBD_ACK);
		break;
	case 0xF5:		// disable scanning, defaults
		keyboard_defaults(k);
		k->scanning = false;
		keyboard_reply(k, KBD_ACK);
		break;
	case 0xF6:		// defaults
		keyboard_defaults(k);
		keyboard_reply(k, KBD_ACK);
		break;
	case 0xFF:		// reset and self-test
		keyboard_defaults(k);
		k->scanning = true;
		keyboard_reply(k, KBD_ACK);
		keyboard_reply(k, KBD_BAT_OK);
		break;
	default:
		keyboard_reply(k, KBD_RESEND);
		break;
	}
}

/* The reset line goes low: the CPU resets. */
static void
pulse_reset(struct i8042 *k)
{
	if (k->reset)
		k->reset(k->reset_arg);
}

/* The data byte of controller command cmd. */
static void
command_data(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	switch (cmd) {
	case 0x60:		// write command byte
		k->cmd_byte = v;
		break;
	case 0xD1:		// write output port
		k->out_port = v;
		if (!(v & OP_RESET))
			pulse_reset(k);
		break;
	case 0xD2:		// as if from the keyboard
		controller_reply(k, v, false);
		break;
	case 0xD3:		// as if from the aux port
		controller_reply(k, v, true);
		break;
	default:		// 0xD4, to the aux device: there is none
		break;
	}
}

/* A command to the controller (port 0x64). */
static void
command(struct i8042 *k, uint8_t v)
{
	k->pending_cmd = 0;
	switch (v) {
	case 0x20:
		controller_reply(k, k->cmd_byte, false);
		break;
	case 0x60:
	case 0xD1:
	case 0xD2:
	case 0xD3:
	case 0xD4:
		k->pending_cmd = v;
		break;
	case 0xA7:
		k->cmd_byte |= CB_AUX_OFF;
		break;
	case 0xA8:
		k->cmd_byte &= ~CB_AUX_OFF;
		break;
	case 0xA9:		// aux interface test: no error
	case 0xAB:		// keyboard interface test: no error
		controller_reply(k, 0x00, false);
		break;
	case 0xAA:		// self-test passed
		controller_reply(k, 0x55, false);
		break;
	case 0xAD:
		k->cmd_byte |= CB_KBD_OFF;
		break;
	case 0xAE:
		k->cmd_byte &= ~CB_KBD_OFF;
		break;
	case 0xD0:
		controller_reply(k, k->out_port | (k->obf && !k->obuf_aux ? 0x10 : 0) |
				 (k->obf && k->obuf_aux ? 0x20 : 0), false);
		break;
	default:
		// 0xF0-0xFF pulse the output port's low bits that are 0 in
		// the command: bit 0 is the reset line.
		if (v >= 0xF0 && !(v & OP_RESET))
			pulse_reset(k);
		break;
	}
}

/* The status register. */
static uint8_t
status(const struct i8042 *k)
{
	return (k->obf ? ST_OBF : 0) | (k->cmd_byte & CB_SYS ? ST_SYS : 0) |
		(k->last_was_cmd ? ST_CMD : 0) | ST_UNLOCKED |
		(k->obf && k->obuf_aux ? ST_AUX : 0);
}

/* One byte access to the controller's ports (io_byte_fn). */
static int
i8042_byte(void *dev, uint16_t port, bool write, uint8_t *b)
{
	struct i8042 *k = dev;
	uint8_t cmd;

	if (!write)
		k->looked = true;
	switch (port) {
	case I8042_DATA:
		if (!write) {
			*b = k->obuf;
			k->obf = false;
			break;
		}
		k->last_was_cmd = false;
		cmd = k->pending_cmd;
		k->pending_cmd = 0;
		if (cmd)
			command_data(k, cmd, *b);
		else
			keyboard_write(k, *b);
		break;
	case I8042_CMD:
		if (!write) {
			*b = status(k);
			return 0;
		}
		k->last_was_cmd = true;
		command(k, *b);
		break;
	default:
		return -E_INVAL;
	}
	fill(k);
	return 0;
}

/*
 * Reset k to the state a BIOS leaves: IRQ 1 enabled, translation on,
 * the system flag set, no aux interrupt, A20 on, the keyboard scanning
 * with nothing typed.  reset(reset_arg) is called when the guest pulls
 * the reset line (command 0xFE, or an output port write with bit 0
 * clear).
 */
void
i8042_init(struct i8042 *k, void (*reset)(void *arg), void *reset_arg)
{
	*k = (struct i8042) {
		.cmd_byte = CB_XLATE | CB_AUX_OFF | CB_SYS | CB_KBD_INT,
		.out_port = OP_RESET | OP_A20, .scanning = true,
		.reset = reset, .reset_arg = reset_arg,
	};
}

/*
 * A raw scan code from the host's keyboard.  Returns false (dropped)
 * when the keyboard is not scanning or its buffer is full.
 */
bool
i8042_scancode(struct i8042 *k, uint8_t code)
{
	bool ok = k->scanning && q_push(&k->keys, code);

	fill(k);
	return ok;
}

/*
 * The key that types character c on a US keyboard: its set 1 make code
 * in *code, and in *mod the make code of the modifier held with it
 * (left shift for capitals and symbols, left control for codes 1-26
 * other than backspace, tab, newline and return), or 0.  False if no
 * key types c.
 */
bool
i8042_key_of(uint8_t c, uint8_t *code, uint8_t *mod)
{
	bool shift;

	*mod = 0;
	if (c >= 1 && c <= 26 && !key_of(c, code, &shift)) {
		key_of('a' + c - 1, code, &shift);
		*mod = SC_LCTRL;
		return true;
	}
	if (!key_of(c, code, &shift))
		return false;
	if (shift)
		*mod = SC_LSHIFT;
	return true;
}

/*
 * Character c typed on the host's console: the make and break codes of
 * its key, inside those of its modifier (i8042_key_of).  Returns false,
 * queueing nothing, for a character no key types or when the keyboard
 * cannot take the whole sequence.
 */
bool
i8042_type(struct i8042 *k, uint8_t c)
{
	uint8_t seq[6], code, mod;
	int n = 0;

	if (!i8042_key_of(c, &code, &mod))
		return false;
	if (mod)
		seq[n++] = mod;
	seq[n++] = code;
	seq[n++] = code | SC_BREAK;
	if (mod)
		seq[n++] = mod | SC_BREAK;
	if (!k->scanning || I8042_QUEUE - k->keys.count < n)
		return false;
	for (int i = 0; i < n; i++)
		q_push(&k->keys, seq[i]);
	fill(k);
	return true;
}

/* Whether a byte waits for the guest: in the output buffer or behind it. */
bool
i8042_output_waiting(const struct i8042 *k)
{
	return k->obf || k->keys.count || k->replies.count;
}

/* The level of IRQ 1: a keyboard byte waits and the command byte enables it. */
bool
i8042_irq1(const struct i8042 *k)
{
	return k->obf && !k->obuf_aux && (k->cmd_byte & CB_KBD_INT);
}

/* The level of IRQ 12: an aux byte waits and the command byte enables it. */
bool
i8042_irq12(const struct i8042 *k)
{
	return k->obf && k->obuf_aux && (k->cmd_byte & CB_AUX_INT);
}

/* Whether the guest has the A20 gate open (output port bit 1). */
bool
i8042_a20(const struct i8042 *k)
{
	return k->out_port & OP_A20;
}

/*
 * A guest's access of width bytes at port (0x60, 0x64): writes *val, or
 * reads into *val.  Returns 0, or -E_INVAL for another port or a bad
 * width.
 */
int
i8042_io(struct i8042 *k, uint16_t port, int width, bool write, uint32_t *val)
{
	return io_split(k, i8042_byte, port, width, write, val);
}
