/* A program writing to its own text: the loader mapped it read-only. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	volatile unsigned char *text = (volatile unsigned char *) umain;

	cprintf("writetext: writing to %p\n", text);
	*text = 0xcc;
	cprintf("writetext: the write went through (FAILED)\n");
}
