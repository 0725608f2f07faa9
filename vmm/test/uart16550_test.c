/*
 * Host-side tests of the virtual 16550A (vmm/io/uart16550.c) against
 * what the PC16550D data sheet says.
 */
#include <inc/error.h>
#include <vmm/io/uart16550.h>
#include <vmm/test/devtest.h>

#define COM1	0x3F8

static uint8_t sent[64];
static int nsent;

/* The tx callback: record what the guest sent. */
static void
record(void *arg, uint8_t byte)
{
	CHECK(arg == (void *) sent);
	if (nsent < (int) sizeof(sent))
		sent[nsent++] = byte;
}

#define out(u, reg, v)	DEV_OUT(uart_io, u, COM1 + (reg), v)
#define in(u, reg)	DEV_IN(uart_io, u, COM1 + (reg))

static void
setup(struct uart *u)
{
	uart16550_init(u, COM1, record, sent);
	nsent = 0;
}

/* Reset values; DLAB switches ports 0 and 1 to the divisor latch. */
static void
test_registers(void)
{
	struct uart u;
	uint32_t v;

	setup(&u);
	CHECK(in(&u, 1) == 0 && in(&u, 2) == 0x01 && in(&u, 3) == 0);
	CHECK(in(&u, 4) == 0 && in(&u, 5) == 0x60 && in(&u, 6) == 0xB0);
	out(&u, 3, 0x83);		// DLAB, 8 bits
	CHECK(in(&u, 0) == 12 && in(&u, 1) == 0);
	out(&u, 0, 0x01);		// 115200 baud
	out(&u, 1, 0x00);
	CHECK(in(&u, 0) == 1 && in(&u, 1) == 0);
	CHECK(nsent == 0);		// the divisor write sent nothing
	CHECK(in(&u, 1) == 0);
	out(&u, 3, 0x03);
	CHECK(in(&u, 3) == 0x03);
	out(&u, 1, 0x05);
	CHECK(in(&u, 1) == 0x05);	// IER, not DLM
	out(&u, 1, 0xFF);
	CHECK(in(&u, 1) == 0x0F);	// bits 4-7 are zero
	out(&u, 0, 'h');
	out(&u, 0, 'i');
	CHECK(nsent == 2 && sent[0] == 'h' && sent[1] == 'i');
	out(&u, 3, 0x80);
	CHECK(in(&u, 0) == 1);		// the divisor kept its value
	out(&u, 7, 0x5A);
	CHECK(in(&u, 7) == 0x5A);
	out(&u, 5, 0x00);		// LSR is read only
	CHECK(in(&u, 5) == 0x60);
	// Ports and widths.
	CHECK(uart_io(&u, COM1 + 8, 1, false, &v) == -E_INVAL);
	CHECK(uart_io(&u, COM1 - 1, 1, true, &v) == -E_INVAL);
	CHECK(uart_io(&u, COM1, 0, false, &v) == -E_INVAL);
	v = 0;
	CHECK(uart_io(&u, COM1 + 6, 4, false, &v) == 0 && v == 0xFFFF5AB0);
}

/* Received data: RBR, DR, the one-byte holding register without FIFOs. */
static void
test_receive(void)
{
	struct uart u;

	setup(&u);
	CHECK(uart_rx_space(&u) == 1);
	CHECK(uart_input(&u, 'a'));
	CHECK(in(&u, 5) == 0x61);
	CHECK(uart_rx_space(&u) == 0);
	CHECK(!uart_input(&u, 'b'));	// overrun: the new byte overwrites
	CHECK(in(&u, 5) == 0x63);	// DR and OE
	CHECK(in(&u, 5) == 0x61);	// OE cleared by the read
	CHECK(in(&u, 0) == 'b');
	CHECK(in(&u, 5) == 0x60);
	CHECK(in(&u, 0) == 'b');	// an empty RBR reads the last byte
}

