/*
 * The console's devices on a PC: every character printed goes to COM1
 * and to the CGA screen at once; COM1 and the PS/2 keyboard deliver
 * typed input by interrupt (or poll).  The guest kernel links
 * guest/pv_console.c instead.
 */
#include <inc/x86.h>
#include <inc/stdio.h>

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
	bool screen = screen_present();	// none before cons_init

	if (line_open && line_writer != speaker) {
		uart_write('\n');
		if (screen)
			screen_putc('\n');
	}
	line_writer = speaker;
	line_open = c != '\n';
	uart_write(c);
	if (screen)
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
