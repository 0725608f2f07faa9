/*
 * Parsing "-abc" style flags.  Flags are removed from argv as they are
 * read, so that after argnext returns -1 only the operands remain.
 */

#include <inc/args.h>
#include <inc/string.h>

/* Drop argv[1], shifting the rest (and the final NULL) down. */
static void
shift(struct Argstate *args)
{
	memmove(args->argv + 1, args->argv + 2,
		sizeof(const char *) * (*args->argc - 1));
	(*args->argc)--;
}

/* Begin parsing the flags of argc/argv; *argc shrinks as flags are read. */
void
argstart(int *argc, char **argv, struct Argstate *args)
{
	args->argc = argc;
	args->argv = (const char **) argv;
	args->curarg = (*argc > 1 ? "" : NULL);
	args->argvalue = NULL;
}

/*
 * The next flag character, or -1 when the flags are over: at the first
 * argument that does not start with '-', at a lone "-", or after "--"
 * (which is removed).
 */
int
argnext(struct Argstate *args)
{
	args->argvalue = NULL;
	if (args->curarg == NULL)
		return -1;

	if (*args->curarg == '\0') {
		const char *a;

		if (*args->argc <= 1)
			goto end;
		a = args->argv[1];
		if (a == NULL || a[0] != '-' || a[1] == '\0')
			goto end;
		shift(args);
		if (strcmp(a, "--") == 0)
			goto end;
		args->curarg = a + 1;
	}
	return (unsigned char) *args->curarg++;

end:
	args->curarg = NULL;
	return -1;
}

/*
 * The value of the flag argnext just returned: the rest of its argument
 * ("-ofile") or else the next argument ("-o file"), which is consumed.
 * NULL when there is none.  Asking twice gives the same value.
 */
char *
argvalue(struct Argstate *args)
{
	if (args->argvalue == NULL)
		return argnextvalue(args);
	return (char *) args->argvalue;
}

/* Like argvalue, but always takes a new value from the arguments. */
char *
argnextvalue(struct Argstate *args)
{
	if (args->curarg == NULL)
		return NULL;
	if (*args->curarg != '\0') {
		args->argvalue = args->curarg;
		args->curarg = "";
	} else if (*args->argc > 1) {
		args->argvalue = args->argv[1];
		shift(args);
	} else {
		args->argvalue = NULL;
		args->curarg = NULL;
	}
	return (char *) args->argvalue;
}
