/*
 * The first program of `make run-vmm-nox`: the console as stdin and
 * stdout, /vmm/vmm (the guest) started as a shell would, and once vmm
 * returns (the guest is gone, or Ctrl-] gave the console back while it
 * runs on) the host's shell, so that vmctl and the rest are at hand.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t vmm;

	cons_as_stdio();
	if ((vmm = spawnl("/vmm/vmm", "vmm", (char *) NULL)) < 0)
		printf("vmmboot: spawn /vmm/vmm: %e\n", vmm);
	else
		wait(vmm);
	shell_forever("vmmboot");
}
