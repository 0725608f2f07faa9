/*
 * Ending the emulated PC, for unattended runs (boot flag "exit").  The
 * guest kernel links guest/pv_power.c instead: it ends only itself.
 */
#include <inc/x86.h>
#include <kern/monitor.h>

/* Switch the machine off (QEMU, Bochs); never returns. */
void
machine_poweroff(void)
{
	const char *bochs = "Shutdown";

	// QEMU with -device isa-debug-exit,iobase=0xf4 exits at once.
	outl(0xF4, 0);
	// Bochs ends its run when it reads this word on port 0x8900.
	for (const char *p = bochs; *p; p++)
		outb(0x8900, *p);
	for (;;)
		asm volatile("cli; hlt");
}
