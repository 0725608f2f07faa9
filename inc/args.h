/* Command-line option parsing for user programs (lib/args.c). */
#ifndef JOS_INC_ARGS_H
#define JOS_INC_ARGS_H

struct Argstate;

/*
 * Walk "-x" style flags: argstart once, then argnext until it returns -1;
 * argvalue gives the value of a flag that takes one.
 */
struct Argstate {
	int *argc;
	const char **argv;
	const char *curarg;
	const char *argvalue;
};

void	argstart(int *argc, char **argv, struct Argstate *args);
int	argnext(struct Argstate *);
char *	argvalue(struct Argstate *);
char *	argnextvalue(struct Argstate *);

#endif
