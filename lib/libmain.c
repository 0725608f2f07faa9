/* The C side of program start-up: set up thisenv and binaryname, run umain. */

#include <inc/lib.h>

// thisenv sits on a page of its own (see user/user.ld) so that sfork can
// give each env a private copy while sharing the rest of the data.
const volatile struct Env *thisenv __attribute__((section(".data.perenv")));
const char *binaryname = "<unknown>";

/*
 * Called by _start with the program's arguments (argc 0 and argv NULL
 * when the kernel started the env directly, as in JOS: its name is then
 * in env_name).  Runs umain, then exits.
 */
void
libmain(int argc, char **argv)
{
	thisenv = &envs[ENVX(sys_getenvid())];

	if (argc > 0 && argv != NULL && argv[0] != NULL)
		binaryname = argv[0];
	else if (thisenv->env_name[0]) {
		// A copy: forked children keep it after this slot is reused.
		static char name[sizeof(thisenv->env_name)];
		memmove(name, (const char *) thisenv->env_name, sizeof(name) - 1);
		binaryname = name;
	}

	umain(argc, argv);
	exit();
}