/* FIFO of 16 bytes, overrun flag in LSR, clearing, trigger levels. */
static void
test_fifo(void)
{
	struct uart u;

	setup(&u);
	out(&u, 2, 0x07);		// FIFOs on, cleared, trigger 1
	CHECK((in(&u, 2) & 0xC0) == 0xC0);
	CHECK(uart_rx_space(&u) == 16);
	for (int i = 0; i < 16; i++)
		CHECK(uart_input(&u, 'A' + i));
	CHECK(in(&u, 5) == 0x61);
	CHECK(!uart_input(&u, '!'));	// the 17th is lost
	CHECK(in(&u, 5) == 0x63);
	for (int i = 0; i < 16; i++)
		CHECK(in(&u, 0) == 'A' + i);
	CHECK(in(&u, 5) == 0x60);
	// FCR bit 1 clears the receive FIFO.
	CHECK(uart_input(&u, 'x') && uart_input(&u, 'y'));
	out(&u, 2, 0x03);
	CHECK(in(&u, 5) == 0x60);
	// Trigger 4: below it, a timeout indication; at it, data available.
	out(&u, 1, 0x01);
	out(&u, 2, 0x41);
	CHECK(in(&u, 2) == 0xC1);
	CHECK(uart_input(&u, '1') && uart_input(&u, '2') && uart_input(&u, '3'));
	CHECK(in(&u, 2) == 0xCC);
	CHECK(uart_input(&u, '4'));
	CHECK(in(&u, 2) == 0xC4);
	CHECK(in(&u, 0) == '1');
	CHECK(in(&u, 2) == 0xCC);
	// Turning the FIFOs off clears them; bits without bit 0 do nothing.
	out(&u, 2, 0xC0);
	CHECK(in(&u, 2) == 0x01 && in(&u, 5) == 0x60);
	CHECK(uart_rx_space(&u) == 1);
}

/* IIR priorities: line status > received data > THR empty > modem status. */
static void
test_iir(void)
{
	struct uart u;

	setup(&u);
	out(&u, 4, 0x08);		// OUT2: the line reaches the PIC
	CHECK(!uart_irq(&u));
	out(&u, 1, 0x02);		// THRE enabled with THR empty: raised
	CHECK(uart_irq(&u));
	CHECK(in(&u, 2) == 0x02);
	CHECK(in(&u, 2) == 0x01);	// the IIR read cleared it
	CHECK(!uart_irq(&u));
	out(&u, 0, 'z');		// sent at once: THR empty again
	CHECK(in(&u, 2) == 0x02);
	// All sources at once, taken in priority order.
	out(&u, 1, 0x0F);
	out(&u, 4, 0x10);		// loopback, outputs off: the inputs drop
	out(&u, 4, 0x08);		// and come back: MSR deltas
	out(&u, 0, 'q');
	CHECK(uart_input(&u, 'r'));
	CHECK(!uart_input(&u, 's'));	// overrun
	CHECK(uart_irq(&u));
	CHECK(in(&u, 2) == 0x06);
	CHECK((in(&u, 5) & 0x02) != 0);
	CHECK(in(&u, 2) == 0x04);
	CHECK(in(&u, 0) == 's');
	CHECK(in(&u, 2) == 0x02);
	CHECK(in(&u, 2) == 0x00);
	CHECK(in(&u, 6) == 0xBB);	// DCTS, DDSR, DDCD; lines up again
	CHECK(in(&u, 2) == 0x01);
	CHECK(!uart_irq(&u));
	// Disabled sources do not show.
	out(&u, 1, 0x00);
	CHECK(uart_input(&u, 't'));
	CHECK(in(&u, 2) == 0x01 && !uart_irq(&u));
	// Without OUT2 the line stays low whatever is pending.
	out(&u, 1, 0x01);
	CHECK(uart_irq(&u));
	out(&u, 4, 0x00);
	CHECK(in(&u, 2) == 0x04 && !uart_irq(&u));
}

/* Loopback: THR comes back in RBR, MCR outputs come back in MSR. */
static void
test_loopback(void)
{
	struct uart u;

	setup(&u);
	out(&u, 4, 0x10);
	CHECK(in(&u, 6) == 0x0B);	// inputs dropped: deltas, no lines
	out(&u, 0, 'L');
	CHECK(nsent == 0);
	CHECK(in(&u, 5) == 0x61 && in(&u, 0) == 'L');
	out(&u, 4, 0x1F);
	CHECK(in(&u, 6) == 0xFB);
	out(&u, 4, 0x1B);		// OUT1 off: RI's trailing edge
	CHECK(in(&u, 6) == 0xB4);
	out(&u, 1, 0x01);
	out(&u, 0, 'M');
	CHECK(!uart_irq(&u));		// OUT2 is off at the pin in loopback
	CHECK(in(&u, 2) == 0x04 && in(&u, 0) == 'M');
	out(&u, 4, 0x08);
	out(&u, 0, 'N');
	CHECK(nsent == 1 && sent[0] == 'N');
}

int
main(void)
{
	test_registers();
	test_receive();
	test_fifo();
	test_iir();
	test_loopback();
	return hosttest_report("uart16550_test");
}
