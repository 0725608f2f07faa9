/* The kernel's C entry and the start-up sequence. */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/x86.h>

#include <kern/console.h>
#include <kern/monitor.h>
#include <kern/bootinfo.h>
#include <kern/pmap.h>
#include <kern/env.h>
#include <kern/trap.h>
#include <kern/picirq.h>

/*
 * The classic recursion that exercises the monitor's backtrace: each
 * level is a real stack frame with its argument in its slot.
 */
void
test_backtrace(int x)
{
	cprintf("entering test_backtrace %d\n", x);
	if (x > 0)
		test_backtrace(x - 1);
	else
		mon_backtrace(0, 0, 0);
	cprintf("leaving test_backtrace %d\n", x);
}

/*
 * Called from entry.S on the boot stack, in long mode at KERNBASE, with
 * the multiboot magic and the physical address of the information block.
 */
void
i386_init(uint32_t mb_magic, physaddr_t mb_info)
{
	cons_init();
	cprintf("6828 decimal is %o octal!\n", 6828);

	bootinfo_init(mb_magic, mb_info);
	if (boot_cmdline[0])
		cprintf("Boot command line: %s\n", boot_cmdline);

	mem_init();

	if (cmdline_has("test_backtrace"))
		test_backtrace(5);

	for (;;)
		monitor(NULL);
}
