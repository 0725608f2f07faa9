// sys_cputs of the unmapped guard page just above the user stack: the
// kernel must kill us with a user_mem_check failure.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("badptr_unmapped: cputs of %lx\n", (unsigned long) USTACKTOP);
	sys_cputs((const char *) USTACKTOP, 16);
	cprintf("badptr_unmapped: survived the bad call!\n");
}
