// Twenty children each count to 100000 with yields in between.  The
// count comes out wrong if one env ever runs on two CPUs at once.

#include <inc/lib.h>

#define NCHILD	20

volatile int counter;

void
umain(int argc, char **argv)
{
	envid_t parent = sys_getenvid();
	int i, j;

	for (i = 0; i < NCHILD; i++)
		if (fork() == 0)
			break;
	if (i == NCHILD) {
		sys_yield();
		return;
	}

	// Wait until the parent has finished forking and gone.
	while (envs[ENVX(parent)].env_status != ENV_FREE)
		asm volatile("pause");

	for (i = 0; i < 10; i++) {
		sys_yield();
		for (j = 0; j < 10000; j++)
			counter++;
	}
	if (counter != 10 * 10000)
		panic("ran on two CPUs at once (counter is %d)", counter);

	cprintf("[%08x] stresssched on CPU %d\n", thisenv->env_id, thisenv->env_cpunum);
}
