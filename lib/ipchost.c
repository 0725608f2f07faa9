/*
 * IPC with the host, for user programs that run inside a VT-x guest
 * (the guest's file server).  Each call is one hypercall
 * (inc/vmm/hypercall.h);
 * the monitor moves pages by guest-physical address, so a page is named
 * here by the guest-physical address that its virtual address maps to.
 */

#include <inc/lib.h>
#include <inc/vmm/hypercall.h>

// A guest-physical address no guest has: "no page" for the monitor.
#define NO_GPA	HC_NO_PAGE

/*
 * The guest-physical address that va maps to in this env, or NO_GPA if
 * va is not mapped.
 */
uint64_t
va2gpa(const void *va)
{
	uintptr_t a = (uintptr_t) va;

	if (!(uvpml4e[a >> PML4SHIFT] & PTE_P) || !(uvpde[a >> PDPESHIFT] & PTE_P)
	    || !(uvpd[a >> PDXSHIFT] & PTE_P) || !(uvpt[PGNUM(a)] & PTE_P))
		return NO_GPA;
	return PTE_ADDR(uvpt[PGNUM(a)]) | PGOFF(a);
}

/*
 * Send value (and the page at pg, mapped in this env, with permissions
 * perm, if pg is not NULL) to the host env of type to_type, yielding
 * while it is not receiving.  Returns 0 or a negative error (-E_NO_SYS
 * from a monitor without host IPC, -E_INVAL if pg is not mapped).
 */
int
ipc_host_send(int to_type, uint32_t value, void *pg, int perm)
{
	uint64_t gpa = NO_GPA;
	int64_t r;

	if (pg) {
		if ((gpa = va2gpa(ROUNDDOWN(pg, PGSIZE))) == NO_GPA)
			return -E_INVAL;
	} else
		perm = 0;
	for (;;) {
		r = hypercall4(HC_IPCSEND, to_type, value, gpa, perm);
		if (r != -E_IPC_NOT_RECV)
			return r;
		sys_yield();
	}
}

/*
 * Wait for a message from the host (the whole guest waits).  If pg is
 * not NULL it must be a page mapped in this env: a page the host sends
 * replaces the memory behind it, so that pg shows the host's page from
 * then on (and pg must stay mapped for good).  Stores the sender's host
 * env id and the page's permissions (0 if none came) when the pointers
 * are not NULL.  Returns the value sent, or a negative error (storing
 * 0s).
 */
int32_t
ipc_host_recv(void *pg, envid_t *from_env_store, int *perm_store)
{
	struct hypercall_out out = { 0, 0, 0 };
	uint64_t gpa = NO_GPA;
	int64_t r;

	if (pg && (gpa = va2gpa(ROUNDDOWN(pg, PGSIZE))) == NO_GPA)
		r = -E_INVAL;
	else
		r = hypercall1_out(HC_IPCRECV, gpa, &out);
	if (r < 0) {
		out.rsi = r;
		out.rdx = out.rcx = 0;
	}
	if (from_env_store)
		*from_env_store = out.rdx;
	if (perm_store)
		*perm_store = out.rcx;
	return out.rsi;
}
