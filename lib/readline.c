/*
 * Line input with echo and backspace, for the kernel monitor and for
 * user programs such as the shell.
 */

#include <inc/stdio.h>
#include <inc/error.h>

#define BUFLEN 1024
static char buf[BUFLEN];

/*
 * Print prompt (if not NULL), then read one line from getchar() into a
 * static buffer and return it without its newline.  Characters are echoed
 * when the input is a console (always in the kernel).  Backspace (\b or
 * DEL) removes the last character.  Returns NULL on a read error, after
 * printing it.  Characters beyond BUFLEN-1 are dropped.
 */
char *
readline(const char *prompt)
{
	int i = 0, c, echoing;

	if (prompt != NULL)
		cprintf("%s", prompt);

#ifdef JOS_KERNEL
	echoing = 1;
#else
	echoing = iscons(0);
#endif

	for (;;) {
		c = getchar();
		if (c < 0) {
			if (c != -E_EOF)
				cprintf("read error: %e\n", c);
			return NULL;
		} else if ((c == '\b' || c == '\x7f') && i > 0) {
			if (echoing) {
				// Step back, blank the character, step back again.
				cputchar('\b');
				cputchar(' ');
				cputchar('\b');
			}
			i--;
		} else if (c == '\n' || c == '\r') {
			if (echoing)
				cputchar('\n');
			buf[i] = '\0';
			return buf;
		} else if ((c >= ' ' || c == '\t') && c != '\x7f' && i < BUFLEN - 1) {
			if (echoing)
				cputchar(c);
			buf[i++] = c;
		}
	}
}
