/* Inter-environment messages: a 32-bit value and optionally a page. */

#include <inc/lib.h>

/*
 * Wait for a message.  If pg is not NULL, a page sent along is mapped
 * there.  Stores the sender's id in *from_env_store and the page's
 * permissions (0 if no page came) in *perm_store when those are not
 * NULL.  Returns the value sent, or -E_* (storing 0s) if the receive
 * failed.
 */
int32_t
ipc_recv(envid_t *from_env_store, void *pg, int *perm_store)
{
	int r;

	// An address at or above UTOP tells the kernel we want no page.
	if (pg == NULL)
		pg = (void *) UTOP;

	if ((r = sys_ipc_recv(pg)) < 0) {
		if (from_env_store)
			*from_env_store = 0;
		if (perm_store)
			*perm_store = 0;
		return r;
	}

	if (from_env_store)
		*from_env_store = thisenv->env_ipc_from;
	if (perm_store)
		*perm_store = thisenv->env_ipc_perm;
	return thisenv->env_ipc_value;
}

/*
 * Send val (and the page at pg with permissions perm, if pg is not
 * NULL) to to_env, yielding until it is ready to receive.  Panics on
 * any error other than the target not yet receiving.
 */
void
ipc_send(envid_t to_env, uint32_t val, void *pg, int perm)
{
	int r;

	if (pg == NULL)
		pg = (void *) UTOP;

	while ((r = sys_ipc_try_send(to_env, val, pg, perm)) == -E_IPC_NOT_RECV)
		sys_yield();
	if (r < 0)
		panic("ipc_send to %08x: %e", to_env, r);
}

/* The id of the first env of the given type, or 0 if there is none. */
envid_t
ipc_find_env(enum EnvType type)
{
	int i;

	for (i = 0; i < NENV; i++)
		if (envs[i].env_type == type && envs[i].env_status != ENV_FREE)
			return envs[i].env_id;
	return 0;
}
