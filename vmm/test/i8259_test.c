/*
 * Host-side tests of the virtual 8259A pair (vmm/io/i8259.c) against
 * what the Intel 8259A data sheet says.
 */
#include <inc/error.h>
#include <vmm/io/i8259.h>
#include <vmm/test/devtest.h>

#define out(p, port, v)	DEV_OUT(pic_io, p, port, v)
#define in(p, port)	DEV_IN(pic_io, p, port)

/* The sequence every PC kernel sends: edge, cascade, ICW4 8086 mode. */
static void
setup(struct pic *p, uint8_t icw4)
{
	pic_reset(p);
	out(p, 0x20, 0x11);
	out(p, 0x21, 0x20);
	out(p, 0x21, 0x04);
	out(p, 0x21, icw4);
	out(p, 0xA0, 0x11);
	out(p, 0xA1, 0x28);
	out(p, 0xA1, 0x02);
	out(p, 0xA1, icw4);
}

/* An edge on line (raise, then lower). */
static void
pulse(struct pic *p, int line)
{
	CHECK(pic_set_irq(p, line, 1) == 0);
	CHECK(pic_set_irq(p, line, 0) == 0);
}

/* Nothing reaches the CPU before the guest programs the pair. */
static void
test_reset(void)
{
	struct pic p;

	pic_reset(&p);
	pulse(&p, 0);
	pulse(&p, 9);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	CHECK(in(&p, 0x21) == 0xFF && in(&p, 0xA1) == 0xFF);
}

/* Priorities, vectors from ICW2, non-specific and specific EOI. */
static void
test_priority(void)
{
	struct pic p;

	setup(&p, 0x01);
	CHECK(in(&p, 0x21) == 0 && in(&p, 0xA1) == 0);	// ICW1 clears IMR
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	pulse(&p, 1);
	pulse(&p, 0);
	CHECK(pic_pending_vector(&p) == 0x20);
	CHECK(pic_ack(&p) == 0x20);
	// IRQ 0 in service blocks IRQ 1, which has lower priority.
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	out(&p, 0x20, 0x0B);		// OCW3: read ISR
	CHECK(in(&p, 0x20) == 0x01);
	out(&p, 0x20, 0x0A);		// OCW3: read IRR
	CHECK(in(&p, 0x20) == 0x02);
	out(&p, 0x20, 0x20);		// non-specific EOI
	CHECK(pic_pending_vector(&p) == 0x21);
	CHECK(pic_ack(&p) == 0x21);
	// A higher-priority request preempts one in service.
	pulse(&p, 0);
	CHECK(pic_pending_vector(&p) == 0x20);
	CHECK(pic_ack(&p) == 0x20);
	out(&p, 0x20, 0x0B);
	CHECK(in(&p, 0x20) == 0x03);
	out(&p, 0x20, 0x20);		// clears the highest: IRQ 0
	CHECK(in(&p, 0x20) == 0x02);
	out(&p, 0x20, 0x61);		// specific EOI, level 1
	CHECK(in(&p, 0x20) == 0x00);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	// Without an edge, a line held high requests once only.
	CHECK(pic_set_irq(&p, 3, 1) == 0);
	CHECK(pic_ack(&p) == 0x23);
	out(&p, 0x20, 0x20);
	CHECK(pic_set_irq(&p, 3, 1) == 0);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
}

/* A masked line never appears; unmasking shows the latched request. */
static void
test_mask(void)
{
	struct pic p;

	setup(&p, 0x01);
	out(&p, 0x21, 0x01);
	pulse(&p, 0);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	CHECK(pic_ack(&p) == 0x27);	// spurious IRQ 7, nothing in service
	out(&p, 0x20, 0x0B);
	CHECK(in(&p, 0x20) == 0);
	pulse(&p, 5);
	CHECK(pic_pending_vector(&p) == 0x25);
	out(&p, 0x21, 0x00);
	CHECK(pic_pending_vector(&p) == 0x20);
	// Masking the slave's line, or the cascade, hides it.
	out(&p, 0xA1, 0x10);
	pulse(&p, 12);
	CHECK(pic_pending_vector(&p) == 0x20);
	CHECK(pic_ack(&p) == 0x20);
	out(&p, 0x20, 0x20);
	CHECK(pic_ack(&p) == 0x25);
	out(&p, 0x20, 0x20);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	out(&p, 0x21, 0x04);
	out(&p, 0xA1, 0x00);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	out(&p, 0x21, 0x00);
	CHECK(pic_pending_vector(&p) == 0x2C);
}

