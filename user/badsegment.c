// Loads the TSS selector into %ds: a General Protection fault.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("movw $0x28, %%ax; movw %%ax, %%ds" : : : "rax");
}
