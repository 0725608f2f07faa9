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
 * Before each entry the core brings the guest's devices to now and
 * injects what its PIC requests (platform.c); a slice is cut short at
 * the guest's next timer interrupt, and at the kernel timer queue's
 * next deadline (another guest's interrupt is due: it runs now).  A
 * guest asleep in HLT is not runnable: the timer queue wakes it when
 * its next interrupt is due (vm_sleep), typed input for it as well.
 *
 * The guest runs with the kernel lock released, like a user env, and
 * the exits that touch only the guest (CPUID, some hypercalls) are
 * answered without taking it: the lock, the scheduler and the host's
 * own state (descriptor tables, timer) wait until an exit needs them.
 */
#include <inc/x86.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/cpu.h>
#include <kern/console.h>
#include <kern/sched.h>
#include <kern/lapic.h>
#include <kern/spinlock.h>
#include <kern/timer.h>
#include <kern/vmmapi.h>
#include <vmm/vm.h>
#include <vmm/gdb/stub.h>

#define VM_SLICE_MS		50
#define VM_IDLE_SLICE_MS	500
#define VM_MIN_TIMER_US		100	// a device deadline no nearer than this

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
 * The TSC at which the guest's devices next want an interrupt in (0:
 * never), but no sooner than VM_MIN_TIMER_US from now: a deadline
 * that passes before the guest is entered would stop it from ever
 * running (a PIT at its fastest), and what is due by an entry is
 * injected then anyway.
 */
static uint64_t
vm_device_deadline(struct vm *vm)
{
	uint64_t dl = vm_platform_deadline(vm);
	uint64_t soonest = read_tsc() + time_tsc_hz() / 1000000 * VM_MIN_TIMER_US;

	return dl && dl < soonest ? soonest : dl;
}

/*
 * Guest env e sleeps in HLT (vm->halted) with nothing due yet: it is not
 * runnable until its next timer interrupt is due (the kernel's timer
 * queue wakes it) or input arrives for it (env_block_console), and the
 * CPU goes to whoever else can run.  Does not return.
 */
static void __attribute__((noreturn))
vm_sleep(struct Env *e)
{
	struct vm *vm = e->env_vmxinfo;

	vm_cons_flush(vm);
	vmm->vcpu_put(&vm->vcpu);
	env_block_console(e);
	timer_wake_at(e, vm_platform_deadline(vm));
	sched_yield();
}

/*
 * The host tick's check for typed input (kern/trap.c), made at the
 * guest's tick instead: the host timer is silent while a guest runs.
 * An edge-triggered IRQ can be lost (seen under Bochs once the monitor
 * had polled the UART for a text-screen guest: a byte then waited in
 * COM1 and no interrupt came), and without this check a guest that
 * never halts keeps the host deaf for good, the host shell asleep in
 * sys_cons_wait.  Drains what waits in a device; true if some env is
 * runnable then (the guest gives the CPU up for it).
 */
static bool
vm_tick_input(void)
{
	if (!cons_input_hint())
		return false;
	cons_poll();
	return sched_runnable_hint();
}

/*
 * Enter the guest again and again, without the kernel lock, as long as
 * its exits are ones vm_handle_exit_unlocked answers and nothing else
 * is due (the slice ends with an exit too; so does a host interrupt).
 * Returns with the kernel lock held: VM_RUN_FAILED, or VM_RUN_EXITED
 * with an exit in *x that the caller must handle.
 */
static enum vm_run_result
vm_run_unlocked(struct Env *e, uint64_t deadline, struct vm_exit *x)
{
	struct vm *vm = e->env_vmxinfo;
	enum vm_run_result r;

	unlock_kernel();
	do {
		vm_fpu_enter(vm);	// its FPU registers and XCR0 (fpu.c)
		r = vmm->run(&vm->vcpu, &e->env_tf, deadline, x);
		vm_fpu_leave(vm);
	} while (r == VM_RUN_EXITED && ((volatile struct Env *) e)->env_status != ENV_DYING
	       && vm_handle_exit_unlocked(vm, &e->env_tf, x) == VM_RESUME);
	lock_kernel();
	return r;
}

