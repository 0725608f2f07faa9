/* Ending the emulated machine, for unattended runs (boot flag "exit"). */
#include <inc/x86.h>
#include <inc/stdio.h>
#include <kern/monitor.h>
#include <kern/console.h>
#include <inc/vmx.h>

/*
 * Switch the machine off (QEMU, Bochs); never returns.  A guest kernel
 * ends only itself: see below.
 */
void
machine_poweroff(void)
{
#ifdef VMM_GUEST
	// A guest must not switch the host off: it asks the monitor to end
	// it.  A monitor without that hypercall returns; then the guest ends
	// itself with a triple fault (an empty IDT, then any exception),
	// which the monitor answers by destroying the guest env.
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	cprintf("guest: powering off\n");
	cons_flush();
	asm volatile("vmcall" : : "a" ((uint64_t) VMX_VMCALL_POWEROFF) : "memory");
	cprintf("guest: powering off (triple fault)\n");
	cons_flush();
	asm volatile("cli; lidt %0; int3" : : "m" (no_idt));
#else
	const char *bochs = "Shutdown";

	// QEMU with -device isa-debug-exit,iobase=0xf4 exits at once.
	outl(0xF4, 0);
	// Bochs ends its run when it reads this word on port 0x8900.
	for (const char *p = bochs; *p; p++)
		outb(0x8900, *p);
#endif
	for (;;)
		asm volatile("cli; hlt");
}
