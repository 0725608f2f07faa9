// Writes kernel memory from user mode: a protection page fault.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) 0x8004000000 = 0;
}
