/*
 * COM1, a 16550 UART: the console's serial line.  A PC sets it up and
 * takes its receive interrupts; a guest kernel finds it set up by the
 * host (the monitor emulates it) and reads it when it polls.
 */
#include <inc/x86.h>

#include <kern/console.h>
#include <kern/consdev.h>
#include <kern/picirq.h>

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

/* Whether COM1 is there; no UART on the bus reads as 0xFF everywhere. */
bool
uart_probe(void)
{
	uart_present = inb(UART_PORT + UART_LSR) != 0xFF;
	return uart_present;
}

/* Whether a received byte waits in COM1 (false if there is no COM1). */
bool
uart_has_input(void)
{
	return uart_present && (inb(UART_PORT + UART_LSR) & LSR_RX_READY);
}

static int
uart_read_one(void)
{
	if (!(inb(UART_PORT + UART_LSR) & LSR_RX_READY))
		return -1;
	return inb(UART_PORT + UART_DATA);
}

/* IRQ 4, or a poll: move what COM1 received into the input ring. */
void
serial_intr(void)
{
	if (uart_present)
		cons_input_drain(uart_read_one);
}

/* Send a byte; give up waiting after a while so a dead port cannot hang us. */
void
uart_write(int c)
{
	for (int spins = 0; spins < 100000; spins++)
		if (inb(UART_PORT + UART_LSR) & LSR_TX_EMPTY)
			break;
	outb(UART_PORT + UART_DATA, c);
}

/* 115200 baud, 8N1, interrupt on received data. */
void
uart_init(void)
{
	outb(UART_PORT + UART_FCR, 0);
	outb(UART_PORT + UART_LCR, LCR_DLAB);
	outb(UART_PORT + UART_DIVLO, 1);
	outb(UART_PORT + UART_DIVHI, 0);
	outb(UART_PORT + UART_LCR, LCR_8N1);
	outb(UART_PORT + UART_MCR, MCR_OUT2);
	outb(UART_PORT + UART_IER, IER_RX);

	uart_probe();
	(void) inb(UART_PORT + UART_IIR);
	(void) inb(UART_PORT + UART_DATA);
	if (uart_present)
		irq_enable(IRQ_SERIAL);
}
