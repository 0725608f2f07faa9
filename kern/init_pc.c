/* The start-up hooks of a PC (kern/platform.h); the guest kernel's are guest/pv_init.c. */
#include <kern/platform.h>
#include <kern/picirq.h>

/* A PC kernel says nothing before the classic first line. */
void
boot_banner(void)
{
}

/* No PC-only self-checks: the memory checks run in mem_init. */
void
boot_selfcheck(void)
{
}

/* The 8259A pair is the PC kernel's own. */
void
boot_irq_init(void)
{
	pic_init();
}

/* The file server of a PC reads its disk by IDE (fs/ide.c): no name needed. */
const char *
fs_argv0(void)
{
	return "fs";
}
