/*
 * System calls.  Every argument from user space is checked: pointers
 * with user_mem_assert (a bad one destroys the caller), env ids with
 * envid2env, addresses and permissions by the rules of each call.  A
 * bad argument is an error code, never a panic.
 */
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/syscall.h>
#include <kern/console.h>
#include <kern/sched.h>
#include <kern/lapic.h>
#include <inc/vmx.h>
#include <kern/vmmapi.h>

/*
 * Print len bytes at s, which must be user-readable, up to a NUL as
 * "%.*s" would; in pieces, since a precision is an int and len may be
 * larger.
 */
static void
sys_cputs(const char *s, size_t len)
{
	user_mem_assert(curenv, s, len, 0);
	while (len > 0) {
		int n = MIN(len, (size_t) 1 << 20), shown = strnlen(s, n);

		cprintf("%.*s", shown, s);
		if (shown < n)
			break;
		s += n;
		len -= n;
	}
}

/* A typed character, or 0 if none is waiting.  Does not block. */
static int
sys_cgetc(void)
{
	return cons_getc();
}

/*
 * The calling env sleeps (not runnable) until whoever it waits for
 * makes it runnable again; its system call then returns 0.
 */
static void __attribute__((noreturn))
sleep_until_woken(void)
{
	curenv->env_status = ENV_NOT_RUNNABLE;
	curenv->env_tf.tf_regs.reg_rax = 0;
	sched_yield();
}

/*
 * Sleep until typed input for the host may be there; return 0 at once
 * if some is.  Readers call sys_cgetc again after it: another reader
 * may take the character first.  Input is rare and readers are few, so
 * a waiting reader costs nothing until then (sys_cgetc with sys_yield
 * would spin the CPU, or in a guest make a VM exit per poll).
 */
static int
sys_cons_wait(void)
{
	if (cons_getc_owner(0, true))
		return 0;
	curenv->env_cons_waiting = true;
	sleep_until_woken();
}

/*
 * Sleep until env envid is gone, or, for a guest, until the console goes
 * back to the host; return 0 at once if it is gone already (or, with
 * flag ENV_WAIT_CONSOLE, if it is a guest and the host holds the
 * console), -E_INVAL for the caller itself or unknown flags.  Callers look again after each
 * wake-up.  Anyone may wait for any env: that an env exists is public
 * (envs[] is readable by all).
 */
static int
sys_env_wait(envid_t envid, int flags)
{
	struct Env *e = &envs[ENVX(envid)];

	if (envid == 0 || envid == curenv->env_id || (flags & ~ENV_WAIT_CONSOLE))
		return -E_INVAL;
	if (e->env_id != envid || e->env_status == ENV_FREE)
		return 0;
	if ((flags & ENV_WAIT_CONSOLE) && e->env_type == ENV_TYPE_GUEST
	    && cons_owner() == 0)
		return 0;
	curenv->env_wait_env = envid;
	sleep_until_woken();
}

static envid_t
sys_getenvid(void)
{
	return curenv->env_id;
}

/* Destroy envid (the caller or its child). */
static int
sys_env_destroy(envid_t envid)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (e == curenv)
		cprintf("[%08x] exiting gracefully\n", curenv->env_id);
	else
		cprintf("[%08x] destroying %08x\n", curenv->env_id, e->env_id);
	env_destroy(e);
	return 0;
}

static void
sys_yield(void)
{
	sched_yield();
}

/*
 * A new env, a copy of the caller's registers but not runnable, with an
 * empty address space.  Returns its id to the parent; the child sees 0.
 */
static envid_t
sys_exofork(void)
{
	struct Env *e;
	int r;

	if ((r = env_alloc(&e, curenv->env_id)) < 0)
		return r;
	e->env_status = ENV_NOT_RUNNABLE;
	e->env_tf = curenv->env_tf;
	e->env_tf.tf_regs.reg_rax = 0;
	return e->env_id;
}

static int
sys_env_set_status(envid_t envid, int status)
{
	struct Env *e;
	int r;

	if (status != ENV_RUNNABLE && status != ENV_NOT_RUNNABLE)
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (e->env_status != ENV_RUNNABLE && e->env_status != ENV_NOT_RUNNABLE)
		return -E_INVAL;	// running or dying: not ours to change
	// Whatever e slept waiting for, its parent decides now.
	e->env_status = status;
	e->env_cons_waiting = false;
	e->env_wait_env = 0;
	return 0;
}

/*
 * Replace envid's registers with *tf, forcing user privilege, interrupts
 * on and no I/O privilege.
 */
