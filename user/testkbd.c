// testkbd: read lines from the console (keyboard or serial) and echo them.
// Ends at a line "quit" or at the end of input (Ctrl-D).

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	char *buf;
	int r;

	// Let the machine settle, then make the console descriptors 0 and 1.
	for (r = 0; r < 10; r++)
		sys_yield();
	close(0);
	if ((r = opencons()) < 0)
		panic("opencons: %e", r);
	if (r != 0)
		panic("first opencons used fd %d", r);
	if ((r = dup(0, 1)) < 0)
		panic("dup: %e", r);

	for (;;) {
		buf = readline("Type a line: ");
		if (buf == NULL) {
			printf("(end of file received)\n");
			return;
		}
		printf("typed: %s\n", buf);
		if (strcmp(buf, "quit") == 0)
			return;
	}
}
