// Checks that bss starts zeroed and is writable, then writes well past
// its end, which must fault.

#include <inc/lib.h>

#define ARRAYSIZE (1024 * 1024)

uint32_t bigarray[ARRAYSIZE];

void
umain(int argc, char **argv)
{
	uintptr_t wild;
	int i;

	cprintf("Making sure bss works right...\n");
	for (i = 0; i < ARRAYSIZE; i++)
		if (bigarray[i] != 0)
			panic("bigarray[%d] isn't cleared!\n", i);
	for (i = 0; i < ARRAYSIZE; i++)
		bigarray[i] = i;
	for (i = 0; i < ARRAYSIZE; i++)
		if (bigarray[i] != i)
			panic("bigarray[%d] didn't hold its value!\n", i);

	cprintf("Yes, good.  Now doing a wild write off the end...\n");
	wild = (uintptr_t) &bigarray[ARRAYSIZE] + 1024 * sizeof(uint32_t);
	asm("" : "+r" (wild));	// hide the overrun from the compiler
	*(volatile uint32_t *) wild = 0;
	panic("SHOULD HAVE TRAPPED!!!");
}
