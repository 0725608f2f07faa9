/*
 * The virtual 8259A pair (vmm/io/i8259.h), after the Intel 8259A data
 * sheet and the PC's wiring: 8086 mode, the slave's INT output on the
 * master's IR2, ELCR as on the PIIX (IRQ 0, 1, 2, 8 and 13 always edge).
 */
#include <inc/error.h>
#include <vmm/io/i8259.h>
#include <vmm/io/ioport.h>

#define ICW1		0x10	// command port bit 4: ICW1
#define ICW1_IC4	0x01
#define ICW1_SNGL	0x02
#define ICW1_LTIM	0x08
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
#define OCW3		0x08	// command port bit 3 (bit 4 clear): OCW3
#define OCW3_RIS	0x01
#define OCW3_RR		0x02
#define OCW3_POLL	0x04
#define OCW3_SMM	0x20
#define OCW3_ESMM	0x40
#define OCW2_EOI	0x20
#define OCW2_SL		0x40
#define OCW2_R		0x80
#define POLL_INT	0x80	// poll byte: an interrupt was pending

#define MASTER		0
#define SLAVE		1

/* The inputs that are level-triggered on chip c now. */
static uint8_t
level_inputs(const struct pic_chip *c)
{
	return c->ltim ? 0xFF : c->elcr;
}

/* The in-service input of highest priority on c, or -1. */
static int
highest_isr(const struct pic_chip *c)
{
	for (int r = 0; r < 8; r++) {
		int irq = (c->lowest + 1 + r) & 7;
		if (c->isr & (1 << irq))
			return irq;
	}
	return -1;
}

/*
 * The input whose request c would raise INT for now: the unmasked
 * request of highest priority, if no in-service input of equal or
 * higher priority blocks it (special mask mode: masked in-service
 * inputs block nothing; special fully nested mode: the cascade input
 * does not block itself).  -1 if none.
 */
static int
chip_request(const struct pic_chip *c, bool master)
{
	uint8_t req = c->irr & ~c->imr;
	uint8_t isr = c->special_mask ? c->isr & ~c->imr : c->isr;
	int isr_rank = 8;

	if (req == 0)
		return -1;
	for (int r = 0; r < 8; r++)
		if (isr & (1 << ((c->lowest + 1 + r) & 7))) {
			isr_rank = r;
			break;
		}
	for (int r = 0; r < 8; r++) {
		int irq = (c->lowest + 1 + r) & 7;
		if (!(req & (1 << irq)))
			continue;
		if (r < isr_rank)
			return irq;
		if (r == isr_rank && master && c->sfnm && !c->single && irq == PIC_CASCADE)
			return irq;
		return -1;
	}
	return -1;
}

/*
 * Input irq of c goes to level: a rising edge latches a request of an
 * edge-triggered input; a level-triggered input requests while high.
 */
static void
chip_line(struct pic_chip *c, int irq, int level)
{
	uint8_t bit = 1 << irq;

	if (level_inputs(c) & bit)
		c->irr = level ? c->irr | bit : c->irr & ~bit;
	else if (level && !(c->lines & bit))
		c->irr |= bit;
	c->lines = level ? c->lines | bit : c->lines & ~bit;
}

/* The slave's INT output drives the master's cascade input. */
static void
cascade(struct pic *p)
{
	chip_line(&p->chip[MASTER], PIC_CASCADE, chip_request(&p->chip[SLAVE], false) >= 0);
}

/*
 * The acknowledge of input irq of c (INTA or poll): its request goes
 * into service (or, with automatic EOI, is done at once, rotating if
 * asked), an edge-triggered request is consumed.
 */
static void
chip_ack(struct pic_chip *c, int irq)
{
	uint8_t bit = 1 << irq;

	if (!(level_inputs(c) & bit))
		c->irr &= ~bit;
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_aeoi)
		c->lowest = irq;
}

