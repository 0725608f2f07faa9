/*
 * The virtual 16550A (vmm/io/uart16550.h), after the National
 * Semiconductor PC16550D data sheet and the PC's wiring (the interrupt
 * reaches the PIC only while MCR OUT2 is set).  Simplification: the
 * receiver's character timeout is taken as elapsed whenever the FIFO
 * holds fewer bytes than the trigger level, since the host hands over
 * its input in bursts that have ended by the time the guest runs.
 */
#include <inc/error.h>
#include <vmm/io/ioport.h>
#include <vmm/io/uart16550.h>

#define REG_DATA	0	// RBR / THR, DLL with DLAB
#define REG_IER		1	// DLM with DLAB
#define REG_IIR		2	// FCR when written
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_RDA		0x01	// received data available
#define IER_THRE	0x02	// transmitter holding register empty
#define IER_RLS		0x04	// receiver line status
#define IER_MS		0x08	// modem status
#define IIR_NONE	0x01
#define IIR_MS		0x00
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_RLS		0x06
#define IIR_TIMEOUT	0x0C
#define IIR_FIFOS	0xC0	// FIFOs enabled
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_TRIGGER	0xC0
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

/* Whether the FIFOs are on. */
static bool
fifo_on(const struct uart *u)
{
	return u->fcr & FCR_ENABLE;
}

/* Receive FIFO trigger level: 1, 4, 8 or 14 bytes. */
static int
trigger_level(const struct uart *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return level[u->fcr >> 6];
}

/* Bytes the receiver holds at most: the FIFO, or the RBR alone. */
static int
rx_capacity(const struct uart *u)
{
	return fifo_on(u) ? UART_FIFO : 1;
}

/*
 * The modem status inputs (MSR bits 4-7): in loopback, the modem control
 * outputs fed back (RTS to CTS, DTR to DSR, OUT1 to RI, OUT2 to DCD);
 * otherwise the host's line, always up (CTS, DSR, DCD).
 */
static uint8_t
msr_inputs(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
		(m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
}

/*
 * The interrupt the IIR reports: the enabled, pending source of highest
 * priority (line status, received data or its timeout, THR empty,
 * modem status), or IIR_NONE.
 */
static uint8_t
interrupt_id(const struct uart *u)
{
	if ((u->ier & IER_RLS) && u->lsr_errors)
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count)
		return !fifo_on(u) || u->rx_count >= trigger_level(u) ? IIR_RDA : IIR_TIMEOUT;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_MS) && u->msr_delta)
		return IIR_MS;
	return IIR_NONE;
}

/*
 * A byte arrives on the receiver: into the FIFO, or, when it is full,
 * an overrun (LSR OE): with FIFOs the new byte is lost, without them it
 * overwrites the unread one.  Returns whether nothing was lost.
 */
static bool
receive(struct uart *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;
		if (!fifo_on(u))
			u->rx[u->rx_head] = byte;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = byte;
	u->rx_count++;
	return true;
}

/* The oldest received byte, taken out (with none, the last one again). */
static uint8_t
read_rbr(struct uart *u)
{
	if (u->rx_count) {
		u->rx_last = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO;
		u->rx_count--;
	}
	return u->rx_last;
}

/* The guest writes THR: the byte goes out (or, in loopback, comes back). */
static void
write_thr(struct uart *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP)
		receive(u, byte);
	else if (u->tx)
		u->tx(u->tx_arg, byte);
	// Sent at once: the holding register is empty again.
	u->thre_pending = true;
}

/* FCR: FIFOs on or off (either clears them), clear RX, trigger level. */
static void
write_fcr(struct uart *u, uint8_t v)
{
	if ((v & FCR_ENABLE) != (u->fcr & FCR_ENABLE) || (v & FCR_CLEAR_RX))
		u->rx_count = u->rx_head = 0;
	// Without bit 0 the other bits are not programmed.
	u->fcr = v & FCR_ENABLE ? v & (FCR_ENABLE | FCR_TRIGGER) : 0;
}

/* MCR: changes of the modem inputs it loops back set MSR's delta bits. */
static void
write_mcr(struct uart *u, uint8_t v)
{
	uint8_t before = msr_inputs(u), after, changed;

	u->mcr = v & 0x1F;
	after = msr_inputs(u);
	changed = before ^ after;
	u->msr_delta |= (changed & MSR_CTS ? 0x01 : 0) | (changed & MSR_DSR ? 0x02 : 0) |
		((before & MSR_RI) && !(after & MSR_RI) ? 0x04 : 0) |
		(changed & MSR_DCD ? 0x08 : 0);
}

/* A read of register reg, with the side effects the data sheet gives it. */
static uint8_t
read_reg(struct uart *u, int reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case REG_DATA:
		return dlab ? u->dll : read_rbr(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		v = interrupt_id(u);
		if (v == IIR_THRE)
			u->thre_pending = false;
		return v | (fifo_on(u) ? IIR_FIFOS : 0);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = (u->rx_count ? LSR_DR : 0) | u->lsr_errors | LSR_THRE | LSR_TEMT;
		u->lsr_errors = 0;
		return v;
	case REG_MSR:
		v = msr_inputs(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

/* A write of v to register reg. */
static void
write_reg(struct uart *u, int reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		if (dlab)
			u->dll = v;
		else
			write_thr(u, v);
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		// Enabling the THRE interrupt with THR empty raises it.
		if ((v & IER_THRE) && !(u->ier & IER_THRE))
			u->thre_pending = true;
		u->ier = v & 0x0F;
		break;
	case REG_IIR:
		write_fcr(u, v);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		write_mcr(u, v);
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default:
		break;		// LSR and MSR: read only
	}
}

/* One byte access to the UART's ports (io_byte_fn). */
static int
uart_byte(void *dev, uint16_t port, bool write, uint8_t *b)
{
	struct uart *u = dev;

	if (port < u->base || port >= u->base + UART_PORTS)
		return -E_INVAL;
	if (write)
		write_reg(u, port - u->base, *b);
	else
		*b = read_reg(u, port - u->base);
	return 0;
}

/*
 * Reset u as a master reset does: every interrupt off, FIFOs off, line
 * idle, nothing received; ports base..base+7; bytes the guest sends go
 * to tx(tx_arg, byte) (none if tx is null).  The divisor reads 12 (9600
 * baud) as a BIOS leaves it.
 */
void
uart16550_init(struct uart *u, uint16_t base, void (*tx)(void *arg, uint8_t byte), void *tx_arg)
{
	*u = (struct uart) { .base = base, .tx = tx, .tx_arg = tx_arg, .dll = 12 };
}

/*
 * A byte from the host for the guest.  Returns false when the receiver
 * was full (an overrun, as on a real line); uart_rx_space says how many
 * bytes fit, for a caller that would rather wait.
 */
bool
uart_input(struct uart *u, uint8_t byte)
{
	return receive(u, byte);
}

/* How many bytes uart_input can take now without an overrun. */
int
uart_rx_space(const struct uart *u)
{
	return rx_capacity(u) - u->rx_count;
}

/*
 * The level of the UART's interrupt line at the PIC: an enabled source
 * pending, and OUT2 set (loopback forces OUT2 off at the pin).
 */
bool
uart_irq(const struct uart *u)
{
	return interrupt_id(u) != IIR_NONE && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
}

/*
 * A guest's access of width bytes at port (base..base+7): writes *val,
 * or reads into *val.  Returns 0, or -E_INVAL for another port or a bad
 * width.
 */
int
uart_io(struct uart *u, uint16_t port, int width, bool write, uint32_t *val)
{
	return io_split(u, uart_byte, port, width, write, val);
}
