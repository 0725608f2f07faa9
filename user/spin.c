// The child spins forever; the parent lets it run a while (preemption
// must give the CPU back) and then destroys it.  Two IPC handshakes keep
// the lines in order even when parent and child run on different CPUs.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t env;
	int i;

	cprintf("I am the parent.  Forking the child...\n");
	if ((env = fork()) == 0) {
		ipc_recv(NULL, 0, 0);
		cprintf("I am the child.  Spinning...\n");
		ipc_send(thisenv->env_parent_id, 0, 0, 0);
		for (;;)
			;
	}

	cprintf("I am the parent.  Running the child...\n");
	ipc_send(env, 0, 0, 0);
	// On one CPU, only preemption brings the CPU back from the child.
	ipc_recv(NULL, 0, 0);
	for (i = 0; i < 8; i++)
		sys_yield();

	cprintf("I am the parent.  Killing the child...\n");
	sys_env_destroy(env);
}
