/*
 * The virtual 8259A pair of a PC: the master at 0x20/0x21 (IRQ 0-7),
 * the slave at 0xA0/0xA1 (IRQ 8-15) cascaded on the master's IRQ 2, and
 * the edge/level control registers (ELCR) at 0x4D0/0x4D1.  A pure state
 * machine: devices raise and lower lines, the monitor's core asks for
 * the vector to inject and acknowledges it when the CPU takes it.
 */
#ifndef JOS_VMM_IO_I8259_H
#define JOS_VMM_IO_I8259_H

#include <inc/types.h>

#define PIC_LINES	16
#define PIC_NONE	(-1)	// pic_pending_vector: no interrupt requested

#define PIC_MASTER_CMD	0x20
#define PIC_MASTER_DATA	0x21
#define PIC_SLAVE_CMD	0xA0
#define PIC_SLAVE_DATA	0xA1
#define PIC_ELCR_MASTER	0x4D0
#define PIC_ELCR_SLAVE	0x4D1
#define PIC_CASCADE	2	// the master's input that the slave drives

/* One 8259A. */
struct pic_chip {
	uint8_t	irr;		// interrupt request register
	uint8_t	isr;		// in-service register
	uint8_t	imr;		// interrupt mask register (OCW1)
	uint8_t	elcr;		// level-triggered inputs (ELCR)
	uint8_t	elcr_writable;	// ELCR bits that exist on this chip
	uint8_t	lines;		// the inputs' levels now
	uint8_t	base;		// vector of input 0 (ICW2, low 3 bits clear)
	uint8_t	icw3;		// cascade wiring, as written
	uint8_t	init_next;	// next ICW expected (2, 3, 4), 0 when initialised
	uint8_t	lowest;		// input with the lowest priority (rotation)
	bool	need_icw4;	// ICW1 IC4
	bool	single;		// ICW1 SNGL: no cascade
	bool	ltim;		// ICW1 LTIM: every input level-triggered
	bool	auto_eoi;	// ICW4 AEOI
	bool	sfnm;		// ICW4 special fully nested mode
	bool	rotate_aeoi;	// OCW2: rotate on automatic EOI
	bool	special_mask;	// OCW3 special mask mode
	bool	read_isr;	// OCW3: command port reads ISR, not IRR
	bool	poll;		// OCW3 poll: the next command port read polls
};

struct pic {
	struct pic_chip	chip[2];	// master, slave
};

void	pic_reset(struct pic *p);
int	pic_set_irq(struct pic *p, int line, int level);
int	pic_pending_vector(const struct pic *p);
int	pic_ack(struct pic *p);
int	pic_io(struct pic *p, uint16_t port, int width, bool write, uint32_t *val);

#endif
