/*
 * A guest's lifecycle, and the hooks the kernel calls (kern/vmmapi.h):
 * probing the hardware, making and freeing a guest, starting its run
 * loop, host IPC to it, the console focus and the listings.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/assert.h>
#include <inc/string.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/console.h>
#include <kern/vmmapi.h>
#include <vmm/vm.h>
#include <vmm/gdb/stub.h>

/*
 * The backends, in the order they are tried, each defined by its folder
 * (vmm/intel/: vmx_ops; vmm/amd/: svm_ops).  Weak: one not built in is
 * NULL here, and a new backend needs no change to the core.
 */
extern const struct vmm_ops vmx_ops __attribute__((weak));
extern const struct vmm_ops svm_ops __attribute__((weak));
#define NBACKENDS	2

/*
 * The backends in the order to try them: the CPU vendor's own first
 * (an AMD CPU has SVM, an Intel one VT-x), then the other.
 */
static void
vm_backend_order(const struct vmm_ops *order[NBACKENDS])
{
	uint32_t v[3];

	cpuid(0, NULL, &v[0], &v[2], &v[1]);	// EBX, EDX, ECX spell the vendor
	bool amd = memcmp(v, "AuthenticAMD", 12) == 0 || memcmp(v, "HygonGenuine", 12) == 0;
	order[0] = amd ? &svm_ops : &vmx_ops;
	order[1] = amd ? &vmx_ops : &svm_ops;
}

const struct vmm_ops *vmm;		// the backend in use, once one probed
struct vmm_caps vmm_caps;

/*
 * Whether this machine can run guests, with the first backend whose
 * hardware it has (the CPU vendor's tried first).  Each backend that
 * cannot prints one line saying what is missing; then the result is
 * -E_NOT_SUPP.  Returns 0 (saying
 * once what the backend offers) if one can.
 */
int
vm_probe(void)
{
	static bool said;
	const struct vmm_ops *backends[NBACKENDS];
	int r = -E_NOT_SUPP;

	if (vmm)
		return vmm->probe(&vmm_caps);
	vm_backend_order(backends);
	for (int i = 0; i < NBACKENDS; i++) {
		if (!backends[i] || (r = backends[i]->probe(&vmm_caps)) < 0)
			continue;
		vmm = backends[i];
		break;
	}
	if (r < 0)
		return r;
	if (!said) {
		cprintf("%s\n", vmm_caps.name);
		said = true;
	}
	return 0;
}

/*
 * Make env e (already of type ENV_TYPE_GUEST, not runnable) a guest
 * with mem_size bytes of guest-physical memory, empty, whose CPU will
 * start in real mode at rip.  Returns 0, or -E_NO_MEM with nothing
 * allocated.
 */
static int
vm_create(struct Env *e, uint64_t mem_size, uint64_t rip)
{
	static bool selftest_done;
	struct vm *vm;
	int r;

	// The first guest of a boot runs the map's self-test, when the
	// pages it borrows are there: short of them, a later guest does.
	if (!selftest_done && page_free_count() >= VM_SELFTEST_PAGES) {
		vmm->map_selftest();
		selftest_done = true;
	}

	static_assert(sizeof(struct vm) <= PGSIZE);
	if (!(vm = page_alloc_kva()))
		return -E_NO_MEM;
	vm->env = e;
	vm->mem_size = mem_size;
	vm->vcpu.vm = vm;
	vm_platform_init(vm);
	msr_init(&vm->msr);
	if (!(vm->map = vmm->map_alloc())) {
		page_free_kva(vm);
		return -E_NO_MEM;
	}
	if ((r = vm_fpu_init(vm)) < 0 || (r = vmm->vcpu_create(&vm->vcpu, rip)) < 0) {
		vm_fpu_free(vm);
		vmm->map_free(vm->map);
		page_free_kva(vm);
		return r;
	}
	e->env_vmxinfo = vm;
	// The newest guest holds the console input (Ctrl-] gives it back).
	cons_set_owner(e->env_id);
	return 0;
}

