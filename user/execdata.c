/* A program jumping into its own data: the loader mapped it no-execute. */
#include <inc/lib.h>

// A `ret` instruction, in writable data.
static unsigned char code[16] __attribute__((aligned(16))) = { 0xc3 };

void
umain(int argc, char **argv)
{
	void (*fn)(void) = (void (*)(void)) code;

	cprintf("execdata: calling %p\n", code);
	fn();
	cprintf("execdata: the data ran (FAILED)\n");
}
