/*
 * A virtual NS16550A UART (COM1 at 0x3F8, IRQ 4 on a PC).  A pure state
 * machine: bytes from the host console come in through uart_input,
 * bytes the guest sends go out through a callback at once (no bit
 * timing), and uart_irq says the level of the interrupt line.
 */
#ifndef JOS_VMM_IO_UART16550_H
#define JOS_VMM_IO_UART16550_H

#include <inc/types.h>

#define UART_COM1	0x3F8
#define UART_COM1_IRQ	4
#define UART_PORTS	8
#define UART_FIFO	16	// bytes in the receive FIFO

struct uart {
	uint16_t	base;		// first of the 8 ports
	uint8_t		rx[UART_FIFO];	// receive FIFO (one byte used without FIFOs)
	uint8_t		rx_head;	// index of the oldest byte
	uint8_t		rx_count;	// bytes in rx
	uint8_t		rx_last;	// the byte read last (an empty RBR reads it)
	uint8_t		ier;		// interrupt enable, bits 0-3
	uint8_t		fcr;		// FIFO enable (bit 0) and trigger level (bits 6-7)
	uint8_t		lcr;		// line control (bit 7: DLAB)
	uint8_t		mcr;		// modem control, bits 0-4
	uint8_t		lsr_errors;	// overrun (and other errors) until LSR is read
	uint8_t		msr_delta;	// MSR bits 0-3 until MSR is read
	uint8_t		scr;		// scratch
	uint8_t		dll, dlm;	// divisor latch
	bool		thre_pending;	// the "THR empty" interrupt is owed
	void		(*tx)(void *arg, uint8_t byte);	// where sent bytes go
	void		*tx_arg;
};

void	uart16550_init(struct uart *u, uint16_t base, void (*tx)(void *arg, uint8_t byte),
		  void *tx_arg);
bool	uart_input(struct uart *u, uint8_t byte);
int	uart_rx_space(const struct uart *u);
bool	uart_irq(const struct uart *u);
int	uart_io(struct uart *u, uint16_t port, int width, bool write, uint32_t *val);

#endif
