/*
 * The run loop: enter a guest, act on each exit, and give the CPU up
 * when the guest's slice ends, it sleeps, a host interrupt wants the
 * host, or it dies.
 *
 * Slices: the host's own timer is silent while a guest runs
 * (lapic_timer_quiet, in the backend), since each host tick would cost
 * the guest an exit; the backend ends the slice at a deadline instead
 * (the VMX-preemption timer).  Every exit costs, so slices are long:
 * VM_SLICE_MS while other envs wait to run, VM_IDLE_SLICE_MS when none
 * does (only an interrupt, which exits, or another CPU can give the host
 * work then).  A slice runs from the guest's turn on the CPU to its
 * end, across the exits in between.
 *
 * The guest runs with the kernel lock released, like a user env; the
 * backend takes it back before it returns an exit.
 */
#include <inc/x86.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/cpu.h>
#include <kern/sched.h>
#include <kern/lapic.h>
#include <kern/vmmapi.h>
#include <vmm/vm.h>

#define VM_SLICE_MS		50
#define VM_IDLE_SLICE_MS	500

/*
 * The TSC at which a slice that began at TSC start ends: the short one
 * as soon as another env waits to run.  0 if the backend has no timer.
 */
static uint64_t
vm_slice_deadline(uint64_t start)
{
	uint64_t ms = sched_runnable_hint() ? VM_SLICE_MS : VM_IDLE_SLICE_MS;
	uint64_t tsc_per_ms = time_tsc_hz() / 1000;

	if (!vmm_caps.slice_timer)
		return 0;
	if (!tsc_per_ms) {
		uint64_t t = read_tsc();
		microdelay(1000);
		tsc_per_ms = read_tsc() - t;
	}
	return start + tsc_per_ms * ms;
}

/*
 * Let the pending host interrupt in through the IDT, as into an idle
 * kernel.  Its handler may schedule; otherwise it comes back here.
 */
static void
vm_take_interrupt(void)
{
	asm volatile("sti; nop; cli" : : : "memory");
}

/*
 * Run guest env e on this CPU until it yields, is preempted or dies;
 * called by vm_hooks.run with the kernel lock held, on a fresh stack.
 * Does not return: it leaves through sched_yield or env_destroy.
 */
void
vm_run(struct Env *e)
{
	struct vm *vm = e->env_vmxinfo;
	struct vcpu *v = &vm->vcpu;
	uint64_t slice_start = read_tsc();
	struct vm_exit x;
	enum vm_action action;

	if (!vm->tsc_launch)
		vm->tsc_launch = slice_start;
	for (;;) {
		if (vmm->run(v, &e->env_tf, vm_slice_deadline(slice_start), &x) != VM_RUN_EXITED)
			break;
		// Destroyed by another CPU while it ran here: finish it now.
		if (e->env_status == ENV_DYING)
			break;
		action = vm_handle_exit(vm, &e->env_tf, &x);
		if (action == VM_RESUME)
			continue;
		vm_cons_flush(vm);
		if (action == VM_KILL)
			break;
		vmm->vcpu_put(v);
		if (action == VM_INTR) {
			// An env the interrupt woke (a key for the host
			// shell) runs at once.
			vm_take_interrupt();
			if (sched_runnable_hint())
				env_yield(e);
			continue;
		}
		if (action == VM_YIELD)
			env_yield(e);
		// VM_BLOCK: not runnable now (a hypercall or HLT said so);
		// whoever wakes it makes it runnable again.
		sched_yield();
	}

	// The guest dies.
	vmm->vcpu_put(v);
	env_destroy(e);
	panic("vm_run: env_destroy returned");
}
