/*
 * IPC with the host, for user programs that run inside a VT-x guest
 * (the guest's file server).  Each call is one hypercall (inc/vmx.h);
 * the monitor moves pages by guest-physical address, so a page is named
 * here by the guest-physical address that its virtual address maps to.
 */

#include <inc/lib.h>
#include <inc/vmx.h>

// A guest-physical address no guest has: "no page" for the monitor.
#define NO_GPA	(~0UL)

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
		asm volatile("vmcall"
			     : "=a" (r)
			     : "a" ((uint64_t) VMX_VMCALL_IPCSEND), "b" ((uint64_t) to_type),
			       "c" ((uint64_t) value), "d" (gpa), "S" ((uint64_t) perm)
			     : "memory");
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
	uint64_t gpa = NO_GPA, value, from, perm;
	int64_t r;

	if (pg && (gpa = va2gpa(ROUNDDOWN(pg, PGSIZE))) == NO_GPA)
		r = -E_INVAL;
	else
		asm volatile("vmcall"
			     : "=a" (r), "=S" (value), "=d" (from), "=c" (perm)
			     : "a" ((uint64_t) VMX_VMCALL_IPCRECV), "b" (gpa),
			       "S" (0UL), "d" (0UL), "c" (0UL)
			     : "memory");
	if (r < 0) {
		value = r;
		from = perm = 0;
	}
	if (from_env_store)
		*from_env_store = from;
	if (perm_store)
		*perm_store = perm;
	return value;
}
