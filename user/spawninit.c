// spawninit: spawn /init (with the arguments init checks) from the file system.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	int r;

	cprintf("i am parent environment %08x\n", thisenv->env_id);
	if ((r = spawnl("/init", "init", "initarg1", "initarg2", (char *) NULL)) < 0)
		panic("spawn(init) failed: %e", r);
}
