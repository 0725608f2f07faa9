/*
 * The legacy 8259A pair.  IRQ 0..15 arrive as vectors IRQ_OFFSET..+15.
 * All lines start masked; drivers unmask the ones they serve.  Until
 * pic_init runs, irq_enable only records the wish.
 */
#include <inc/x86.h>
#include <kern/picirq.h>

#define PIC_MASTER	0x20
#define PIC_SLAVE	0xA0
#define PIC_CASCADE_IRQ	2

static uint16_t irq_mask = 0xFFFF & ~(1 << PIC_CASCADE_IRQ);
static bool pic_ready;

static void
pic_write_mask(void)
{
	if (!pic_ready)
		return;
	outb(PIC_MASTER + 1, irq_mask & 0xFF);
	outb(PIC_SLAVE + 1, irq_mask >> 8);
}

/* Program both chips: edge triggered, vectors from IRQ_OFFSET, cascaded. */
void
pic_init(void)
{
	outb(PIC_MASTER + 1, 0xFF);		// mask all while programming
	outb(PIC_SLAVE + 1, 0xFF);

	outb(PIC_MASTER, 0x11);			// ICW1: edge, cascade, ICW4 follows
	outb(PIC_MASTER + 1, IRQ_OFFSET);	// ICW2: vector base
	outb(PIC_MASTER + 1, 1 << PIC_CASCADE_IRQ); // ICW3: slave on IRQ 2
	outb(PIC_MASTER + 1, 0x03);		// ICW4: 8086 mode, auto EOI

	outb(PIC_SLAVE, 0x11);
	outb(PIC_SLAVE + 1, IRQ_OFFSET + 8);
	outb(PIC_SLAVE + 1, PIC_CASCADE_IRQ);	// ICW3: slave identity
	outb(PIC_SLAVE + 1, 0x01);		// ICW4: 8086 mode

	outb(PIC_MASTER, 0x68);			// OCW3: special mask mode
	outb(PIC_MASTER, 0x0A);			// OCW3: reads give the IRR
	outb(PIC_SLAVE, 0x68);
	outb(PIC_SLAVE, 0x0A);

	pic_ready = true;
	pic_write_mask();
}

void
irq_enable(int irq)
{
	irq_mask &= ~(1 << irq);
	pic_write_mask();
}

void
irq_disable(int irq)
{
	irq_mask |= 1 << irq;
	pic_write_mask();
}

/* Acknowledge an IRQ (the master runs in auto-EOI mode; the slave does not). */
void
irq_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC_SLAVE, 0x20);
}