/*
 * Free guest env e's monitor state (from env_free): print its
 * statistics, then free its virtual CPU, every guest page and the map.
 * Its host page tables are freed by env_free.
 */
static void
vm_free(struct Env *e)
{
	struct vm *vm = e->env_vmxinfo;

	if (!vm)
		return;
	vm_cons_flush(vm);
	if (cons_owner() == e->env_id)
		cons_set_owner(0);
	vm_print_stats(vm);
	vmm->vcpu_free(&vm->vcpu);
	vm_fpu_free(vm);
	vmm->map_free(vm->map);
	page_free_kva(vm);
	e->env_vmxinfo = NULL;
}

/*
 * Run guest env e on this CPU (from env_run, kernel lock held).  The run
 * loop starts over at the top of this CPU's kernel stack: nothing below
 * matters any more, and the loop leaves only through the scheduler,
 * which may bring the guest back here again and again.
 */
static void __attribute__((noreturn))
vm_start(struct Env *e)
{
	asm volatile("movq %0, %%rsp\n\t"
		     "xorq %%rbp, %%rbp\n\t"
		     "call *%1"
		     : : "r" (thiscpu->cpu_ts.ts_rsp0), "r" (vm_run), "D" (e)
		     : "memory");
	panic("vm_start: vm_run returned");
}

/*
 * Give the console input to guest id, or back to the host with 0.
 * Returns 0 or -E_BAD_ENV (no such guest).
 */
static int
vm_focus(envid_t id)
{
	struct Env *e;

	if (id != 0 && (envid2env(id, &e, 0) < 0 || e->env_type != ENV_TYPE_GUEST
			|| !e->env_vmxinfo))
		return -E_BAD_ENV;
	cons_set_owner(id);
	return 0;
}

/*
 * Where guest env e's console is, as its reads said (platform.c): COM1
 * once it has looked there, else its text screen once it has read its
 * keyboard controller.
 */
static enum guest_screen
vm_screen_kind(struct Env *e)
{
	struct vm *vm = e->env_vmxinfo;

	if (!vm)
		return GUEST_SCREEN_UNKNOWN;
	if (vm->input_serial)
		return GUEST_SCREEN_SERIAL;
	return vm->kbd.looked ? GUEST_SCREEN_TEXT : GUEST_SCREEN_UNKNOWN;
}

/*
 * This CPU runs something else next: the backend serves what other
 * CPUs asked of the guest state it keeps here.
 */
static void
vm_cpu_release(void)
{
	if (vmm)
		vmm->cpu_release();
	vm_fpu_release();	// the FPU registers are the host's again
}

/* Whether this CPU has such a request to serve (a hint, without the lock). */
static bool
vm_cpu_pending(void)
{
	return vmm && vmm->cpu_pending && vmm->cpu_pending();
}

/*
 * Whether runnable guest env e may run on this CPU now (sched_yield);
 * if not, it waits until the CPU that keeps its state has let it go.
 */
static bool
vm_may_run_here(struct Env *e)
{
	struct vm *vm = e->env_vmxinfo;

	return !vm || !vmm->vcpu_claim || vmm->vcpu_claim(&vm->vcpu);
}

// What the kernel calls (kern/vmmapi.h).
const struct vmm_hooks vmm_hooks = {
	.probe = vm_probe,
	.create = vm_create,
	.free = vm_free,
	.run = vm_start,
	.map_page = vm_map_page,
	.ipc_recv = vm_ipc_recv_from_host,
	.list = vm_list,
	.info = vm_info,
	.focus = vm_focus,
	.debug = gdb_attach,
	.read_mem = vm_read_mem,
	.screen_kind = vm_screen_kind,
	.cpu_release = vm_cpu_release,
	.cpu_pending = vm_cpu_pending,
	.may_run_here = vm_may_run_here,
};
