// testfdleak: clients that die holding open files must not use up the
// file server's open-file table (1024 slots).  Children each open many
// files and die without closing them, more in all than the table holds;
// then opening a file must still work.

#include <inc/lib.h>

#define CHILDREN	48
#define PER_CHILD	30	// 48 * 30 = 1440 opens, over 1024

void
umain(int argc, char **argv)
{
	envid_t kid;
	int i, j, fd;

	for (i = 0; i < CHILDREN; i++) {
		if ((kid = fork()) < 0)
			panic("fork: %e", kid);
		if (kid == 0) {
			for (j = 0; j < PER_CHILD; j++)
				if ((fd = open("/motd", O_RDONLY)) < 0)
					panic("child %d: open number %d: %e", i, j, fd);
			// Die without closing anything (exit would close).
			sys_env_destroy(0);
		}
		wait(kid);
	}
	cprintf("%d children opened %d files each and died\n", CHILDREN, PER_CHILD);

	if ((fd = open("/motd", O_RDONLY)) < 0)
		panic("open after the children died: %e", fd);
	close(fd);
	cprintf("open-file slots are not leaked\n");
}