/* A slave IRQ arrives through IRQ 2 with the slave's vector. */
static void
test_cascade(void)
{
	struct pic p;

	setup(&p, 0x01);
	pulse(&p, 14);
	CHECK(pic_pending_vector(&p) == 0x2E);
	out(&p, 0x20, 0x0A);
	CHECK(in(&p, 0x20) == 0x04);	// the master sees IR2
	CHECK(pic_ack(&p) == 0x2E);
	out(&p, 0x20, 0x0B);
	CHECK(in(&p, 0x20) == 0x04);
	out(&p, 0xA0, 0x0B);
	CHECK(in(&p, 0xA0) == 0x40);
	// IRQ 8 (higher on the slave) waits for the master's EOI too.
	pulse(&p, 8);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	out(&p, 0xA0, 0x20);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	out(&p, 0x20, 0x20);
	CHECK(pic_pending_vector(&p) == 0x28);
	CHECK(pic_ack(&p) == 0x28);
	out(&p, 0xA0, 0x20);
	out(&p, 0x20, 0x20);
	// Two slave requests: both delivered, in order, each through IR2.
	pulse(&p, 11);
	pulse(&p, 10);
	CHECK(pic_ack(&p) == 0x2A);
	out(&p, 0xA0, 0x20);
	out(&p, 0x20, 0x20);
	CHECK(pic_ack(&p) == 0x2B);
	out(&p, 0xA0, 0x20);
	out(&p, 0x20, 0x20);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	// Master IRQ 1 outranks the slave; IRQ 3 does not.
	pulse(&p, 3);
	pulse(&p, 9);
	pulse(&p, 1);
	CHECK(pic_ack(&p) == 0x21);
	out(&p, 0x20, 0x20);
	CHECK(pic_ack(&p) == 0x29);
	out(&p, 0xA0, 0x20);
	out(&p, 0x20, 0x20);
	CHECK(pic_ack(&p) == 0x23);
	CHECK(pic_set_irq(&p, 2, 1) == -E_INVAL);
	CHECK(pic_set_irq(&p, 16, 1) == -E_INVAL);
	CHECK(pic_set_irq(&p, -1, 1) == -E_INVAL);
}

/* Automatic EOI: nothing stays in service; rotation when asked. */
static void
test_auto_eoi(void)
{
	struct pic p;

	setup(&p, 0x03);
	pulse(&p, 4);
	CHECK(pic_ack(&p) == 0x24);
	out(&p, 0x20, 0x0B);
	CHECK(in(&p, 0x20) == 0);
	pulse(&p, 6);
	CHECK(pic_ack(&p) == 0x26);	// not blocked: nothing in service
	pulse(&p, 13);
	CHECK(pic_ack(&p) == 0x2D);
	pulse(&p, 15);
	CHECK(pic_ack(&p) == 0x2F);
	out(&p, 0xA0, 0x0B);
	CHECK(in(&p, 0xA0) == 0);
	// Rotate in AEOI mode: after IRQ 0, IRQ 0 has the lowest priority.
	out(&p, 0x20, 0x80);
	pulse(&p, 0);
	CHECK(pic_ack(&p) == 0x20);
	pulse(&p, 0);
	pulse(&p, 7);
	CHECK(pic_ack(&p) == 0x27);
	CHECK(pic_ack(&p) == 0x20);
}

/* OCW2 rotation and set priority. */
static void
test_rotate(void)
{
	struct pic p;

	setup(&p, 0x01);
	out(&p, 0x20, 0xC4);		// set priority: IRQ 4 lowest, 5 highest
	pulse(&p, 0);
	pulse(&p, 5);
	pulse(&p, 4);
	CHECK(pic_ack(&p) == 0x25);
	out(&p, 0x20, 0xA0);		// rotate on non-specific EOI: 5 lowest
	CHECK(pic_ack(&p) == 0x20);
	out(&p, 0x20, 0xE0);		// rotate on specific EOI 0: 0 lowest
	CHECK(pic_ack(&p) == 0x24);
	out(&p, 0x20, 0x20);
	pulse(&p, 0);
	pulse(&p, 1);
	CHECK(pic_ack(&p) == 0x21);
}

/* Poll command: 0x80 | level, the request put in service. */
static void
test_poll(void)
{
	struct pic p;

	setup(&p, 0x01);
	out(&p, 0x20, 0x0C);
	CHECK(in(&p, 0x20) == 0x00);	// nothing pending
	pulse(&p, 6);
	pulse(&p, 3);
	out(&p, 0x20, 0x0C);
	CHECK(in(&p, 0x20) == 0x83);
	out(&p, 0x20, 0x0B);
	CHECK(in(&p, 0x20) == 0x08);	// IRQ 3 in service
	CHECK(in(&p, 0x20) == 0x08);	// poll was one read only
	out(&p, 0x20, 0x20);
	out(&p, 0x20, 0x0C);
	CHECK(in(&p, 0x20) == 0x86);
	out(&p, 0x20, 0x20);
	// A slave request: the master's poll says 2, the slave's says 1.
	pulse(&p, 9);
	out(&p, 0x20, 0x0C);
	CHECK(in(&p, 0x20) == 0x82);
	out(&p, 0xA0, 0x0C);
	CHECK(in(&p, 0xA0) == 0x81);
}

