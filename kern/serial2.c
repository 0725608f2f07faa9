/*
 * The host's second serial port, COM2 at 0x2F8 (IRQ 3): a byte channel
 * for the guest debugger's link to gdb (vmm/gdb/stub.c).  Bytes that
 * come in are taken by the receive interrupt into a ring, so that the
 * UART never holds them for long, and the channel's owner is told
 * (serial2_set_notify): it may be asleep waiting for them.  The same
 * ring is filled by polling too (serial2_getc), for code that runs with
 * interrupts off.  Under QEMU it is the second -serial; under Bochs
 * com2 (conf/bochsrc.tmpl).
 */
#include <inc/x86.h>

#include <kern/picirq.h>
#include <kern/serial2.h>

#define COM2		0x2F8
#define COM_DATA	0	// receive / transmit
#define COM_IER		1	// interrupt enable
#define   IER_RDI	0x01	// interrupt when a byte has come in
#define COM_FCR		2	// FIFO control
#define COM_LCR		3	// line control
#define COM_MCR		4	// modem control
#define   MCR_OUT2	0x08	// on a PC, lets the interrupt out to the PIC
#define COM_LSR		5	// line status
#define COM_DLL		0	// divisor latch, with LCR.DLAB
#define COM_DLM		1
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define LSR_DATA	0x01	// a byte has come in
#define LSR_THRE	0x20	// the transmitter takes a byte

#define RING_SIZE	4096	// a power of two

static bool present;
static uint8_t ring[RING_SIZE];
static uint32_t ring_head, ring_tail;	// taken out at tail, put in at head
static void (*notify)(void);

/*
 * Set COM2 up at 115200 baud, 8N1, FIFOs on, the receive interrupt on.
 * A port whose line status reads 0xFF is not there: the channel stays
 * off.
 */
void
serial2_init(void)
{
	outb(COM2 + COM_IER, 0);
	outb(COM2 + COM_LCR, LCR_DLAB);
	outb(COM2 + COM_DLL, 1);	// 115200 / 1
	outb(COM2 + COM_DLM, 0);
	outb(COM2 + COM_LCR, LCR_8N1);
	// FIFOs on and cleared, an interrupt at 8 bytes (or at a pause:
	// the UART's character timeout brings a lone Ctrl-C): an interrupt
	// per byte, under an emulator at a few million instructions a
	// second, costs more than the byte time at 115200 baud, and a peer
	// that never pauses would keep the CPU in this interrupt.
	outb(COM2 + COM_FCR, 0x87);
	outb(COM2 + COM_MCR, 0x03 | MCR_OUT2);	// DTR, RTS, the interrupt line
	// Input already waiting is kept: gdb may have connected and sent
	// its first packet before the debugger was asked for.
	present = inb(COM2 + COM_LSR) != 0xFF;
	if (!present)
		return;
	outb(COM2 + COM_IER, IER_RDI);
	irq_enable(IRQ_COM2);
}

/* Whether COM2 answered at init. */
bool
serial2_present(void)
{
	return present;
}

/* Call fn (kernel lock held) whenever bytes have come in by interrupt. */
void
serial2_set_notify(void (*fn)(void))
{
	notify = fn;
}

/*
 * Move what the UART holds into the ring (past a full ring, bytes are
 * lost); how many.  At most a ring's worth per call: a peer that never
 * pauses keeps the UART full, and this runs with interrupts off.
 */
static int
serial2_drain(void)
{
	int n = 0;

	while (present && n < RING_SIZE && (inb(COM2 + COM_LSR) & LSR_DATA)) {
		uint8_t c = inb(COM2 + COM_DATA);
		if (ring_head - ring_tail < RING_SIZE)
			ring[ring_head++ % RING_SIZE] = c;
		n++;
	}
	return n;
}

/* COM2's interrupt (kern/trap.c): bytes came in. */
void
serial2_intr(void)
{
	if (serial2_drain() && notify)
		notify();
}

/* The next byte that came in, or -1 if none has (or there is no COM2). */
int
serial2_getc(void)
{
	if (ring_head == ring_tail)
		serial2_drain();
	if (ring_head == ring_tail)
		return -1;
	return ring[ring_tail++ % RING_SIZE];
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
