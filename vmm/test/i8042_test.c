/*
 * Host-side tests of the virtual 8042 and PS/2 keyboard
 * (vmm/io/i8042.c): controller commands, keyboard commands, scan code
 * set 1 from typed characters, IRQ 1, the reset line.
 */
#include <inc/error.h>
#include <vmm/io/i8042.h>
#include <vmm/test/devtest.h>

static int resets;

/* The reset callback: count the resets. */
static void
on_reset(void *arg)
{
	CHECK(arg == (void *) &resets);
	resets++;
}

#define out(k, port, v)	DEV_OUT(i8042_io, k, port, v)
#define in(k, port)	DEV_IN(i8042_io, k, port)

/* The next output byte, which must be there; -1 if it is not. */
static int
next(struct i8042 *k)
{
	if (!(in(k, 0x64) & 0x01))
		return -1;
	return in(k, 0x60);
}

static void
setup(struct i8042 *k)
{
	i8042_init(k, on_reset, &resets);
	resets = 0;
}

/* Typed characters become set 1 make and break codes, with shift or control. */
static void
test_typing(void)
{
	struct i8042 k;

	setup(&k);
	CHECK(in(&k, 0x64) == 0x14);	// empty, system flag, not inhibited
	CHECK(!i8042_irq1(&k));
	CHECK(i8042_type(&k, 'a'));
	CHECK(i8042_irq1(&k));
	CHECK(next(&k) == 0x1E && i8042_irq1(&k));
	CHECK(next(&k) == 0x9E && !i8042_irq1(&k));
	CHECK(next(&k) == -1);
	CHECK(i8042_type(&k, 'Z'));	// shift, z, z up, shift up
	CHECK(next(&k) == 0x2A && next(&k) == 0x2C && next(&k) == 0xAC && next(&k) == 0xAA);
	CHECK(i8042_type(&k, '\n') && next(&k) == 0x1C && next(&k) == 0x9C);
	CHECK(i8042_type(&k, ' ') && next(&k) == 0x39 && next(&k) == 0xB9);
	CHECK(i8042_type(&k, '1') && next(&k) == 0x02 && next(&k) == 0x82);
	CHECK(i8042_type(&k, '0') && next(&k) == 0x0B && next(&k) == 0x8B);
	CHECK(i8042_type(&k, '?') && next(&k) == 0x2A && next(&k) == 0x35);
	CHECK(next(&k) == 0xB5 && next(&k) == 0xAA);
	CHECK(i8042_type(&k, '`') && next(&k) == 0x29 && next(&k) == 0xA9);
	CHECK(i8042_type(&k, '\\') && next(&k) == 0x2B && next(&k) == 0xAB);
	CHECK(i8042_type(&k, 0x1B) && next(&k) == 0x01 && next(&k) == 0x81);
	CHECK(i8042_type(&k, 0x7F) && next(&k) == 0x0E && next(&k) == 0x8E);
	CHECK(i8042_type(&k, 3));	// ^C: ctrl, c, c up, ctrl up
	CHECK(next(&k) == 0x1D && next(&k) == 0x2E && next(&k) == 0xAE && next(&k) == 0x9D);
	CHECK(!i8042_type(&k, 0x80) && !i8042_type(&k, 0) && next(&k) == -1);
	// The buffer fills: a sequence that does not fit is refused whole.
	for (int i = 0; i < I8042_QUEUE / 2; i++)
		CHECK(i8042_type(&k, 'q'));
	CHECK(!i8042_type(&k, 'q'));	// 63 wait, 1 is in the output buffer
	CHECK(i8042_scancode(&k, 0x48));
	CHECK(!i8042_scancode(&k, 0x48));
	for (int i = 0; i < I8042_QUEUE; i++)
		CHECK(next(&k) == (i % 2 ? 0x90 : 0x10));
	CHECK(next(&k) == 0x48 && next(&k) == -1);
}

