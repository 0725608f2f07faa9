/*
 * The host's second serial port, COM2 at 0x2F8: a polled byte channel
 * for the guest debugger's link to gdb (vmm/gdb/stub.c).  Its
 * interrupt stays off: the debugger polls it while a guest is stopped
 * and between a running guest's exits.  Under QEMU it is the second
 * -serial; under Bochs com2 (conf/bochsrc.tmpl).
 */
#include <inc/x86.h>

#include <kern/serial2.h>

#define COM2		0x2F8
#define COM_DATA	0	// receive / transmit
#define COM_IER		1	// interrupt enable
#define COM_FCR		2	// FIFO control
#define COM_LCR		3	// line control
#define COM_MCR		4	// modem control
#define COM_LSR		5	// line status
#define COM_DLL		0	// divisor latch, with LCR.DLAB
#define COM_DLM		1
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define LSR_DATA	0x01	// a byte has come in
#define LSR_THRE	0x20	// the transmitter takes a byte

static bool present;

/*
 * Set COM2 up at 115200 baud, 8N1, FIFOs on, interrupts off.  A port
 * whose line status reads 0xFF is not there: the channel stays off.
 */
void
serial2_init(void)
{
	outb(COM2 + COM_IER, 0);
	outb(COM2 + COM_LCR, LCR_DLAB);
	outb(COM2 + COM_DLL, 1);	// 115200 / 1
	outb(COM2 + COM_DLM, 0);
	outb(COM2 + COM_LCR, LCR_8N1);
	outb(COM2 + COM_FCR, 0xC7);	// FIFOs on and cleared, 14-byte trigger
	outb(COM2 + COM_MCR, 0x03);	// DTR, RTS
	// Input already waiting is kept: gdb may have connected and sent
	// its first packet before the debugger was asked for.
	present = inb(COM2 + COM_LSR) != 0xFF;
}

/* Whether COM2 answered at init. */
bool
serial2_present(void)
{
	return present;
}

/* The next byte that came in, or -1 if none has (or there is no COM2). */
int
serial2_getc(void)
{
	if (!present || !(inb(COM2 + COM_LSR) & LSR_DATA))
		return -1;
	return inb(COM2 + COM_DATA);
}

/* Send byte c, waiting (a bounded while) for the transmitter. */
void
serial2_putc(uint8_t c)
{
	int i;

	if (!present)
		return;
	for (i = 0; i < 100000 && !(inb(COM2 + COM_LSR) & LSR_THRE); i++)
		(void) inb(0x84);	// about a microsecond
	outb(COM2 + COM_DATA, c);
}
