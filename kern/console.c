/*
 * The console: every character printed goes to COM1 and to the CGA text
 * screen; characters typed on COM1 or the PS/2 keyboard are collected by
 * their interrupt handlers (or by polling) into one input ring.
 */
#include <inc/x86.h>
#include <inc/memlayout.h>
#include <inc/string.h>
#include <inc/stdio.h>

#include <inc/vmx.h>

#include <kern/console.h>
#include <kern/pmap.h>
#include <kern/picirq.h>
#include <kern/sched.h>

/* ---- input ring ---- */

#define INPUT_RING_SIZE 512

static uint8_t input_ring[INPUT_RING_SIZE];
static uint32_t input_head;	// next slot to read
static uint32_t input_tail;	// next slot to fill
static int input_owner;		// who reads it: 0 the host, else a guest's env id
static int input_last_guest;	// the guest that held it last (0: none yet)

/*
 * Drain a device: read_one returns a character, 0 to skip, -1 when
 * empty.  Whoever sleeps waiting for input wakes up when some arrives.
 */
static void
input_drain(int (*read_one)(void))
{
	int c, arrived = 0;

	while ((c = read_one()) != -1) {
		if (c == 0)
			continue;
		// The escape takes the console back from a guest (inc/vmx.h);
		// when the host holds it already, it does nothing.
		if (c == GUEST_CONS_ESCAPE) {
			if (input_owner) {
				cons_speak_as(CONS_SPEAKER_CONSOLE);	// on a line of its own
				cprintf("console: back to the host (guest %08x keeps running)\n",
					input_owner);
				cons_speak_as(0);
				cons_set_owner(0);
			}
			continue;
		}
		input_ring[input_tail] = c;
		input_tail = (input_tail + 1) % INPUT_RING_SIZE;
		if (input_tail == input_head)	// full: drop the oldest
			input_head = (input_head + 1) % INPUT_RING_SIZE;
		arrived = 1;
	}
	if (arrived)
		sched_wake_cons_waiters(input_owner);
}

/* ---- COM1, a 16550 UART ---- */

enum {
	UART_PORT	= 0x3F8,
	UART_DATA	= 0,	// receive / transmit (DLAB 0)
	UART_DIVLO	= 0,	// divisor low byte (DLAB 1)
	UART_DIVHI	= 1,	// divisor high byte (DLAB 1)
	UART_IER	= 1,	// interrupt enable
	UART_IIR	= 2,	// interrupt identification (read)
	UART_FCR	= 2,	// FIFO control (write)
	UART_LCR	= 3,	// line control
	UART_MCR	= 4,	// modem control
	UART_LSR	= 5,	// line status
};
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define MCR_OUT2	0x08	// routes the UART's interrupt to the PIC
#define IER_RX		0x01
#define LSR_RX_READY	0x01
#define LSR_TX_EMPTY	0x20

static bool uart_present;

static int
uart_read_one(void)
{
	if (!(inb(UART_PORT + UART_LSR) & LSR_RX_READY))
		return -1;
	return inb(UART_PORT + UART_DATA);
}

void
serial_intr(void)
{
	if (uart_present)
		input_drain(uart_read_one);
}

/* Send a byte; give up waiting after a while so a dead port cannot hang us. */
static void
uart_write(int c)
{
	for (int spins = 0; spins < 100000; spins++)
		if (inb(UART_PORT + UART_LSR) & LSR_TX_EMPTY)
			break;
	outb(UART_PORT + UART_DATA, c);
}

/* 115200 baud, 8N1, interrupt on received data. */
static void
uart_init(void)
{
	outb(UART_PORT + UART_FCR, 0);
	outb(UART_PORT + UART_LCR, LCR_DLAB);
	outb(UART_PORT + UART_DIVLO, 1);
	outb(UART_PORT + UART_DIVHI, 0);
	outb(UART_PORT + UART_LCR, LCR_8N1);
	outb(UART_PORT + UART_MCR, MCR_OUT2);
	outb(UART_PORT + UART_IER, IER_RX);

	// No UART on the bus reads as 0xFF everywhere.
	uart_present = inb(UART_PORT + UART_LSR) != 0xFF;
	(void) inb(UART_PORT + UART_IIR);
	(void) inb(UART_PORT + UART_DATA);
	if (uart_present)
		irq_enable(IRQ_SERIAL);
}

/* ---- CGA text screen ---- */

#define SCREEN_COLS	80
#define SCREEN_ROWS	25
#define SCREEN_CELLS	(SCREEN_COLS * SCREEN_ROWS)
#define GREY_ON_BLACK	0x0700

