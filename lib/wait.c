/* Waiting for another env to end. */

#include <inc/lib.h>

/* Return once env envid has exited (at once if it is already gone). */
void
wait(envid_t envid)
{
	const volatile struct Env *e;

	assert(envid != 0);
	e = &envs[ENVX(envid)];
	while (e->env_id == envid && e->env_status != ENV_FREE)
		sys_yield();
}
