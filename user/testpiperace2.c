// testpiperace2: like testpiperace with the roles turned: we keep asking
// whether the reader is gone while a child dups and closes the writing
// end, whose count is what we compare against.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	const volatile struct Env *kid;
	int p[2], r, i, checks = 0;

	cprintf("testing for pipeisclosed race (2)...\n");
	if ((r = pipe(p)) < 0)
		panic("pipe: %e", r);
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		close(p[0]);
		for (i = 0; i < 400; i++) {
			if ((r = dup(p[1], 10)) < 0)
				panic("dup: %e", r);
			if (i % 10 == 0)
				sys_yield();
			close(10);
		}
		exit();
	}

	// We keep the reader; the writer (ours and the child's) stays open.
	kid = &envs[ENVX(r)];
	while (kid->env_id == r && kid->env_status != ENV_FREE) {
		if (pipeisclosed(p[1]) || pipeisclosed(p[0])) {
			cprintf("RACE: pipe appears closed\n");
			exit();
		}
		checks++;
	}
	cprintf("%d checks\n", checks);
	close(p[1]);
	if (!pipeisclosed(p[0]))
		panic("the pipe is open after every writer closed");
	cprintf("race didn't happen\n");
}
