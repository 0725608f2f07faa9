/*
 * The console's devices on a PC: every character printed goes to COM1
 * and to the CGA screen at once; COM1 and the PS/2 keyboard deliver
 * typed input by interrupt (or poll).  The guest kernel links
 * guest/pv_console.c instead.
 */
#include <inc/x86.h>
#include <inc/stdio.h>
#include <inc/string.h>

#include <kern/console.h>
#include <kern/consdev.h>
#include <kern/picirq.h>

/* Screen, keyboard (IRQ 1) and COM1 (IRQ 4), with their interrupts on. */
void
cons_init(void)
{
	screen_init();
	kbd_intr();
	irq_enable(IRQ_KBD);
	uart_init();
	if (!uart_probe())
		cprintf("Serial port does not exist!\n");
}

/*
 * Whether a device holds typed input not yet drained; read without the
 * kernel lock.  The timer checks it in case a device's interrupt was
 * lost, so that a reader sleeping in sys_cons_wait still wakes up.
 */
bool
cons_input_hint(void)
{
	return uart_has_input() || kbd_has_input();
}

/* Drain every input device now (the timer's fallback for lost interrupts). */
void
cons_poll(void)
{
	serial_intr();
	kbd_intr();
}

/* Wait a moment for input (the kernel monitor polls with interrupts off). */
void
cons_idle(void)
{
	pause();
}

/* Nothing is held back on a PC: every character goes out at once. */
void
cons_flush(void)
{
}

/*
 * Who wrote what the console shows: the host (0), a guest (its env id)
 * or the console's own word (CONS_SPEAKER_CONSOLE, the host's too).
 * Two rules keep several writers readable:
 *   - a line never mixes two writers' text: someone else's text starts
 *     a new line;
 *   - where the writer changes between the host and a guest, or from
 *     one guest to another, one line names the new one:
 *     "--- guest 00001004 ---" or "--- host ---".
 * Why a line at each switch, rather than the "[guest ID] " prefix on
 * every line or only on a guest's first line after another writer:
 * every line's writer is the one named last above it, for a person
 * with two guests and for a script alike (with a prefix on first lines
 * only, a host line after a guest's would read as the guest's), and
 * output that stays with one writer, such as a guest's cat, costs no
 * byte more than the guest printed.  Under the output lock (cons_lock).
 */
static int line_writer;		// whose text the current line holds
static bool line_open;		// that line is unfinished
static int speaker;		// whose text is being printed now
static int shown;		// the writer the console named last: 0 the host, else a guest

/* Put c on COM1 and on the screen (none before cons_init). */
static void
put_raw(int c)
{
	uart_write(c);
	if (screen_present())
		screen_putc(c);
}

/* The line that names writer (0: the host) at a switch. */
static void
put_writer_line(int writer)
{
	char line[32];

	if (writer)
		snprintf(line, sizeof(line), "--- guest %08x ---\n", writer);
	else
		snprintf(line, sizeof(line), "--- host ---\n");
	for (char *p = line; *p; p++)
		put_raw(*p);
}

/* Print c on COM1 and on the screen, as the current speaker's. */
void
cputchar(int c)
{
	int writer = speaker > 0 ? speaker : 0;

	if (line_open && line_writer != speaker) {
		put_raw('\n');
		line_open = false;
	}
	if (writer != shown) {
		put_writer_line(writer);
		shown = writer;
	}
	line_writer = speaker;
	line_open = c != '\n';
	put_raw(c);
}

/*
 * What is printed from now on is writer's (0: the host's).  Returns
 * whether writer starts a line: false only if the console's current
 * line is writer's own and unfinished.
 */
bool
cons_speak_as(int writer)
{
	speaker = writer;
	return !(line_open && line_writer == writer);
}