static volatile uint16_t *screen;	// the text buffer
static uint16_t crtc_port;		// the CRT controller's index port
static int cursor;

static void
screen_set_cursor(void)
{
	outb(crtc_port, 14);
	outb(crtc_port + 1, cursor >> 8);
	outb(crtc_port, 15);
	outb(crtc_port + 1, cursor & 0xFF);
}

/* Use the color buffer at 0xB8000 if memory answers there, else mono. */
static void
screen_init(void)
{
	volatile uint16_t *color = (uint16_t *) (KERNBASE + 0xB8000);
	uint16_t saved = *color;

	*color = 0x5AA5;
	if (*color == 0x5AA5) {
		*color = saved;
		screen = color;
		crtc_port = 0x3D4;
	} else {
		screen = (uint16_t *) (KERNBASE + 0xB0000);
		crtc_port = 0x3B4;
	}
	outb(crtc_port, 14);
	cursor = inb(crtc_port + 1) << 8;
	outb(crtc_port, 15);
	cursor |= inb(crtc_port + 1);
	if (cursor >= SCREEN_CELLS)
		cursor = 0;
}

static void
screen_putc(int c)
{
	c &= 0xFF;
	if (c == '\n')
		cursor += SCREEN_COLS - cursor % SCREEN_COLS;
	else if (c == '\r')
		cursor -= cursor % SCREEN_COLS;
	else if (c == '\b') {
		if (cursor > 0)
			screen[--cursor] = GREY_ON_BLACK | ' ';
	} else if (c == '\t') {
		do
			screen[cursor++] = GREY_ON_BLACK | ' ';
		while (cursor % 8 && cursor < SCREEN_CELLS);
	} else
		screen[cursor++] = GREY_ON_BLACK | c;

	if (cursor >= SCREEN_CELLS) {
		memmove((void *) screen, (void *) (screen + SCREEN_COLS),
			(SCREEN_CELLS - SCREEN_COLS) * 2);
		for (int i = SCREEN_CELLS - SCREEN_COLS; i < SCREEN_CELLS; i++)
			screen[i] = GREY_ON_BLACK | ' ';
		cursor -= SCREEN_COLS;
	}
	screen_set_cursor();
}

/* ---- PS/2 keyboard, scan code set 1 ---- */

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

