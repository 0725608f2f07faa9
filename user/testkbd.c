// testkbd: read lines from the console (keyboard or serial) and echo them.
// Ends at a line "quit" or at the end of input (Ctrl-D).  Then says
// whether it slept while waiting for keys (sys_cons_wait) or polled: a
// sleeping reader runs a few times per key (each system call counts as
// a run), a polling one thousands of times between two lines.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	uint32_t runs = 0, before;
	size_t keys = 0;
	char *buf;
	int r;

	// Let the machine settle, then make the console descriptors 0 and 1.
	for (r = 0; r < 10; r++)
		sys_yield();
	cons_as_stdio();

	for (;;) {
		before = thisenv->env_runs;
		buf = readline("Type a line: ");
		runs += thisenv->env_runs - before;
		if (buf == NULL) {
			printf("(end of file received)\n");
			break;
		}
		keys += strlen(buf) + 1;
		printf("typed: %s\n", buf);
		if (strcmp(buf, "quit") == 0)
			break;
	}
	printf("testkbd: %s while waiting: %u runs for %lu keys\n",
	       runs <= 10 * keys + 20 ? "slept" : "polled", runs, (unsigned long) keys);
}