/* Controller commands: command byte, self tests, keyboard off and on, loopback. */
static void
test_controller(void)
{
	struct i8042 k;

	setup(&k);
	out(&k, 0x64, 0x20);
	CHECK(in(&k, 0x64) == 0x1D);	// full, system flag, last write a command
	CHECK(in(&k, 0x60) == 0x65);
	out(&k, 0x64, 0xAA);
	CHECK(next(&k) == 0x55);
	out(&k, 0x64, 0xAB);
	CHECK(next(&k) == 0x00);
	// Keyboard disabled: typed keys wait until it is enabled again.
	out(&k, 0x64, 0xAD);
	CHECK(i8042_type(&k, 'b'));
	CHECK(next(&k) == -1 && !i8042_irq1(&k));
	out(&k, 0x64, 0xAE);
	CHECK(next(&k) == 0x30 && next(&k) == 0xB0);
	// IRQ 1 off in the command byte: no interrupt, still polled.
	out(&k, 0x64, 0x60);
	out(&k, 0x60, 0x64);
	CHECK((in(&k, 0x64) & 0x08) == 0);
	CHECK(i8042_type(&k, 'b') && !i8042_irq1(&k));
	CHECK(next(&k) == 0x30 && next(&k) == 0xB0);
	out(&k, 0x64, 0x20);
	CHECK(next(&k) == 0x64);
	// Output buffer writes, as from the keyboard and from the aux port.
	out(&k, 0x64, 0x60);
	out(&k, 0x60, 0x47);		// both interrupts on
	out(&k, 0x64, 0xD2);
	out(&k, 0x60, 0x99);
	CHECK(i8042_irq1(&k) && !i8042_irq12(&k));
	CHECK(next(&k) == 0x99);
	out(&k, 0x64, 0xD3);
	out(&k, 0x60, 0x5A);
	CHECK(in(&k, 0x64) & 0x20);
	CHECK(!i8042_irq1(&k) && i8042_irq12(&k));
	CHECK(next(&k) == 0x5A && !i8042_irq12(&k));
	// Nothing answers on the aux device.
	out(&k, 0x64, 0xD4);
	out(&k, 0x60, 0xFF);
	CHECK(next(&k) == -1);
	// The output port: A20 and (D0) the buffer bits.
	CHECK(i8042_a20(&k));
	out(&k, 0x64, 0xD1);
	out(&k, 0x60, 0x01);
	CHECK(!i8042_a20(&k) && resets == 0);
	out(&k, 0x64, 0xD0);
	CHECK(next(&k) == 0x01);	// reset line high, A20 off, buffer was empty
	CHECK(i8042_type(&k, 'a'));
	out(&k, 0x64, 0xD0);
	CHECK(next(&k) == 0x11);	// a keyboard byte was in the buffer
	CHECK(next(&k) == 0x9E);	// (the make code was overwritten)
	out(&k, 0x64, 0xA7);
	out(&k, 0x64, 0x20);
	CHECK(next(&k) == 0x67);
	out(&k, 0x64, 0xA8);
	out(&k, 0x64, 0x20);
	CHECK(next(&k) == 0x47);
}

/* Keyboard commands: ACK, echo, identify, LEDs, scanning off and on, reset. */
static void
test_keyboard(void)
{
	struct i8042 k;

	setup(&k);
	out(&k, 0x60, 0xEE);
	CHECK(next(&k) == 0xEE);
	out(&k, 0x60, 0xF2);
	CHECK(next(&k) == 0xFA && next(&k) == 0xAB && next(&k) == 0x41);
	out(&k, 0x60, 0xED);
	CHECK(next(&k) == 0xFA);
	out(&k, 0x60, 0x07);
	CHECK(next(&k) == 0xFA && k.leds == 7);
	out(&k, 0x60, 0xF0);
	out(&k, 0x60, 0x00);
	CHECK(next(&k) == 0xFA && next(&k) == 0xFA && next(&k) == 0x02);
	out(&k, 0x60, 0xF3);
	out(&k, 0x60, 0x20);
	CHECK(next(&k) == 0xFA && next(&k) == 0xFA);
	// Disabled scanning drops typed keys; enabling brings them back.
	out(&k, 0x60, 0xF5);
	CHECK(next(&k) == 0xFA && k.leds == 0);
	CHECK(!i8042_type(&k, 'x') && next(&k) == -1);
	out(&k, 0x60, 0xF4);
	CHECK(next(&k) == 0xFA);
	CHECK(i8042_type(&k, 'x') && next(&k) == 0x2D);
	// Replies come before keys still waiting; reset forgets those.
	CHECK(i8042_type(&k, 'c'));
	out(&k, 0x60, 0xFF);
	CHECK(next(&k) == 0xAD);	// in the output buffer already
	CHECK(next(&k) == 0xFA && next(&k) == 0xAA && next(&k) == -1);
	out(&k, 0x60, 0x12);		// not a command
	CHECK(next(&k) == 0xFE);
}

/* The reset line: command 0xFE (and the other even 0xFx), output port bit 0. */
static void
test_reset(void)
{
	struct i8042 k;
	uint32_t v;

	setup(&k);
	out(&k, 0x64, 0xFF);		// pulses nothing
	CHECK(resets == 0);
	out(&k, 0x64, 0xFE);
	CHECK(resets == 1);
	out(&k, 0x64, 0xF0);
	CHECK(resets == 2);
	out(&k, 0x64, 0xD1);
	out(&k, 0x60, 0x02);
	CHECK(resets == 3);
	i8042_init(&k, 0, 0);
	out(&k, 0x64, 0xFE);		// no callback: nothing happens
	CHECK(i8042_io(&k, 0x61, 1, false, &v) == -E_INVAL);
	CHECK(i8042_io(&k, 0x65, 1, true, &v) == -E_INVAL);
	CHECK(i8042_io(&k, 0x60, 5, false, &v) == -E_INVAL);
}

int
main(void)
{
	test_typing();
	test_controller();
	test_keyboard();
	test_reset();
	return hosttest_report("i8042_test");
}
