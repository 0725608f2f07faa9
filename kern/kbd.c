/* The PS/2 keyboard of a PC, scan code set 1, US layout. */
#include <inc/x86.h>

#include <kern/console.h>
#include <kern/consdev.h>

#define KBD_STATUS	0x64
#define KBD_DATA	0x60
#define KBD_HAS_DATA	0x01
#define KBD_FROM_AUX	0x20	// the byte is from the mouse

// Modifier state bits.
#define MOD_SHIFT	0x01
#define MOD_CTRL	0x02
#define MOD_ALT		0x04
#define MOD_CAPS	0x08
#define MOD_EXTENDED	0x10	// the previous byte was the 0xE0 prefix

/* Characters of the main block for scan codes 0x00..0x39: plain, shifted. */
static const char keys_plain[] =
	"\0\0331234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char keys_shift[] =
	"\0\033!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

// An arrow key as the rest of a terminal's sequence for it (after ESC).
static const char *pending;

/*
 * The terminal sequence (after its ESC) of the arrow whose extended
 * scan code is code, or NULL.  They are for a guest that holds the
 * console: the monitor turns them back into key presses (its text
 * screen on the host's display, vmm/io/termkeys.c); the host's own
 * readline has no use for them.
 */
static const char *
arrow_sequence(uint8_t code)
{
	if (!cons_owner())
		return NULL;
	switch (code) {
	case 0x48: return "[A";
	case 0x50: return "[B";
	case 0x4D: return "[C";
	case 0x4B: return "[D";
	default: return NULL;
	}
}

/* Decode one byte from the keyboard: a character, 0 for none, -1 if idle. */
static int
kbd_read_one(void)
{
	static int mods;
	uint8_t status, code;
	int released, bit = 0, c;

	if (pending && *pending)
		return *pending++;
	status = inb(KBD_STATUS);
	if (!(status & KBD_HAS_DATA) || (status & KBD_FROM_AUX))
		return -1;
	code = inb(KBD_DATA);
	if (code == 0xE0) {
		mods |= MOD_EXTENDED;
		return 0;
	}
	released = code & 0x80;
	code &= 0x7F;

	if (code == 0x2A || code == 0x36)
		bit = MOD_SHIFT;
	else if (code == 0x1D)
		bit = MOD_CTRL;
	else if (code == 0x38)
		bit = MOD_ALT;
	if (bit) {
		mods = released ? (mods & ~bit) : (mods | bit);
		mods &= ~MOD_EXTENDED;
		return 0;
	}
	if (released) {
		mods &= ~MOD_EXTENDED;
		return 0;
	}
	if (code == 0x3A) {
		mods ^= MOD_CAPS;
		return 0;
	}
	if (mods & MOD_EXTENDED) {
		mods &= ~MOD_EXTENDED;
		if ((pending = arrow_sequence(code)))
			return '\033';
		// Keypad Enter and keypad slash; other extended keys are ignored.
		return code == 0x1C ? '\n' : code == 0x35 ? '/' : 0;
	}
	if (code >= sizeof(keys_plain) - 1)
		return 0;
	c = (mods & MOD_SHIFT) ? keys_shift[code] : keys_plain[code];
	if ((mods & MOD_CAPS) && c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	else if ((mods & MOD_CAPS) && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	if ((mods & MOD_CTRL) && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ']'))
		c &= 0x1F;
	return c;
}

/* IRQ 1, or a poll: move what was typed into the input ring. */
void
kbd_intr(void)
{
	cons_input_drain(kbd_read_one);
}

/* Whether the controller holds a byte from the keyboard (not the mouse). */
bool
kbd_has_input(void)
{
	uint8_t status = inb(KBD_STATUS);

	return (status & KBD_HAS_DATA) && !(status & KBD_FROM_AUX);
}
