// testpipe: data goes through a pipe between two envs; a reader sees
// the end when the writers are gone, a writer stops when the readers are.

#include <inc/lib.h>

static const char msg[] =
	"Now is the time for all good men to come to the aid of their party.";

void
umain(int argc, char **argv)
{
	char buf[100];
	int p[2], r, i;

	binaryname = "testpipe";

	// A child writes, we read.
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		close(p[0]);
		if ((i = write(p[1], msg, strlen(msg))) != (int) strlen(msg))
			panic("write: %e", i);
		close(p[1]);
		exit();
	}
	close(p[1]);
	memset(buf, 0, sizeof buf);
	if ((i = readn(p[0], buf, sizeof buf - 1)) < 0)
		panic("read: %e", i);
	if (i != (int) strlen(msg) || strcmp(buf, msg) != 0)
		panic("read %d bytes: \"%s\"", i, buf);
	cprintf("pipe read is good\n");
	if ((i = read(p[0], buf, 1)) != 0)
		panic("read after the writer closed returned %d", i);
	cprintf("pipe read closed properly\n");
	close(p[0]);
	wait(r);

	// The child (the reader) goes away; our writes must end.
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		close(p[0]);
		close(p[1]);
		exit();
	}
	close(p[0]);
	wait(r);
	for (i = 0; i < 1000; i++)
		if (write(p[1], "x", 1) != 1)
			break;
	if (i == 1000)
		panic("writes to a pipe without readers went on");
	if (!pipeisclosed(p[1]))
		panic("pipeisclosed says the reader is still there");
	cprintf("pipe write closed properly\n");
	close(p[1]);
}
