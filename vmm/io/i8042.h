/*
 * The virtual 8042 keyboard controller of a PC with a PS/2 keyboard
 * (data port 0x60, status/command port 0x64, IRQ 1) and no mouse.  A
 * pure state machine: typed characters come in as scan code set 1 make
 * and break codes, the guest reads them by interrupt or polling, and
 * the reset line (command 0xFE) calls back, as a CPU reset would end
 * the guest.
 */
#ifndef JOS_VMM_IO_I8042_H
#define JOS_VMM_IO_I8042_H

#include <inc/types.h>

#define I8042_DATA	0x60
#define I8042_CMD	0x64	// status when read
#define I8042_IRQ_KBD	1
#define I8042_IRQ_AUX	12
#define I8042_QUEUE	64	// keyboard bytes waiting for the output buffer

/* Bytes waiting to reach the output buffer, oldest first. */
struct i8042_queue {
	uint8_t	b[I8042_QUEUE];
	uint8_t	head, count;
};

struct i8042 {
	uint8_t			obuf;		// output buffer (port 0x60 reads it)
	bool			obf;		// it holds a byte not read yet
	bool			obuf_aux;	// that byte is from the aux port
	uint8_t			cmd_byte;	// controller command byte
	uint8_t			out_port;	// controller output port (bit 0 reset, 1 A20)
	uint8_t			pending_cmd;	// controller command waiting for its data byte
	bool			last_was_cmd;	// status bit 3: the last write went to 0x64
	uint8_t			kbd_cmd;	// keyboard command waiting for its parameter
	bool			scanning;	// the keyboard sends what is typed
	uint8_t			leds;
	bool			looked;		// the guest has read port 0x60 or 0x64
	struct i8042_queue	replies;	// the keyboard's answers to commands
	struct i8042_queue	keys;		// scan codes typed
	void			(*reset)(void *arg);
	void			*reset_arg;
};

void	i8042_init(struct i8042 *k, void (*reset)(void *arg), void *reset_arg);
bool	i8042_type(struct i8042 *k, uint8_t c);
bool	i8042_key_of(uint8_t c, uint8_t *code, uint8_t *mod);
bool	i8042_output_waiting(const struct i8042 *k);
bool	i8042_scancode(struct i8042 *k, uint8_t code);
bool	i8042_irq1(const struct i8042 *k);
bool	i8042_irq12(const struct i8042 *k);
bool	i8042_a20(const struct i8042 *k);
int	i8042_io(struct i8042 *k, uint16_t port, int width, bool write, uint32_t *val);

#endif
