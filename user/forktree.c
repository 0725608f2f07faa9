// Builds a binary tree of envs three levels deep with fork; each prints
// its place in the tree as a string of 0s and 1s.

#include <inc/lib.h>

#define DEPTH 3

static void forktree(const char *cur);

/* Fork a child that continues the tree at cur + branch. */
static void
forkchild(const char *cur, char branch)
{
	char nxt[DEPTH + 1];

	if (strlen(cur) >= DEPTH)
		return;
	snprintf(nxt, DEPTH + 1, "%s%c", cur, branch);
	if (fork() == 0) {
		forktree(nxt);
		exit();
	}
}

static void
forktree(const char *cur)
{
	cprintf("%04x: I am '%s'\n", sys_getenvid(), cur);
	forkchild(cur, '0');
	forkchild(cur, '1');
}

void
umain(int argc, char **argv)
{
	forktree("");
}
