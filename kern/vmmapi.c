/*
 * The kernel's side of the kernel/monitor interface (kern/vmmapi.h):
 * the env and IPC calls the monitor makes, and the guest_* calls the
 * kernel makes, which reach the monitor's hooks when there is one.
 */
#include <inc/error.h>
#include <inc/assert.h>
#include <inc/memlayout.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/sched.h>
#include <kern/vmmapi.h>

/* Env e sleeps (not runnable) until someone calls env_wake for it. */
void
env_block(struct Env *e)
{
	e->env_status = ENV_NOT_RUNNABLE;
}

/*
 * Env e sleeps until typed input arrives for it (a guest halted in HLT,
 * woken by sched_wake_cons_waiters) or someone wakes it.
 */
void
env_block_console(struct Env *e)
{
	e->env_cons_waiting = true;
	e->env_status = ENV_NOT_RUNNABLE;
}

/* Env e (asleep, or running here) becomes runnable. */
void
env_wake(struct Env *e)
{
	e->env_status = ENV_RUNNABLE;
}

/* The current env e gives the CPU up and stays runnable. */
void
env_yield(struct Env *e)
{
	assert(e == curenv);
	e->env_status = ENV_RUNNABLE;
	sched_yield();
}

/* The first live env of type type (the file server, say), or NULL. */
struct Env *
env_find_type(enum EnvType type)
{
	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);

		if (e->env_type == type && e->env_status != ENV_FREE
		    && e->env_status != ENV_DYING)
			return e;
	}
	return NULL;
}

/*
 * Deliver an IPC from env id from to dst, which must be waiting in
 * sys_ipc_recv: value, and page pp with perm (already checked) mapped
 * at the address dst asked for, if pp is not NULL and dst asked for
 * one.  dst wakes with 0 from sys_ipc_recv.  Returns 0,
 * -E_IPC_NOT_RECV or -E_NO_MEM (then nothing changed).
 */
int
ipc_deliver(struct Env *dst, envid_t from, uint32_t value, struct PageInfo *pp, int perm)
{
	int r;

	if (!dst->env_ipc_recving)
		return -E_IPC_NOT_RECV;
	dst->env_ipc_perm = 0;
	if (pp && (uintptr_t) dst->env_ipc_dstva < UTOP) {
		if ((r = page_insert(dst->env_pml4e, pp, dst->env_ipc_dstva, perm)) < 0)
			return r;
		dst->env_ipc_perm = perm;
	}
	dst->env_ipc_recving = false;
	dst->env_ipc_from = from;
	dst->env_ipc_value = value;
	dst->env_tf.tf_regs.reg_rax = 0;
	dst->env_status = ENV_RUNNABLE;
	return 0;
}

/* Whether a monitor is linked into this kernel. */
static bool
have_monitor(void)
{
	return &vmm_hooks != NULL;
}

/*
 * Whether this machine can run guests: 0, or -E_NOT_SUPP after one
 * line saying why not.
 */
int
guest_check_support(void)
{
	if (!have_monitor()) {
		cprintf("vmx: VT-x not supported: a guest kernel runs no guests\n");
		return -E_NOT_SUPP;
	}
	return vmm_hooks.probe();
}

/* Make env e a guest (vmm/vm.c: vm_create); -E_NOT_SUPP without a monitor. */
int
guest_create(struct Env *e, uint64_t mem_size, uint64_t rip)
{
	return have_monitor() ? vmm_hooks.create(e, mem_size, rip) : -E_NOT_SUPP;
}

/* Free guest env e's monitor state, from env_free. */
void
guest_free(struct Env *e)
{
	if (have_monitor())
		vmm_hooks.free(e);
}

/* Run guest env e on this CPU, from env_run; does not return. */
void
guest_run(struct Env *e)
{
	if (!have_monitor())
		panic("guest_run without a monitor");
	vmm_hooks.run(e);
}

/* Map pp at guest-physical gpa of guest env e (sys_ept_map). */
int
guest_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm)
{
	return have_monitor() ? vmm_hooks.map_page(e, pp, gpa, perm) : -E_BAD_ENV;
}

/* sys_ipc_try_send to guest env e: the monitor delivers it. */
int
guest_ipc_deliver(struct Env *e, uint32_t value, struct PageInfo *pp, int perm)
{
	return have_monitor() ? vmm_hooks.ipc_recv(e, value, pp, perm) : -E_BAD_ENV;
}

/* List the guests (the kernel monitor's guests command). */
void
guest_list(void)
{
	if (have_monitor())
		vmm_hooks.list();
	else
		cprintf("No guests.\n");
}

/* Up to n guests' state into info; how many there are. */
int
guest_info(struct guest_info *info, int n)
{
	return have_monitor() ? vmm_hooks.info(info, n) : 0;
}

/* Give the console input to guest id, or to the host with 0. */
int
guest_focus(envid_t id)
{
	if (!have_monitor())
		return id ? -E_BAD_ENV : 0;
	return vmm_hooks.focus(id);
}

/*
 * This CPU is about to run another env or idle (sched_yield): the
 * monitor keeps a guest's state loaded on the CPU that ran it last, and
 * lets it go here when another CPU asked (to run that guest, or because
 * it died).
 */
void
guest_cpu_release(void)
{
	if (have_monitor())
		vmm_hooks.cpu_release();
}

/*
 * Whether the monitor has such a request for this CPU (an idle CPU
 * woken by its timer then schedules); a hint, read without the lock.
 */
bool
guest_cpu_pending(void)
{
	return have_monitor() && vmm_hooks.cpu_pending();
}

/*
 * Whether runnable env e may run on this CPU now: any host env; a
 * guest unless its state is loaded on another CPU, which is then asked
 * to let it go (the guest waits for that, runnable).
 */
bool
guest_may_run_here(struct Env *e)
{
	return e->env_type != ENV_TYPE_GUEST || !have_monitor() || vmm_hooks.may_run_here(e);
}

/*
 * Copy len bytes of guest env e's guest-physical memory at gpa to dst
 * (sys_guest_read: the caller checked dst).  Returns 0, -E_INVAL (not
 * inside its memory) or -E_BAD_ENV (no monitor, or e has no guest
 * state any more).
 */
int
guest_read_mem(struct Env *e, uint64_t gpa, void *dst, size_t len)
{
	return have_monitor() ? vmm_hooks.read_mem(e, gpa, dst, len) : -E_BAD_ENV;
}

/* Guest id waits for gdb on COM2 at its next entry (sys_guest_debug). */
int
guest_debug(envid_t id, int flags)
{
	if (!have_monitor())
		return -E_BAD_ENV;
	return vmm_hooks.debug(id, flags);
}
