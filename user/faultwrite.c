// Writes address 0, which is never mapped: a user page fault.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) 0 = 0;
}
