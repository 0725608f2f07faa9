/*
 * The JOS VMM lab's VM manager: list the guests, ask which one to
 * resume (give the console), as `vmctl list` and `vmctl focus` do.
 * A number from 1 to 9; anything else, or a guest that is not there,
 * asks again.  End of input ends it.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	char *line;

	sys_vmx_list_vms();
	while ((line = readline("Please select a VM to resume: ")) != NULL) {
		if (strlen(line) == 1 && line[0] >= '1' && line[0] <= '9'
		    && sys_vmx_sel_resume(line[0] - '0')) {
			cprintf("vmmanager: guest %c has the console\n", line[0]);
			return;
		}
		cprintf("Please enter a correct vm number\n");
	}
}
