// testpiperace: pipeisclosed must never see the writer as gone while it
// is there, even when the counts it compares change under it: a child
// keeps asking while we dup and close our reading end over and over.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	const volatile struct Env *kid;
	int p[2], r, i, rounds = 0;

	cprintf("testing for pipeisclosed race...\n");
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		close(p[1]);	// we only read; the parent keeps the writer
		for (i = 0; i < 400; i++) {
			if (pipeisclosed(p[0])) {
				cprintf("RACE: pipe appears closed\n");
				exit();
			}
			sys_yield();
		}
		cprintf("child done with loop\n");
		exit();
	}

	kid = &envs[ENVX(r)];
	while (kid->env_id == r && kid->env_status != ENV_FREE) {
		if ((i = dup(p[0], 10)) < 0)
			panic("dup: %e", i);
		close(10);
		rounds++;
	}
	cprintf("%d dup/close rounds\n", rounds);
	if (pipeisclosed(p[0]))
		panic("the writing end got closed");
	cprintf("race didn't happen\n");
}