/* Decode one byte from the keyboard: a character, 0 for none, -1 if idle. */
static int
kbd_read_one(void)
{
	static int mods;
	uint8_t status, code;
	int released, bit = 0, c;

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

void
kbd_intr(void)
{
	input_drain(kbd_read_one);
}

/* ---- the console as a whole ---- */

/*
 * Whether a device holds typed input not yet drained; read without the
 * kernel lock.  The timer checks it in case a device's interrupt was
 * lost, so that a reader sleeping in sys_cons_wait still wakes up.
 */
bool
cons_input_hint(void)
{
#ifdef VMM_GUEST
	return false;
#else
	uint8_t kbd = inb(KBD_STATUS);

	if (uart_present && (inb(UART_PORT + UART_LSR) & LSR_RX_READY))
		return true;
	return (kbd & KBD_HAS_DATA) && !(kbd & KBD_FROM_AUX);
#endif
}

/* Drain every input device now (the timer's fallback for lost interrupts). */
void
cons_poll(void)
{
	serial_intr();
#ifndef VMM_GUEST
	kbd_intr();
#endif
}

void
cons_init(void)
{
#ifdef VMM_GUEST
	// A guest has the host's COM1, as the monitor passes it through,
	// and no screen or keyboard.  The host has set the UART up already.
	uart_present = inb(UART_PORT + UART_LSR) != 0xFF;
	return;
#endif
	screen_init();
	kbd_intr();
	irq_enable(IRQ_KBD);
	uart_init();
	if (!uart_present)
		cprintf("Serial port does not exist!\n");
}

/*
 * Give the typed input to owner from now on: a guest's env id, or 0 for
 * the host.  What was typed for the previous owner and not read yet is
 * dropped.  When the host gets it back, whoever waits for a guest wakes
 * up (sys_env_wait): vmm then gives its shell the prompt back.
 */
void
cons_set_owner(int owner)
{
	int previous = input_owner;

	input_owner = owner;
	input_head = input_tail;
	if (owner)
		input_last_guest = owner;
	if (previous && owner == 0)
		sched_wake_guest_waiters();
}

/* The guest that holds the console input, or held it last; 0 if none did. */
int
cons_last_guest(void)
{
	return input_last_guest;
}

/* Who reads the typed input: 0 for the host, else a guest's env id. */
int
cons_owner(void)
{
	return input_owner;
}

/*
 * The next character typed for owner (0: the host), or 0 when there is
 * none or the input is someone else's; with peek, it stays in the ring.
 * Never blocks.
 */
int
cons_getc_owner(int owner, bool peek)
{
	int c;

	// Whoever asks for input has seen the prompt before it.
	cons_flush();
	// Poll as well, so the monitor gets input with interrupts off.
	serial_intr();
#ifndef VMM_GUEST
	kbd_intr();
#endif
	if (input_owner != owner || input_head == input_tail)
		return 0;
	c = input_ring[input_head];
	if (!peek)
		input_head = (input_head + 1) % INPUT_RING_SIZE;
	return c;
}

/* The next character typed for the host, or 0 when there is none.  Never blocks. */
int
cons_getc(void)
{
	return cons_getc_owner(0, false);
}

#ifdef VMM_GUEST
/*
 * A guest kernel gathers what it prints here; the monitor prints it in
 * one hypercall (VMX_VMCALL_CONSWRITE) instead of two exits a byte.
 * cons_flush sends it at each newline, when the buffer is full, and
 * whenever the guest reads input, halts, powers off or panics.
 */
static char guest_out[256];
static int guest_out_len;
static bool guest_out_com1;	// the monitor refused the hypercall: use COM1

/*
 * Hypercall VMX_VMCALL_CONSWRITE: the monitor prints the len bytes at
 * guest-physical gpa.  Returns what it answers: len, or a negative error
 * (nothing printed).
 */
int64_t
cons_hypercall_write(uint64_t gpa, uint64_t len)
{
	int64_t rax = VMX_VMCALL_CONSWRITE;

	asm volatile("vmcall"
		     : "+a" (rax)
		     : "b" (gpa), "c" (len)
		     : "rdx", "rsi", "rdi", "memory");
	return rax;
}

/*
 * Print (on the host console) everything the guest kernel printed and
 * did not send yet; on a monitor without the hypercall, through COM1.
 */
void
cons_flush(void)
{
	if (guest_out_len == 0)
		return;
	if (!guest_out_com1
	    && cons_hypercall_write(PADDR(guest_out), guest_out_len) != guest_out_len)
		guest_out_com1 = true;	// nothing was printed
	if (guest_out_com1)
		for (int i = 0; i < guest_out_len; i++)
			uart_write(guest_out[i]);
	guest_out_len = 0;
}

/* A guest's own console has one speaker: nothing to tell apart. */
bool
cons_speak_as(int writer)
{
	return true;
}

/* Print c: into the buffer, sent at a newline or when it is full. */
void
cputchar(int c)
{
	guest_out[guest_out_len++] = c;
	if (c == '\n' || guest_out_len == sizeof(guest_out))
		cons_flush();
	if (screen)	// a guest has none
		screen_putc(c);
}
#else
/* Nothing is held back on the host: every character goes out at once. */
void
cons_flush(void)
{
}

/*
 * Whose text the console's current line holds (0: the host's, else a
 * guest's env id), whether that line is unfinished, and whose text is
 * being printed now.  Text from someone else never continues a line:
 * it starts a new one, so that a guest's line always begins with its
 * prefix, even when the host printed in the middle of it.
 */
static int line_writer;
static bool line_open;
static int speaker;

/* Print c on COM1 and on the screen, as the current speaker's. */
void
cputchar(int c)
{
	if (line_open && line_writer != speaker) {
		uart_write('\n');
		if (screen)
			screen_putc('\n');
	}
	line_writer = speaker;
	line_open = c != '\n';
	uart_write(c);
	if (screen)	// none before cons_init
		screen_putc(c);
}

/*
 * What is printed from now on is writer's (0: the host's).  Returns
 * whether writer starts a line (and so owes its prefix): false only if
 * the console's current line is writer's own and unfinished.
 */
bool
cons_speak_as(int writer)
{
	speaker = writer;
	return !(line_open && line_writer == writer);
}
#endif

/*
 * Wait for a typed character (the kernel monitor).  A guest kernel
 * halts between looks, since each look at COM1 costs a VM exit and the
 * monitor ends the HLT when input arrives (inc/vmx.h); the host polls.
 */
int
getchar(void)
{
	int c;

	while ((c = cons_getc()) == 0) {
#ifdef VMM_GUEST
		asm volatile("hlt");
#else
		pause();
#endif
	}
	return c;
}

/* The kernel console is always a terminal (readline echoes). */
int
iscons(int fdnum)
{
	return 1;
}
