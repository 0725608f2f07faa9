// spawnhello: spawn /hello from the file system.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	int r;

	cprintf("i am parent environment %08x\n", thisenv->env_id);
	if ((r = spawnl("/hello", "hello", (char *) NULL)) < 0)
		panic("spawn(hello) failed: %e", r);
}