static int
sys_env_set_trapframe(envid_t envid, struct Trapframe *tf)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	user_mem_assert(curenv, tf, sizeof(*tf), 0);
	e->env_tf = *tf;
	e->env_tf.tf_cs = GD_UT | 3;
	e->env_tf.tf_ss = GD_UD | 3;
	e->env_tf.tf_ds = GD_UD | 3;
	e->env_tf.tf_es = GD_UD | 3;
	e->env_tf.tf_eflags |= FL_IF;
	e->env_tf.tf_eflags &= ~(FL_IOPL_MASK | FL_NT | FL_VM);
	return 0;
}

static int
sys_env_set_pgfault_upcall(envid_t envid, void *func)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	e->env_pgfault_upcall = func;
	return 0;
}

/* Whether va is a page-aligned user address below UTOP. */
static bool
user_page_va(uintptr_t va)
{
	return va < UTOP && PGOFF(va) == 0;
}

/* Whether perm is a permission a user may ask for in a mapping. */
static bool
user_perm_ok(int perm)
{
	return (perm & (PTE_U | PTE_P)) == (PTE_U | PTE_P) && !(perm & ~PTE_SYSCALL);
}

/* Map a new zeroed page at va in envid with permission perm. */
static int
sys_page_alloc(envid_t envid, uintptr_t va, int perm)
{
	struct Env *e;
	struct PageInfo *pp;
	int r;

	if (!user_page_va(va) || !user_perm_ok(perm))
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (!(pp = page_alloc(ALLOC_ZERO)))
		return -E_NO_MEM;
	if ((r = page_insert(e->env_pml4e, pp, (void *) va, perm)) < 0) {
		page_free(pp);
		return r;
	}
	return 0;
}

/*
 * Map the page at srcva in srcenvid at dstva in dstenvid with perm;
 * never writable if the source mapping is read-only.
 */
static int
sys_page_map(envid_t srcenvid, uintptr_t srcva, envid_t dstenvid, uintptr_t dstva, int perm)
{
	struct Env *src, *dst;
	struct PageInfo *pp;
	pte_t *pte;
	int r;

	if (!user_page_va(srcva) || !user_page_va(dstva) || !user_perm_ok(perm))
		return -E_INVAL;
	if ((r = envid2env(srcenvid, &src, 1)) < 0 || (r = envid2env(dstenvid, &dst, 1)) < 0)
		return r;
	if (!(pp = page_lookup(src->env_pml4e, (void *) srcva, &pte)))
		return -E_INVAL;
	if ((perm & PTE_W) && !(*pte & PTE_W))
		return -E_INVAL;
	return page_insert(dst->env_pml4e, pp, (void *) dstva, perm);
}

static int
sys_page_unmap(envid_t envid, uintptr_t va)
{
	struct Env *e;
	int r;

	if (!user_page_va(va))
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	page_remove(e->env_pml4e, (void *) va);
	return 0;
}

/*
 * Deliver value (and the page at srcva, if srcva < UTOP and the
 * receiver asked for one) to envid, which must be waiting in
 * sys_ipc_recv, or be a guest waiting in its IPCRECV hypercall (the
 * page then lands in its guest-physical memory).  Any env may send to
 * any env.
 */
static int
sys_ipc_try_send(envid_t envid, uint32_t value, uintptr_t srcva, int perm)
{
	struct Env *e;
	struct PageInfo *pp = NULL;
	pte_t *pte;
	int r;

	if ((r = envid2env(envid, &e, 0)) < 0)
		return r;
	if (srcva < UTOP) {
		if (PGOFF(srcva) || !user_perm_ok(perm))
			return -E_INVAL;
		if (!(pp = page_lookup(curenv->env_pml4e, (void *) srcva, &pte)))
			return -E_INVAL;
		if ((perm & PTE_W) && !(*pte & PTE_W))
			return -E_INVAL;
	}
	// A guest receives through its monitor (HC_IPCRECV).
	if (e->env_type == ENV_TYPE_GUEST)
		return guest_ipc_deliver(e, value, pp, perm);
	return ipc_deliver(e, curenv->env_id, value, pp, perm);
}

/*
 * Block until a value arrives.  If dstva < UTOP, a page sent along is
 * mapped there.  Returns 0 (through the sender) or -E_INVAL.
 */
static int
sys_ipc_recv(uintptr_t dstva)
{
	if (dstva < UTOP && PGOFF(dstva))
		return -E_INVAL;
	curenv->env_ipc_recving = true;
	curenv->env_ipc_dstva = (void *) dstva;
	sleep_until_woken();
}

