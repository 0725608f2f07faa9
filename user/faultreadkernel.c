// Reads kernel memory from user mode: a protection page fault.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("I read %08x from location 0x8004000000!\n",
		*(volatile unsigned *) 0x8004000000);
}
