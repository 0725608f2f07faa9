/* Registering a user-level page-fault handler. */

#include <inc/lib.h>

// The assembly upcall (lib/pfentry.S) calls this.
void (*_pgfault_handler)(struct UTrapframe *utf);

extern void _pgfault_upcall(void);

/*
 * Make handler the current env's page-fault handler.  The first call
 * also allocates the exception stack (the page below UXSTACKTOP) and
 * tells the kernel to enter at _pgfault_upcall.  Panics on failure.
 */
void
set_pgfault_handler(void (*handler)(struct UTrapframe *utf))
{
	int r;
	bool first = (_pgfault_handler == NULL);

	_pgfault_handler = handler;
	if (!first)
		return;
	if ((r = sys_page_alloc(0, (void *) (UXSTACKTOP - PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0)
		panic("set_pgfault_handler: exception stack: %e", r);
	if ((r = sys_env_set_pgfault_upcall(0, _pgfault_upcall)) < 0)
		panic("set_pgfault_handler: upcall: %e", r);
}
