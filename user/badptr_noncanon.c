// sys_cputs of a non-canonical address (bit 47 set, upper bits clear):
// if the kernel touched it, it would take a General Protection fault in
// kernel mode; it must instead kill us with a user_mem_check failure.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	unsigned long va = 0x0000800000000000UL;

	cprintf("badptr_noncanon: cputs of %lx\n", va);
	sys_cputs((const char *) va, 16);
	cprintf("badptr_noncanon: survived the bad call!\n");
}
