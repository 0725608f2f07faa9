/* Waiting for the guest to be gone. */
#include <user/vmm/vmm.h>
#include <inc/vmx.h>

/* Whether the host holds the console input: no guest does. */
static bool
host_has_console(void)
{
	struct guest_info info[16];
	int n = sys_guest_info(info, 16);

	for (int i = 0; i < n && i < 16; i++)
		if (info[i].has_console)
			return false;
	return true;
}

/*
 * Wait until guest is gone.  If the console goes back to the host while
 * it runs (Ctrl-]), a child goes on waiting and this env ends, so that a
 * shell waiting for vmm gets its prompt back; the child then does what
 * is left (report, remove the disk file).  While another guest holds
 * the console, vmm keeps waiting: typing would go to that guest.
 */
void
wait_for_guest(envid_t guest)
{
	const volatile struct Env *e = &envs[ENVX(guest)];
	bool detached = false;
	envid_t child;

	while (e->env_id == guest && e->env_status != ENV_FREE) {
		// Until it is gone or the host has the console (at once if so).
		sys_env_wait(guest, detached ? 0 : ENV_WAIT_CONSOLE);
		if (detached || e->env_id != guest || e->env_status == ENV_FREE
		    || !host_has_console())
			continue;
		if ((child = fork()) < 0) {
			cprintf("vmm: fork: %e; waiting for guest %08x here\n", child, guest);
			detached = true;
		} else if (child > 0) {
			cprintf("vmm: guest %08x runs on without the console "
				"(vmctl focus %08x gives it back)\n", guest, guest);
			exit();
		} else
			detached = true;
	}
}