/* Power-on state of chip c: uninitialised, everything masked. */
static void
chip_reset(struct pic_chip *c, uint8_t base, uint8_t icw3, uint8_t elcr_writable)
{
	*c = (struct pic_chip) {
		.imr = 0xFF, .base = base, .icw3 = icw3, .lowest = 7,
		.elcr_writable = elcr_writable,
	};
}

/*
 * Reset p to the state a PC BIOS leaves: the pair initialised with
 * vectors 0x08 (master) and 0x70 (slave), cascade on IRQ 2, every input
 * masked and edge-triggered, so that nothing reaches the guest before
 * it programs the PICs itself.
 */
void
pic_reset(struct pic *p)
{
	chip_reset(&p->chip[MASTER], 0x08, 1 << PIC_CASCADE, 0xF8);
	chip_reset(&p->chip[SLAVE], 0x70, PIC_CASCADE, 0xDE);
}

/*
 * Input line (0-15) of the pair goes to level (0 low, otherwise high).
 * Returns 0, or -E_INVAL for a line that does not exist or the cascade
 * input 2, which only the slave drives.
 */
int
pic_set_irq(struct pic *p, int line, int level)
{
	if (line < 0 || line >= PIC_LINES || line == PIC_CASCADE)
		return -E_INVAL;
	chip_line(&p->chip[line / 8], line % 8, level != 0);
	cascade(p);
	return 0;
}

/*
 * The vector an INTA cycle would give now: the master's highest
 * unblocked request (through the slave for IRQ 2), or PIC_NONE.  When
 * the master's cascade request outlived the slave's (a level-triggered
 * slave input dropped), it is the slave's spurious IRQ 15 vector.
 * Changes nothing.
 */
int
pic_pending_vector(const struct pic *p)
{
	const struct pic_chip *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
	int irq = chip_request(m, true), sirq;

	if (irq < 0)
		return PIC_NONE;
	if (irq != PIC_CASCADE || m->single)
		return m->base | irq;
	sirq = chip_request(s, false);
	return s->base | (sirq < 0 ? 7 : sirq);
}

/*
 * The CPU acknowledges an interrupt (INTA): the request that
 * pic_pending_vector names goes into service on the master and, through
 * IRQ 2, on the slave.  Returns the vector the CPU receives: when no
 * request is pending (it went away since the core asked), the master's
 * spurious IRQ 7 vector (or the slave's IRQ 15), with nothing put in
 * service, as the 8259A does.
 */
int
pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
	int irq = chip_request(m, true), sirq;

	if (irq < 0)
		return m->base | 7;
	chip_ack(m, irq);
	if (irq != PIC_CASCADE || m->single)
		return m->base | irq;
	sirq = chip_request(s, false);
	if (sirq >= 0)
		chip_ack(s, sirq);
	// The slave's INT falls during the acknowledge: a request still
	// pending there makes a new edge on IR2.
	m->lines &= ~(1 << PIC_CASCADE);
	cascade(p);
	return s->base | (sirq < 0 ? 7 : sirq);
}

/* End of interrupt for input irq of c (specific, or the highest in service). */
static void
chip_eoi(struct pic_chip *c, int irq, bool rotate)
{
	if (irq < 0)
		return;
	c->isr &= ~(1 << irq);
	if (rotate)
		c->lowest = irq;
}

/* OCW2: EOI, rotation and priority commands. */
static void
write_ocw2(struct pic_chip *c, uint8_t v)
{
	int level = v & 7;

	switch (v & (OCW2_R | OCW2_SL | OCW2_EOI)) {
	case OCW2_EOI:				// non-specific EOI
		chip_eoi(c, highest_isr(c), false);
		break;
	case OCW2_SL | OCW2_EOI:		// specific EOI
		chip_eoi(c, level, false);
		break;
	case OCW2_R | OCW2_EOI:			// rotate on non-specific EOI
		chip_eoi(c, highest_isr(c), true);
		break;
	case OCW2_R | OCW2_SL | OCW2_EOI:	// rotate on specific EOI
		chip_eoi(c, level, true);
		break;
	case OCW2_R:				// set rotate in automatic EOI mode
		c->rotate_aeoi = true;
		break;
	case 0:					// clear rotate in automatic EOI mode
		c->rotate_aeoi = false;
		break;
	case OCW2_R | OCW2_SL:			// set priority: level lowest
		c->lowest = level;
		break;
	default:				// SL alone: no operation
		break;
	}
}