/*
 * A new guest env, child of the caller and not runnable yet, with
 * guest_mem_size bytes of guest-physical memory (page-aligned, more than
 * 1 MiB, at most GUEST_MEM_MAX), none of it mapped yet (a page the guest
 * touches before sys_ept_map put one there comes zeroed, on demand),
 * whose CPU starts in real mode at guest_rip (below 1 MiB).  Returns its id, -E_NOT_SUPP
 * (the kernel says why) on a machine that cannot run guests, -E_INVAL,
 * -E_NO_FREE_ENV or -E_NO_MEM.
 */
static envid_t
sys_env_mkguest(uint64_t guest_mem_size, uint64_t guest_rip)
{
	struct Env *e;
	int r;

	if ((r = guest_check_support()) < 0)
		return r;
	if (guest_mem_size <= 0x100000 || PGOFF(guest_mem_size)
	    || guest_mem_size > GUEST_MEM_MAX || guest_rip >= 0x100000)
		return -E_INVAL;
	if ((r = env_alloc(&e, curenv->env_id)) < 0)
		return r;
	e->env_type = ENV_TYPE_GUEST;
	e->env_status = ENV_NOT_RUNNABLE;
	if ((r = guest_create(e, guest_mem_size, guest_rip)) < 0) {
		env_free(e);
		return r;
	}
	return e->env_id;
}

/*
 * Map the page at srcva in srcenvid into guest env guestid at
 * guest-physical guest_pa with EPT permission perm.  srcva: page-aligned,
 * below UTOP, mapped; guest_pa: page-aligned, inside the guest's memory;
 * perm: EPT read, write, execute bits only, read among them, and write
 * only if the source mapping is writable.  Both envs must be the caller
 * or its children; guestid must be a guest.  A mapping there before is
 * replaced (not while the guest runs on another CPU).
 * Returns 0, -E_INVAL, -E_BAD_ENV or -E_NO_MEM.
 */
static int
sys_ept_map(envid_t srcenvid, uintptr_t srcva, envid_t guestid, uint64_t guest_pa, int perm)
{
	struct Env *src, *guest;
	struct PageInfo *pp;
	pte_t *pte;
	int r;

	if (!user_page_va(srcva))
		return -E_INVAL;
	if ((r = envid2env(srcenvid, &src, 1)) < 0 || (r = envid2env(guestid, &guest, 1)) < 0)
		return r;
	if (guest->env_type != ENV_TYPE_GUEST || !guest->env_vmxinfo)
		return -E_BAD_ENV;
	if (!(perm & __EPTE_READ) || (perm & ~__EPTE_FULL))
		return -E_INVAL;
	if (!(pp = page_lookup(src->env_pml4e, (void *) srcva, &pte)))
		return -E_INVAL;
	if ((perm & __EPTE_WRITE) && !(*pte & PTE_W))
		return -E_INVAL;
	return guest_map_page(guest, pp, guest_pa, perm);
}

/*
 * Copy the state of up to n guests into the user array info; returns
 * how many guests there are (perhaps more than n).
 */
static int
sys_guest_info(struct guest_info *info, int n)
{
	struct guest_info gi[16];
	int count;

	if (n < 0)
		return -E_INVAL;
	if (n > 16)
		n = 16;
	user_mem_assert(curenv, info, n * sizeof(*info), PTE_W);
	count = guest_info(gi, n);
	memmove(info, gi, MIN(count, n) * sizeof(*info));
	return count;
}

/*
 * Destroy guest env envid.  Unlike sys_env_destroy, any env may stop
 * any guest: guests belong to the person at the host's console, and a
 * program such as vmctl, not the guest's parent vmm, stops them.
 * Returns 0 or -E_BAD_ENV (no such guest).
 */
static int
sys_guest_stop(envid_t envid)
{
	struct Env *e;

	if (envid2env(envid, &e, 0) < 0 || e->env_type != ENV_TYPE_GUEST)
		return -E_BAD_ENV;
	cprintf("[%08x] destroying %08x\n", curenv->env_id, e->env_id);
	env_destroy(e);
	return 0;
}

/*
 * Copy len bytes (at most GUEST_READ_MAX) of guest envid's
 * guest-physical memory from gpa into the caller's buf: what a guest
 * shows on its text screen (vmctl screen).  Any env may read any guest,
 * as any may stop one.  Memory the guest never touched reads as zeros
 * and stays untouched.  Returns 0, -E_BAD_ENV (no such guest),
 * -E_INVAL (len too big, or the range not inside the guest's memory)
 * or -E_FAULT (buf not writable by the caller).
 */
