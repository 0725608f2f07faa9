// Hands sys_cputs a pointer into the unmapped first page: the kernel must kill us.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_cputs((char *) 1, 1);
}
