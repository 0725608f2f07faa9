// testpteshare: a PTE_SHARE page stays shared (not copied) through
// fork and through spawn: what a child writes there, the parent sees.

#include <inc/lib.h>

#define VA	((char *) 0xA0000000)

static const char msg_fork[] = "written by the forked child";
static const char msg_spawn[] = "written by the spawned child";

void
umain(int argc, char **argv)
{
	envid_t r;

	if (argc != 0) {
		// Spawned by ourselves below (the kernel starts the first
		// program with argc 0, as in JOS): the page must be there.
		strcpy(VA, msg_spawn);
		return;
	}

	if ((r = sys_page_alloc(0, VA, PTE_P | PTE_W | PTE_U | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);
	strcpy(VA, "written by the parent");

	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		strcpy(VA, msg_fork);
		exit();
	}
	wait(r);
	cprintf("fork handles PTE_SHARE %s\n",
		strcmp(VA, msg_fork) == 0 ? "right" : "wrong");

	if ((r = spawnl("/testpteshare", "testpteshare", "child", (char *) NULL)) < 0)
		panic("spawn: %e", r);
	wait(r);
	cprintf("spawn handles PTE_SHARE %s\n",
		strcmp(VA, msg_spawn) == 0 ? "right" : "wrong");
}
