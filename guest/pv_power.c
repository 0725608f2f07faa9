/*
 * Ending the guest kernel (boot flag "exit").  A guest must not switch
 * the host off: it asks the monitor to end it.  Linked in place of
 * kern/power.c.
 */
#include <inc/stdio.h>
#include <inc/vmm/hypercall.h>

#include <kern/monitor.h>
#include <kern/console.h>

/*
 * Have the monitor end this guest (HC_POWEROFF); never returns.
 * A monitor without that hypercall returns: then the guest ends itself
 * with a triple fault (an empty IDT, then any exception), which the
 * monitor answers by destroying the guest env.
 */
void
machine_poweroff(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	cprintf("guest: powering off\n");
	cons_flush();
	hypercall0(HC_POWEROFF);
	cprintf("guest: powering off (triple fault)\n");
	cons_flush();
	asm volatile("cli; lidt %0; int3" : : "m" (no_idt));
	for (;;)
		asm volatile("cli; hlt");
}
