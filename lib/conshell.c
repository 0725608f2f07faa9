/*
 * What a first program does to give the user a shell: the console as
 * descriptors 0 and 1, then /sh again and again (init, vmmboot).
 */
#include <inc/lib.h>

/* Make the console descriptors 0 and 1 (the first env has none). */
void
cons_as_stdio(void)
{
	int r;

	close(0);
	if ((r = opencons()) < 0)
		panic("opencons: %e", r);
	if (r != 0)
		panic("first opencons used fd %d", r);
	if ((r = dup(0, 1)) < 0)
		panic("dup: %e", r);
}

/* Run /sh on the console for ever; who names the caller in its lines. */
void
shell_forever(const char *who)
{
	int r;

	for (;;) {
		printf("%s: starting sh\n", who);
		r = spawnl("/sh", "sh", (char *) NULL);
		if (r < 0) {
			printf("%s: spawn sh: %e\n", who, r);
			sys_yield();
			continue;
		}
		wait(r);
	}
}
