/* The C side of program start-up: set up thisenv and binaryname, run umain. */

#include <inc/lib.h>

// thisenv sits on a page of its own (see user/user.ld) so that sfork can
// give each env a private copy while sharing the rest of the data.
const volatile struct Env *thisenv __attribute__((section(".data.perenv")));
const char *binaryname = "<unknown>";

/*
 * Called by _start with the program's arguments (argc 0 and argv NULL
 * when the kernel started the env directly).  Runs umain, then exits.
 */
void
libmain(int argc, char **argv)
{
	thisenv = &envs[ENVX(sys_getenvid())];

	if (argc > 0 && argv != NULL && argv[0] != NULL)
		binaryname = argv[0];

	umain(argc, argv);
	exit();
}
