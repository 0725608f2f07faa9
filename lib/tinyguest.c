/* Tiny real-mode guests for the monitor's test programs. */

#include <inc/lib.h>
#include <inc/vmx.h>

/*
 * A runnable guest with TINYGUEST_MEM bytes of memory running
 * code[0..end) at GUEST_BOOT_GPA (read and execute only), with the
 * cleared page at TINYGUEST_SHARED_VA as its page at
 * TINYGUEST_SHARED_GPA.  The caller has allocated both staging pages.
 * Panics if the guest cannot be made.
 */
envid_t
tinyguest_start(const char *code, const char *end)
{
	envid_t guest;
	int r;

	if ((guest = sys_env_mkguest(TINYGUEST_MEM, GUEST_BOOT_GPA)) < 0)
		panic("sys_env_mkguest: %e", guest);
	memset(TINYGUEST_CODE_VA, 0, PGSIZE);
	memmove(TINYGUEST_CODE_VA, code, end - code);
	memset((void *) TINYGUEST_SHARED_VA, 0, PGSIZE);
	if ((r = sys_ept_map(0, TINYGUEST_CODE_VA, guest, (void *) GUEST_BOOT_GPA,
			     __EPTE_READ | __EPTE_EXEC)) < 0
	    || (r = sys_ept_map(0, (void *) TINYGUEST_SHARED_VA, guest,
				(void *) TINYGUEST_SHARED_GPA, __EPTE_FULL)) < 0)
		panic("sys_ept_map: %e", r);
	if ((r = sys_env_set_status(guest, ENV_RUNNABLE)) < 0)
		panic("sys_env_set_status: %e", r);
	return guest;
}
