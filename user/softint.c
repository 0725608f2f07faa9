// Raises vector 14 by software: user code may not, so this must arrive
// as a General Protection fault, not a page fault.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("int $14");
}
