/*
 * The host terminal's bytes as PS/2 key presses (vmm/io/termkeys.h).
 * The escape sequences are those of a VT100/xterm terminal, as QEMU's
 * -nographic console and Bochs' terminal pass them on: ESC [ X and
 * ESC O X for the cursor keys, ESC [ N ~ for the editing keys and
 * F5-F10, ESC O P-S for F1-F4.  A sequence this does not know (one
 * with modifiers, say) is dropped whole, never typed as characters:
 * its ESC would be the Escape key, which ends some games.
 */
#include <vmm/io/termkeys.h>

#define ESC		0x1B
#define SC_E0		0xE0	// prefix of an extended key's codes
#define SC_BREAK	0x80

/* The keys an escape sequence names: the bytes after ESC, and the key. */
static const struct {
	const char	*seq;
	uint8_t		code;
	bool		extended;
} sequences[] = {
	{ "[A", 0x48, true }, { "[B", 0x50, true },	// up, down
	{ "[C", 0x4D, true }, { "[D", 0x4B, true },	// right, left
	{ "OA", 0x48, true }, { "OB", 0x50, true },	// the same, in the
	{ "OC", 0x4D, true }, { "OD", 0x4B, true },	// application mode
	{ "[H", 0x47, true }, { "OH", 0x47, true }, { "[1~", 0x47, true },	// home
	{ "[F", 0x4F, true }, { "OF", 0x4F, true }, { "[4~", 0x4F, true },	// end
	{ "[2~", 0x52, true }, { "[3~", 0x53, true },	// insert, delete
	{ "[5~", 0x49, true }, { "[6~", 0x51, true },	// page up, page down
	{ "OP", 0x3B, false }, { "OQ", 0x3C, false },	// F1, F2
	{ "OR", 0x3D, false }, { "OS", 0x3E, false },	// F3, F4
	{ "[15~", 0x3F, false }, { "[17~", 0x40, false }, { "[18~", 0x41, false },
	{ "[19~", 0x42, false }, { "[20~", 0x43, false }, { "[21~", 0x44, false },
};

/* Nothing typed yet, no key down. */
void
termkeys_init(struct termkeys *t)
{
	*t = (struct termkeys) { .seq_len = 0 };
}

/*
 * The key that the escape sequence seq (len bytes, those after ESC)
 * names: its set 1 make code in *code, and whether it is an extended
 * key (sent after an E0 byte).  False for a sequence it does not know.
 */
bool
termkeys_sequence(const char *seq, int len, uint8_t *code, bool *extended)
{
	for (size_t i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++) {
		const char *s = sequences[i].seq;
		int n = 0;

		while (s[n] && n < len && s[n] == seq[n])
			n++;
		if (n == len && !s[n]) {
			*code = sequences[i].code;
			*extended = sequences[i].extended;
			return true;
		}
	}
	return false;
}

/* The held key goes up: its break code. */
static void
release(struct termkeys *t, struct i8042 *k)
{
	if (!t->held)
		return;
	if (t->held_ext)
		i8042_scancode(k, SC_E0);
	i8042_scancode(k, t->held | SC_BREAK);
	t->held = 0;
}

/* Key code goes down and stays down (until termkeys_advance lets it go). */
static void
press(struct termkeys *t, struct i8042 *k, uint8_t code, bool extended)
{
	release(t, k);
	if (extended && !i8042_scancode(k, SC_E0))
		return;
	if (!i8042_scancode(k, code))
		return;
	t->held = code;
	t->held_ext = extended;
	t->held_read = false;
}

/* Character c: its key pressed and released at once. */
static void
type_char(struct termkeys *t, struct i8042 *k, uint8_t c)
{
	release(t, k);
	i8042_type(k, c);
}

/*
 * Whether the next typed byte may come: no key is held down and the
 * guest has read every byte of the keys before, so that each key's
 * codes reach it in order and a held key's time starts when it sees it.
 */
bool
termkeys_ready(const struct termkeys *t, const struct i8042 *k)
{
	return !t->held && !i8042_output_waiting(k);
}

/*
 * The terminal sent byte c at time now (ns): a character typed, or part
 * of an escape sequence, whose key is pressed once the sequence is
 * whole.  An ESC followed by anything but '[' or 'O' is the Escape key.
 */
void
termkeys_byte(struct termkeys *t, struct i8042 *k, uint8_t c, uint64_t now)
{
	uint8_t code;
	bool extended;

	if (t->seq_len == 0) {
		if (c == ESC) {
			t->seq[0] = ESC;
			t->seq_len = 1;
			t->seq_ns = now;
		} else {
			type_char(t, k, c);
		}
		return;
	}
	if (t->seq_len == 1 && c != '[' && c != 'O') {
		t->seq_len = 0;
		type_char(t, k, ESC);
		termkeys_byte(t, k, c, now);
		return;
	}
	// One too long to be one we know is read to its end, but not kept.
	if (t->seq_len < TERMKEYS_SEQ_MAX)
		t->seq[t->seq_len] = c;
	t->seq_len = MIN(t->seq_len + 1, TERMKEYS_SEQ_MAX + 1);
	if (t->seq_len > 2 && (c < 0x30 || c > 0x7E)) {	// not a sequence
		t->seq_len = 0;
		return;
	}
	if (t->seq_len > 2 && c >= 0x40) {	// its final byte
		if (t->seq_len <= TERMKEYS_SEQ_MAX
		    && termkeys_sequence(t->seq + 1, t->seq_len - 1, &code, &extended))
			press(t, k, code, extended);
		t->seq_len = 0;
	}
}

/*
 * Time passes to now (ns): the held key goes up TERMKEYS_HOLD_NS after
 * the guest read its make code; an ESC that no sequence followed
 * within TERMKEYS_ESC_NS is the Escape key (and what came after it
 * characters).
 */
void
termkeys_advance(struct termkeys *t, struct i8042 *k, uint64_t now)
{
	if (t->held && !t->held_read && !i8042_output_waiting(k)) {
		t->held_read = true;
		t->release_ns = now + TERMKEYS_HOLD_NS;
	}
	if (t->held && t->held_read && now >= t->release_ns)
		release(t, k);
	if (t->seq_len && now - t->seq_ns >= TERMKEYS_ESC_NS) {
		int n = MIN(t->seq_len, TERMKEYS_SEQ_MAX);

		t->seq_len = 0;
		for (int i = 0; i < n; i++)
			type_char(t, k, t->seq[i]);
	}
}

/*
 * When termkeys_advance next has something to do, in ns: 0 if nothing
 * is due but by the guest (it reads the held key's make code) or by
 * typing.
 */
uint64_t
termkeys_deadline(const struct termkeys *t)
{
	uint64_t at = 0;

	if (t->held && t->held_read)
		at = t->release_ns;
	if (t->seq_len && (!at || t->seq_ns + TERMKEYS_ESC_NS < at))
		at = t->seq_ns + TERMKEYS_ESC_NS;
	return at;
}