static int
sys_guest_read(envid_t envid, uint64_t gpa, void *buf, size_t len)
{
	struct Env *e;

	if (envid2env(envid, &e, 0) < 0 || e->env_type != ENV_TYPE_GUEST)
		return -E_BAD_ENV;
	if (len > GUEST_READ_MAX)
		return -E_INVAL;
	if (user_mem_check(curenv, buf, len, PTE_W) < 0)
		return -E_FAULT;
	return guest_read_mem(e, gpa, buf, len);
}

/*
 * Give the console input to guest envid, or back to the host with 0
 * (as Ctrl-] does).  Returns 0 or -E_BAD_ENV.
 */
static int
sys_guest_focus(envid_t envid)
{
	return guest_focus(envid);
}

/*
 * The JOS VMM lab's calls, with the lab's meaning.  A guest's number is
 * its place, from 1, in the list vmx_list_vms prints (guests in env
 * slot order).  The vmdisk number is one counter for the whole machine,
 * which the lab's vmm raises for each guest disk it makes.
 */
static int vmdisk_number;

/* Print the guests, one a line: "N) guest ENVID, SIZE MiB, STATE". */
static void
sys_vmx_list_vms(void)
{
	struct guest_info gi[16];
	int n = MIN(guest_info(gi, 16), 16);

	if (n == 0)
		cprintf("vmx: no guests\n");
	for (int i = 0; i < n; i++)
		cprintf("%d) guest %08x, %ld MiB, %s%s\n", i + 1, gi[i].env_id,
			(long) (gi[i].mem_size >> 20),
			gi[i].halted ? "halted" : "running",
			gi[i].has_console ? ", has the console" : "");
}

/*
 * Give guest number i (from 1, as vmx_list_vms numbers them) the
 * console, so that it runs in the foreground.  Returns 1, or 0 when
 * there is no such guest (the lab's vmmanager then asks again).
 */
static int
sys_vmx_sel_resume(int i)
{
	struct guest_info gi[16];
	int n = MIN(guest_info(gi, 16), 16);

	if (i < 1 || i > n)
		return 0;
	return guest_focus(gi[i - 1].env_id) == 0;
}

int64_t
syscall(uint64_t num, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	switch (num) {
	case SYS_cputs:
		sys_cputs((const char *) a1, a2);
		return 0;
	case SYS_cgetc:
		return sys_cgetc();
	case SYS_getenvid:
		return sys_getenvid();
	case SYS_env_destroy:
		return sys_env_destroy(a1);
	case SYS_page_alloc:
		return sys_page_alloc(a1, a2, a3);
	case SYS_page_map:
		return sys_page_map(a1, a2, a3, a4, a5);
	case SYS_page_unmap:
		return sys_page_unmap(a1, a2);
	case SYS_exofork:
		return sys_exofork();
	case SYS_env_set_status:
		return sys_env_set_status(a1, a2);
	case SYS_env_set_trapframe:
		return sys_env_set_trapframe(a1, (struct Trapframe *) a2);
	case SYS_env_set_pgfault_upcall:
		return sys_env_set_pgfault_upcall(a1, (void *) a2);
	case SYS_yield:
		sys_yield();
	case SYS_ipc_try_send:
		return sys_ipc_try_send(a1, a2, a3, a4);
	case SYS_ipc_recv:
		return sys_ipc_recv(a1);
	case SYS_time_msec:
		return time_msec();
	case SYS_ept_map:
		return sys_ept_map(a1, a2, a3, a4, a5);
	case SYS_env_mkguest:
		return sys_env_mkguest(a1, a2);
	case SYS_free_pages:
		return page_free_count();
	case SYS_guest_info:
		return sys_guest_info((struct guest_info *) a1, a2);
	case SYS_guest_stop:
		return sys_guest_stop(a1);
	case SYS_guest_focus:
		return sys_guest_focus(a1);
	case SYS_cons_wait:
		return sys_cons_wait();
	case SYS_vmx_list_vms:
		sys_vmx_list_vms();
		return 0;
	case SYS_vmx_sel_resume:
		return sys_vmx_sel_resume((int) a1);
	case SYS_vmx_get_vmdisk_number:
		return vmdisk_number;
	case SYS_vmx_incr_vmdisk_number:
		vmdisk_number++;
		return 0;
	case SYS_env_wait:
		return sys_env_wait(a1, a2);
	case SYS_guest_debug:	// guest a1 waits for gdb (vmm/gdb/stub.c)
		return guest_debug(a1, a2);
	case SYS_guest_read:
		return sys_guest_read(a1, a2, (void *) a3, a4);
	default:
		return -E_NO_SYS;
	}
}