/* Level triggering through ELCR; spurious IRQ 7 and IRQ 15. */
static void
test_level(void)
{
	struct pic p;
	uint32_t v;

	setup(&p, 0x01);
	out(&p, 0x4D0, 0xFF);
	CHECK(in(&p, 0x4D0) == 0xF8);	// IRQ 0, 1, 2 are edge only
	out(&p, 0x4D1, 0xFF);
	CHECK(in(&p, 0x4D1) == 0xDE);	// IRQ 8 and 13 too
	v = 0;
	CHECK(pic_io(&p, 0x4D0, 2, true, &v) == 0);
	v = 0x0820;
	CHECK(pic_io(&p, 0x4D0, 2, true, &v) == 0);
	CHECK(pic_io(&p, 0x4D0, 2, false, &v) == 0 && v == 0x0820);
	// IRQ 5 level: requests while high, again after EOI.
	CHECK(pic_set_irq(&p, 5, 1) == 0);
	CHECK(pic_ack(&p) == 0x25);
	out(&p, 0x20, 0x20);
	CHECK(pic_pending_vector(&p) == 0x25);
	CHECK(pic_set_irq(&p, 5, 0) == 0);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	// The line drops before the CPU acknowledges: spurious IRQ 7.
	CHECK(pic_set_irq(&p, 5, 1) == 0);
	CHECK(pic_pending_vector(&p) == 0x25);
	CHECK(pic_set_irq(&p, 5, 0) == 0);
	CHECK(pic_ack(&p) == 0x27);
	out(&p, 0x20, 0x0B);
	CHECK(in(&p, 0x20) == 0);
	// Slave level IRQ 11 drops after the master latched IR2: IRQ 15.
	CHECK(pic_set_irq(&p, 11, 1) == 0);
	CHECK(pic_pending_vector(&p) == 0x2B);
	CHECK(pic_set_irq(&p, 11, 0) == 0);
	CHECK(pic_pending_vector(&p) == 0x2F);
	CHECK(pic_ack(&p) == 0x2F);
	out(&p, 0xA0, 0x0B);
	CHECK(in(&p, 0xA0) == 0);
	out(&p, 0x20, 0x20);
	// ICW1 LTIM makes every input of that chip level-triggered.
	out(&p, 0x20, 0x19);
	out(&p, 0x21, 0x20);
	out(&p, 0x21, 0x04);
	out(&p, 0x21, 0x01);
	CHECK(pic_set_irq(&p, 1, 1) == 0);
	CHECK(pic_ack(&p) == 0x21);
	out(&p, 0x20, 0x20);
	CHECK(pic_pending_vector(&p) == 0x21);
}

/* Special mask mode: a masked in-service level no longer blocks. */
static void
test_special_mask(void)
{
	struct pic p;

	setup(&p, 0x01);
	pulse(&p, 3);
	CHECK(pic_ack(&p) == 0x23);
	pulse(&p, 5);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	out(&p, 0x21, 0x08);
	out(&p, 0x20, 0x68);		// set special mask
	CHECK(pic_pending_vector(&p) == 0x25);
	out(&p, 0x20, 0x48);		// reset special mask
	CHECK(pic_pending_vector(&p) == PIC_NONE);
}

/* Ports, widths and bad input; a single PIC has no ICW3; ICW4 optional. */
static void
test_ports(void)
{
	struct pic p;
	uint32_t v = 0x1234;

	pic_reset(&p);
	CHECK(pic_io(&p, 0x22, 1, false, &v) == -E_INVAL && v == 0x1234);
	CHECK(pic_io(&p, 0x20, 3, false, &v) == -E_INVAL);
	CHECK(pic_io(&p, 0x4D2, 1, true, &v) == -E_INVAL);
	CHECK(pic_io(&p, 0x21, 2, false, &v) == 0 && v == 0xFFFF);	// IMR, then 0x22 floats
	CHECK(pic_io(&p, 0xA0, 2, false, &v) == 0 && v == 0xFF00);	// IRR, IMR
	// ICW1 without ICW4 and single: ICW2 alone, then OCW1.
	out(&p, 0x20, 0x12);
	out(&p, 0x21, 0x40);
	out(&p, 0x21, 0xFF);
	CHECK(in(&p, 0x21) == 0xFF);
	pulse(&p, 0);
	pulse(&p, 1);
	CHECK(pic_pending_vector(&p) == PIC_NONE);
	out(&p, 0x21, 0xFC);
	CHECK(pic_pending_vector(&p) == 0x40);
	// Single mode: IR2 is an ordinary input without a slave behind.
	CHECK(pic_ack(&p) == 0x40);
}

int
main(void)
{
	test_reset();
	test_priority();
	test_mask();
	test_cascade();
	test_auto_eoi();
	test_rotate();
	test_poll();
	test_level();
	test_special_mask();
	test_ports();
	return hosttest_report("i8259_test");
}