/*
 * Run guest env e on this CPU until it yields, is preempted or dies;
 * called by vm_hooks.run with the kernel lock held, on a fresh stack
 * (again after each host interrupt that came in from the guest).
 * Does not return: it leaves through sched_yield or env_destroy.
 */
void
vm_run(struct Env *e)
{
	struct vm *vm = e->env_vmxinfo;
	struct vcpu *v = &vm->vcpu;
	uint64_t slice_start = read_tsc(), slice_end, deadline;
	struct vm_exit x;
	enum vm_action action;

	if (!vm->tsc_launch)
		vm->tsc_launch = slice_start;
	// Running, it waits in IPCRECV no more (its vmm may have made it
	// runnable without a send): a later send must not land in it.
	vm->ipc_recving = false;
	vm_fpu_cpu_init();	// before the backend records the host's CR4
	if (vmm->vcpu_load(v) < 0)
		goto die;
	for (;;) {
		// The debugger may stop the guest here (vmm/gdb/stub.c); held
		// for it, the guest sleeps while gdb is silent.
		action = gdb_before_entry(vm, &e->env_tf);
		if (action == VM_KILL)
			break;
		if (action == VM_BLOCK) {
			vmm->vcpu_put(v);
			sched_yield();
		}
		if (vm->halted) {
			// Woken, by its timer or otherwise: on if it is due.
			if (!vm_halt_over(vm))
				vm_sleep(e);
			timer_cancel(e);
			vm->halted = false;
		}
		vm_platform_update(vm);
		vm_platform_inject(vm);
		slice_end = vm_slice_deadline(slice_start);
		deadline = tsc_earlier(tsc_earlier(slice_end, vm_device_deadline(vm)), timer_earliest());
		// Without a slice timer the host's own timer ends the slice.
		if (!vmm_caps.slice_timer)
			timer_arm_by(deadline);
		if (vm_run_unlocked(e, deadline, &x) != VM_RUN_EXITED)
			break;
		// Destroyed by another CPU while it ran here: finish it now.
		if (e->env_status == ENV_DYING)
			break;
		action = vm_handle_exit(vm, &e->env_tf, &x);
		// The slice was cut short for a device's interrupt, or HLT
		// sleeps (at the top of the loop); an env the timer queue
		// woke runs now.
		if (action == VM_YIELD && x.reason == VM_EXIT_SLICE_END
		    && (!slice_end || read_tsc() < slice_end))
			action = VM_RESUME;
		if (x.reason == VM_EXIT_SLICE_END && timer_due_hint() && timer_expire())
			action = VM_YIELD;
		if (x.reason == VM_EXIT_SLICE_END && vm_tick_input())
			action = VM_YIELD;
		if (action == VM_RESUME || action == VM_HALT)
			continue;
		vm_cons_flush(vm);
		if (action == VM_KILL)
			break;
		vmm->vcpu_put(v);
		if (action == VM_INTR) {
			// The guest's state stays on this CPU: the interrupt's
			// handler comes back to the guest through env_run, or
			// schedules (sched_yield lets the state go).  An env it
			// woke (a key for the host shell) runs at once.
			vm_take_interrupt();
			if (sched_runnable_hint())
				env_yield(e);
			if (vmm->vcpu_load(v) < 0)
				goto die;
			continue;
		}
		if (action == VM_YIELD)
			env_yield(e);
		// VM_BLOCK: not runnable now (a hypercall or HLT said so);
		// whoever wakes it makes it runnable again.
		sched_yield();
	}

	// The guest dies (its VMCS, if any, is written back as it is freed).
	vmm->vcpu_put(v);
die:
	env_destroy(e);
	panic("vm_run: env_destroy returned");
}
