// sys_cputs of kernel text (above ULIM): the kernel must kill us with a
// user_mem_check failure, not print its own memory.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("badptr_kernel: cputs of %lx\n", (unsigned long) (KERNBASE + 0x100000));
	sys_cputs((const char *) (KERNBASE + 0x100000), 16);
	cprintf("badptr_kernel: survived the bad call!\n");
}
