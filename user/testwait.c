// testwait: wait() sleeps until the child is gone (sys_env_wait), rather
// than polling: while its child yields 500 times, the waiting parent
// runs a few times, not once per yield.  Waiting for itself is refused;
// waiting for an env that is gone returns at once.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t child;
	uint32_t before, runs;
	const volatile struct Env *c;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		for (int i = 0; i < 500; i++)
			sys_yield();
		return;
	}
	before = thisenv->env_runs;
	wait(child);
	runs = thisenv->env_runs - before;
	c = &envs[ENVX(child)];
	cprintf("testwait: the child is %s\n",
		c->env_id == child && c->env_status != ENV_FREE ? "still there" : "gone");
	cprintf("testwait: the parent %s: it ran %u times while its child yielded 500\n",
		runs < 10 ? "slept" : "polled", runs);
	cprintf("testwait: waiting for itself: %e\n", sys_env_wait(thisenv->env_id, 0));
	cprintf("testwait: waiting for a gone env: %d\n", sys_env_wait(child, 0));
}
