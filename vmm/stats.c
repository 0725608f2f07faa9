/*
 * What the monitor counts about each guest, and what it reports: the
 * lines printed when a guest is gone, the kernel monitor's guests
 * command, and sys_guest_info.
 *
 * Times are reported in one unit, milliseconds, from one clock: the
 * TSC at the rate time_init calibrated (the clock of time_msec).  Under
 * Bochs that clock is emulated time, which runs ahead of the wall clock
 * whenever every CPU waits (HLT skips to the next timer event), so a
 * guest idle at its prompt for a minute of wall time may show hours.
 */
#include <inc/x86.h>
#include <inc/string.h>
#include <inc/stdio.h>
#include <inc/error.h>
#include <inc/vmx.h>

#include <kern/env.h>
#include <kern/console.h>
#include <kern/lapic.h>
#include <vmm/vm.h>

/* Count an exit with the backend's reason number raw_reason. */
void
vm_count_exit(struct vm *vm, uint32_t raw_reason)
{
	vm->nexits[raw_reason < VM_NEXITS - 1 ? raw_reason : VM_NEXITS - 1]++;
}

/*
 * Count hypercall number (HC_*), which the monitor answered with result
 * (IPCRECV: 0 if the guest then waited).
 */
void
vm_count_hypercall(struct vm *vm, uint64_t number, int64_t result)
{
	vm->nhypercalls[number < HC_COUNT ? number : 0]++;
	if (number == HC_IPCSEND && result == -E_IPC_NOT_RECV)
		vm->ipc_send_busy++;
}

/* Count a refused access to port; the first one of each guest is reported. */
void
vm_count_refused(struct vm *vm, uint16_t port, bool in)
{
	if (vm->io_refused++ == 0)
		cprintf("vmm: guest %08x: %s port %04x refused (reads give all ones, "
			"writes are dropped; more are only counted)\n",
			vm->env->env_id, in ? "reading" : "writing", port);
}

/* All exits so far. */
static uint64_t
vm_total_exits(struct vm *vm)
{
	uint64_t total = 0;

	for (int i = 0; i < VM_NEXITS; i++)
		total += vm->nexits[i];
	return total;
}

/* TSC ticks since the guest first ran (0 if it never did). */
static uint64_t
vm_cycles(struct vm *vm)
{
	return vm->tsc_launch ? read_tsc() - vm->tsc_launch : 0;
}

/* TSC ticks in milliseconds, at the rate time_init measured (0 if unknown). */
static uint64_t
tsc_to_ms(uint64_t ticks)
{
	uint64_t hz = time_tsc_hz();

	if (hz < 1000)
		return 0;
	return ticks / hz * 1000 + ticks % hz * 1000 / hz;
}

/* Print the guest's hypercalls by number, on one line, if it made any. */
static void
vm_print_hypercalls(struct vm *vm)
{
	static const char *const names[HC_COUNT] = {
		[0] = "unknown",
		[HC_MBMAP] = "MBMAP",
		[HC_IPCSEND] = "IPCSEND",
		[HC_IPCRECV] = "IPCRECV",
		[HC_POWEROFF] = "POWEROFF",
		[HC_CONSWRITE] = "CONSWRITE",
		[HC_TSC_HZ] = "TSC_HZ",
	};
	const char *sep = "";
	uint64_t total = 0;

	for (int i = 0; i < HC_COUNT; i++)
		total += vm->nhypercalls[i];
	if (!total)
		return;
	cprintf("vmm: guest %08x hypercalls:", vm->env->env_id);
	for (int i = 0; i < HC_COUNT; i++) {
		if (!vm->nhypercalls[i])
			continue;
		cprintf("%s %lu %s", sep, vm->nhypercalls[i], names[i]);
		if (i == HC_IPCSEND && vm->ipc_send_busy)
			cprintf(" (%lu to a busy server)", vm->ipc_send_busy);
		sep = ",";
	}
	cprintf("\n");
}

/* Print the guest's exits by reason, its cycles and console bytes, as it dies. */
void
vm_print_stats(struct vm *vm)
{
	for (int i = 0; i < VM_NEXITS; i++) {
		if (!vm->nexits[i])
			continue;
		if (i < VM_NEXITS - 1)
			cprintf("vmm: guest %08x exits: %lu %s (reason %d)\n",
				vm->env->env_id, vm->nexits[i], vmm->exit_name(i), i);
		else
			cprintf("vmm: guest %08x exits: %lu with other reasons\n",
				vm->env->env_id, vm->nexits[i]);
	}
	vm_print_hypercalls(vm);
	vm_platform_print_stats(vm);
	cprintf("vmm: guest %08x: %lu exits, %lu ms from launch, %lu ms in the guest, "
		"%lu port accesses refused\n", vm->env->env_id, vm_total_exits(vm),
		tsc_to_ms(vm_cycles(vm)), tsc_to_ms(vm->vcpu.tsc_in_guest), vm->io_refused);
	cprintf("vmm: guest %08x console: %lu bytes by hypercall, %lu through COM1\n",
		vm->env->env_id, vm->cons_hypercall_bytes, vm->cons_com1_bytes);
}

/* List the guest envs: id, memory, state, exits and times (monitor command). */
void
vm_list(void)
{
	static const char *const states[] = {
		"free", "dying", "runnable", "running", "not runnable"
	};
	int n = 0;

	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);
		struct vm *vm = e->env_vmxinfo;

		if (e->env_status == ENV_FREE || e->env_type != ENV_TYPE_GUEST || !vm)
			continue;
		if (n++ == 0)
			cprintf("guest     memory    state         exits       run ms    in guest\n");
		cprintf("%08x  %4lu MiB  %-12s  %-10lu  %-8lu  %lu\n", e->env_id,
			vm->mem_size >> 20, e->env_status < 5 ? states[e->env_status] : "?",
			vm_total_exits(vm), tsc_to_ms(vm_cycles(vm)),
			tsc_to_ms(vm->vcpu.tsc_in_guest));
	}
	if (n == 0)
		cprintf("No guests.\n");
	else if (cons_owner())
		cprintf("Guest %08x holds the console input; Ctrl-] gives it back to the host.\n",
			cons_owner());
}

/*
 * Copy the state of up to n guests into info (kernel memory); returns
 * how many there are (perhaps more than n).
 */
int
vm_info(struct guest_info *info, int n)
{
	int count = 0;

	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);
		struct vm *vm = e->env_vmxinfo;
		struct guest_info gi;

		if (e->env_status == ENV_FREE || e->env_type != ENV_TYPE_GUEST || !vm)
			continue;
		memset(&gi, 0, sizeof(gi));
		gi.env_id = e->env_id;
		gi.status = e->env_status;
		gi.mem_size = vm->mem_size;
		gi.exits = vm_total_exits(vm);
		gi.cycles = vm_cycles(vm);
		gi.cycles_in_guest = vm->vcpu.tsc_in_guest;
		gi.io_refused = vm->io_refused;
		gi.has_console = cons_owner() == e->env_id;
		gi.had_console = cons_last_guest() == e->env_id;
		gi.run_ms = tsc_to_ms(gi.cycles);
		gi.in_guest_ms = tsc_to_ms(gi.cycles_in_guest);
		gi.tsc_hz = time_tsc_hz();
		gi.halted = e->env_status == ENV_NOT_RUNNABLE && e->env_cons_waiting;
		if (count < n)
			info[count] = gi;
		count++;
	}
	return count;
}
