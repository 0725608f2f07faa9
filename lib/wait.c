/* Waiting for another env to end. */

#include <inc/lib.h>

/* Return once env envid has exited (at once if it is already gone). */
void
wait(envid_t envid)
{
	const volatile struct Env *e;

	assert(envid != 0);
	e = &envs[ENVX(envid)];
	// The kernel puts us to sleep; look again after each wake-up.
	while (e->env_id == envid && e->env_status != ENV_FREE)
		sys_env_wait(envid, 0);
}