/* A write to c's command port (A0 = 0): ICW1, OCW2 or OCW3. */
static void
write_cmd(struct pic_chip *c, uint8_t v)
{
	if (v & ICW1) {
		// Edge detection restarts (an input already high must
		// rise again), IMR clear, IRQ 7 lowest, ICW4 functions
		// off unless ICW4 follows.
		c->need_icw4 = v & ICW1_IC4;
		c->single = v & ICW1_SNGL;
		c->ltim = v & ICW1_LTIM;
		c->imr = c->isr = 0;
		c->irr = c->lines & level_inputs(c);
		c->lowest = 7;
		c->special_mask = c->read_isr = c->poll = false;
		c->auto_eoi = c->sfnm = c->rotate_aeoi = false;
		c->init_next = 2;
	} else if (v & OCW3) {
		if (v & OCW3_ESMM)
			c->special_mask = v & OCW3_SMM;
		if (v & OCW3_RR)
			c->read_isr = v & OCW3_RIS;
		c->poll = v & OCW3_POLL;
	} else {
		write_ocw2(c, v);
	}
}

/* A write to c's data port (A0 = 1): ICW2-4 during initialisation, else OCW1. */
static void
write_data(struct pic_chip *c, uint8_t v)
{
	switch (c->init_next) {
	case 2:
		c->base = v & 0xF8;
		c->init_next = !c->single ? 3 : c->need_icw4 ? 4 : 0;
		break;
	case 3:
		c->icw3 = v;
		c->init_next = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = v & ICW4_AEOI;
		c->sfnm = v & ICW4_SFNM;
		c->init_next = 0;
		break;
	default:
		c->imr = v;
		break;
	}
}

/*
 * A read of c's command port: after a poll command, the poll byte
 * (0x80 | input, that request acknowledged as by INTA; 0 if none),
 * else IRR or ISR as OCW3 last chose.
 */
static uint8_t
read_cmd(struct pic_chip *c, bool master)
{
	int irq;

	if (!c->poll)
		return c->read_isr ? c->isr : c->irr;
	c->poll = false;
	irq = chip_request(c, master);
	if (irq < 0)
		return 0;
	chip_ack(c, irq);
	return POLL_INT | irq;
}

/* One byte access to the pair's ports (io_byte_fn). */
static int
pic_byte(void *dev, uint16_t port, bool write, uint8_t *b)
{
	struct pic *p = dev;
	struct pic_chip *c;
	int n;

	switch (port) {
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		c = &p->chip[port - PIC_ELCR_MASTER];
		if (!write) {
			*b = c->elcr;
			return 0;
		}
		c->elcr = *b & c->elcr_writable;
		c->irr = (c->irr & ~level_inputs(c)) | (c->lines & level_inputs(c));
		break;
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
		n = port >= PIC_SLAVE_CMD;
		c = &p->chip[n];
		if (write && (port & 1))
			write_data(c, *b);
		else if (write)
			write_cmd(c, *b);
		else if (port & 1)
			*b = c->imr;
		else
			*b = read_cmd(c, n == MASTER);
		break;
	default:
		return -E_INVAL;
	}
	cascade(p);
	return 0;
}

/*
 * A guest's access of width bytes at port (0x20, 0x21, 0xA0, 0xA1,
 * 0x4D0, 0x4D1): writes *val, or reads into *val.  Returns 0, or
 * -E_INVAL for another port or a bad width.
 */
int
pic_io(struct pic *p, uint16_t port, int width, bool write, uint32_t *val)
{
	return io_split(p, pic_byte, port, width, write, val);
}
