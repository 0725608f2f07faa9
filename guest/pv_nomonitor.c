/*
 * The guest kernel carries no monitor (the monitor's files in vmm/ are
 * the host kernel's) and has no VT-x to use anyway: what the kernel
 * asks of the monitor (vmm/guest.h) gets these answers instead.
 */
#include <inc/stdio.h>
#include <inc/error.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <vmm/guest.h>

/* No guests inside a guest. */
int
guest_check_support(void)
{
	cprintf("vmx: VT-x not supported: a guest kernel runs no guests\n");
	return -E_NOT_SUPP;
}

/* Nothing becomes a guest here. */
int
guest_create(struct Env *e, uint64_t mem_size, uint64_t rip)
{
	return -E_NOT_SUPP;
}

/* No env here is a guest: nothing to free. */
void
guest_free(struct Env *e)
{
}

/* Never called: no env here is a guest. */
void
guest_run(struct Env *e)
{
	panic("guest_run in a guest kernel");
}

/* No guest to map a page into. */
int
guest_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm)
{
	return -E_BAD_ENV;
}

/* The kernel monitor's `guests` command. */
void
guest_list(void)
{
	cprintf("No guests.\n");
}

/* No guest to deliver a message to. */
int
guest_ipc_deliver(struct Env *e, uint32_t value, struct PageInfo *pp, int perm)
{
	return -E_BAD_ENV;
}

/* No guests to describe. */
int
guest_info(struct guest_info *info, int n)
{
	return 0;
}

/* Only the host (0) can have the console. */
int
guest_focus(envid_t id)
{
	return id ? -E_BAD_ENV : 0;
}
