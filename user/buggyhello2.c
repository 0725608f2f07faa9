// A valid string with a length that runs far past the end of the program:
// the kernel must notice the unmapped pages and kill us.

#include <inc/lib.h>

const char *hello = "hello, world\n";

void
umain(int argc, char **argv)
{
	sys_cputs(hello, 1024 * 1024);
}
