/* User-side system call stubs: int $0x30 with the number in %rax. */

#include <inc/syscall.h>
#include <inc/lib.h>

/*
 * Make system call num with up to five arguments (in %rdx, %rcx, %rbx,
 * %rdi, %rsi) and return the kernel's %rax.  If check is set, the call
 * is one that only returns 0 or -E_*: a positive result means the kernel
 * and library disagree, so panic.
 */
static int64_t
syscall(int num, int check, uint64_t a1, uint64_t a2, uint64_t a3,
	uint64_t a4, uint64_t a5)
{
	int64_t ret;

	asm volatile("int %1"
		     : "=a" (ret)
		     : "i" (T_SYSCALL),
		       "a" ((uint64_t) num),
		       "d" (a1),
		       "c" (a2),
		       "b" (a3),
		       "D" (a4),
		       "S" (a5)
		     : "cc", "memory");

	if (check && ret > 0)
		panic("syscall %d returned %ld (> 0)", num, (long) ret);
	return ret;
}

/* Print len bytes at s on the console. */
void
sys_cputs(const char *s, size_t len)
{
	syscall(SYS_cputs, 0, (uint64_t) s, len, 0, 0, 0);
}

/* A character from the console, or 0 if none is waiting. */
int
sys_cgetc(void)
{
	return syscall(SYS_cgetc, 0, 0, 0, 0, 0, 0);
}

/* Destroy env envid (0: the caller). */
int
sys_env_destroy(envid_t envid)
{
	return syscall(SYS_env_destroy, 1, envid, 0, 0, 0, 0);
}

/* The caller's env id. */
envid_t
sys_getenvid(void)
{
	return syscall(SYS_getenvid, 0, 0, 0, 0, 0, 0);
}

/* Give up the CPU to another runnable env. */
void
sys_yield(void)
{
	syscall(SYS_yield, 0, 0, 0, 0, 0, 0);
}

/* Map a fresh zeroed page at va in envid with permissions perm. */
int
sys_page_alloc(envid_t envid, void *va, int perm)
{
	return syscall(SYS_page_alloc, 1, envid, (uint64_t) va, perm, 0, 0);
}

/* Map the page at srcva in srcenv at dstva in dstenv with permissions perm. */
int
sys_page_map(envid_t srcenv, void *srcva, envid_t dstenv, void *dstva, int perm)
{
	return syscall(SYS_page_map, 1, srcenv, (uint64_t) srcva,
		       dstenv, (uint64_t) dstva, perm);
}

/* Remove the mapping at va in envid (no error if none). */
int
sys_page_unmap(envid_t envid, void *va)
{
	return syscall(SYS_page_unmap, 1, envid, (uint64_t) va, 0, 0, 0);
}

// sys_exofork is inline in inc/lib.h.

/* Set envid's status to ENV_RUNNABLE or ENV_NOT_RUNNABLE. */
int
sys_env_set_status(envid_t envid, int status)
{
	return syscall(SYS_env_set_status, 1, envid, status, 0, 0, 0);
}

/* Replace envid's saved registers with *tf. */
int
sys_env_set_trapframe(envid_t envid, struct Trapframe *tf)
{
	return syscall(SYS_env_set_trapframe, 1, envid, (uint64_t) tf, 0, 0, 0);
}

/* Make upcall the entry point of envid's user page-fault handler. */
int
sys_env_set_pgfault_upcall(envid_t envid, void *upcall)
{
	return syscall(SYS_env_set_pgfault_upcall, 1, envid, (uint64_t) upcall, 0, 0, 0);
}

/*
 * Try to send value (and the page at srcva, if below UTOP) to envid;
 * -E_IPC_NOT_RECV if it is not waiting.
 */
int
sys_ipc_try_send(envid_t envid, uint64_t value, void *srcva, int perm)
{
	return syscall(SYS_ipc_try_send, 0, envid, value, (uint64_t) srcva, perm, 0);
}

/* Block until a message arrives (a page lands at dstva if below UTOP). */
int
sys_ipc_recv(void *dstva)
{
	return syscall(SYS_ipc_recv, 1, (uint64_t) dstva, 0, 0, 0, 0);
}

/* Milliseconds since boot. */
unsigned int
sys_time_msec(void)
{
	return (unsigned int) syscall(SYS_time_msec, 0, 0, 0, 0, 0, 0);
}

/* Map the page at srcva in srcenvid at guest-physical guest_pa in guest. */
int
sys_ept_map(envid_t srcenvid, void *srcva, envid_t guest, void *guest_pa, int perm)
{
	return syscall(SYS_ept_map, 0, srcenvid, (uint64_t) srcva,
		       guest, (uint64_t) guest_pa, perm);
}

/* Create a guest env with gphysz bytes of memory starting at gRIP. */
envid_t
sys_env_mkguest(uint64_t gphysz, uint64_t gRIP)
{
	return syscall(SYS_env_mkguest, 0, gphysz, gRIP, 0, 0, 0);
}

/* The number of free physical pages (for leak checks). */
int64_t
sys_free_pages(void)
{
	return syscall(SYS_free_pages, 0, 0, 0, 0, 0, 0);
}

/* The state of up to n guests in info; returns how many guests there are. */
int
sys_guest_info(struct guest_info *info, int n)
{
	return syscall(SYS_guest_info, 0, (uint64_t) info, n, 0, 0, 0);
}

/* Destroy guest env envid (any env may stop a guest). */
int
sys_guest_stop(envid_t envid)
{
	return syscall(SYS_guest_stop, 0, envid, 0, 0, 0, 0);
}

/* Give the console input to guest envid, or to the host with 0. */
int
sys_guest_focus(envid_t envid)
{
	return syscall(SYS_guest_focus, 0, envid, 0, 0, 0, 0);
}

/* Sleep until typed input may be there (then sys_cgetc again). */
void
sys_cons_wait(void)
{
	syscall(SYS_cons_wait, 0, 0, 0, 0, 0, 0);
}

/*
 * Sleep until env envid is gone (at once if it is), or, for a guest,
 * until the console goes back to the host; flags: 0 or
 * ENV_WAIT_CONSOLE (inc/syscall.h).
 */
int
sys_env_wait(envid_t envid, int flags)
{
	return syscall(SYS_env_wait, 0, envid, flags, 0, 0, 0);
}

/* The JOS VMM lab's calls (kern/syscall.c says what they do). */
void
sys_vmx_list_vms(void)
{
	syscall(SYS_vmx_list_vms, 0, 0, 0, 0, 0, 0);
}

int
sys_vmx_sel_resume(int i)
{
	return syscall(SYS_vmx_sel_resume, 0, i, 0, 0, 0, 0);
}

int
sys_vmx_get_vmdisk_number(void)
{
	return syscall(SYS_vmx_get_vmdisk_number, 0, 0, 0, 0, 0, 0);
}

void
sys_vmx_incr_vmdisk_number(void)
{
	syscall(SYS_vmx_incr_vmdisk_number, 0, 0, 0, 0, 0, 0);
}

/*
 * Guest envid stops at its next entry and waits for gdb on the host's
 * COM2; flags: GUEST_DEBUG_I386 or 0.
 */
int
sys_guest_debug(envid_t envid, int flags)
{
	return syscall(SYS_guest_debug, 0, envid, flags, 0, 0, 0);
}

/* Copy len bytes of guest envid's physical memory at gpa into buf. */
int
sys_guest_read(envid_t envid, uint64_t gpa, void *buf, size_t len)
{
	return syscall(SYS_guest_read, 0, envid, gpa, (uint64_t) buf, len, 0);
}
