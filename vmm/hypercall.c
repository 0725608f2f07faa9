/*
 * Hypercalls (inc/vmm/hypercall.h): the number in RAX, arguments in
 * RBX, RCX, RDX, RSI, the result in RAX.  The argument checks are in
 * hccheck.c; this file carries them out on the guest.
 */
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/lapic.h>
#include <kern/vmmapi.h>
#include <vmm/vm.h>
#include <vmm/hccheck.h>

/*
 * HC_MBMAP: write at guest-physical gpa a multiboot information block
 * followed, in the same page, by an e820 map of the guest's memory
 * (hc_mbmap_fill).  Returns 0 or -E_INVAL (bad gpa, or a page the
 * guest may not write).
 */
static int64_t
hc_mbmap(struct vm *vm, uint64_t gpa)
{
	struct multiboot_mmap_entry map[HC_E820_ENTRIES];
	struct multiboot_info info;
	physaddr_t pa;
	int prot;
	uint8_t *kva;

	if (!hc_mbmap_ok(vm->mem_size, gpa))
		return -E_INVAL;
	if (vm_gpa_page(vm, gpa, true, &pa, &prot) < 0 || !(prot & VM_PROT_WRITE))
		return -E_INVAL;
	kva = (uint8_t *) KADDR(pa) + PGOFF(gpa);
	hc_mbmap_fill(vm->mem_size, gpa, &info, map);
	memmove(kva, &info, sizeof(info));
	memmove(kva + sizeof(info), map, sizeof(map));
	return 0;
}

/*
 * HC_CONSWRITE: the guest prints the len bytes at guest-physical gpa
 * on its console, exactly as if it had written them to its COM1 one by
 * one (same line buffer, shown as its text).  A page it never touched reads
 * as zeros.  Returns len, or -E_INVAL with nothing printed.
 */
static int64_t
hc_conswrite(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t off, n;
	char *kva;

	if (!hc_conswrite_ok(vm->mem_size, gpa, len))
		return -E_INVAL;
	for (off = 0; off < len; off += n) {
		n = MIN(len - off, PGSIZE - PGOFF(gpa + off));
		kva = vm_gpa2kva(vm, gpa + off);
		for (uint64_t i = 0; i < n; i++)
			vm_cons_putc(vm, kva ? kva[i] : 0);
	}
	vm->cons_hypercall_bytes += len;
	return len;
}

/*
 * HC_IPCSEND: sys_ipc_try_send from the guest (its env the sender) to
 * the first host env of the given type (only the file server), with
 * value and, if gpa names a page, the page backing gpa (a zeroed one
 * mapped there first if the guest never touched it) mapped with perm;
 * never writable if the guest may not write it.  Returns 0, -E_INVAL,
 * -E_BAD_ENV (no such env), -E_IPC_NOT_RECV or -E_NO_MEM.
 */
static int64_t
hc_ipcsend(struct vm *vm, uint64_t type, uint64_t value, uint64_t gpa, uint64_t perm)
{
	struct PageInfo *pp = NULL;
	struct Env *dst;
	physaddr_t pa;
	bool page;
	int prot, r;

	if (type != ENV_TYPE_FS || !hc_ipc_gpa_ok(vm->mem_size, gpa, &page))
		return -E_INVAL;
	if (page) {
		if (!hc_ipc_perm_ok(perm))
			return -E_INVAL;
		if ((r = vm_gpa_page(vm, gpa, true, &pa, &prot)) < 0)
			return r;
		if ((perm & PTE_W) && !(prot & VM_PROT_WRITE))
			return -E_INVAL;
		pp = pa2page(pa);
	}
	if (!(dst = env_find_type(type)))
		return -E_BAD_ENV;
	return ipc_deliver(dst, vm->env->env_id, value, pp, perm);
}

/*
 * HC_IPCRECV: the guest waits (not runnable) for a host env to send to
 * it; a page sent along will be mapped at gpa if gpa names one.
 * Returns 0 when the guest must stop running, or -E_INVAL (bad gpa) at
 * once.
 */
static int64_t
hc_ipcrecv(struct vm *vm, uint64_t gpa)
{
	bool page;

	if (!hc_ipc_gpa_ok(vm->mem_size, gpa, &page))
		return -E_INVAL;
	vm->ipc_recving = true;
	vm->ipc_gpa = gpa;
	env_block(vm->env);
	return 0;
}

/*
 * sys_ipc_try_send to guest env e by the current env: if e waits in
 * IPCRECV, deliver value and page pp (if not NULL, and the guest asked
 * for one) mapped with read and execute, and write if perm has PTE_W;
 * the guest wakes with RAX 0, RSI value, RDX the sender's id and RCX
 * the perm (0 without a page).  Returns 0, -E_IPC_NOT_RECV, -E_BAD_ENV
 * or -E_NO_MEM.
 */
int
vm_ipc_recv_from_host(struct Env *e, uint32_t value, struct PageInfo *pp, int perm)
{
	struct vm *vm = e->env_vmxinfo;
	struct PushRegs *regs = &e->env_tf.tf_regs;
	int r;

	if (!vm)
		return -E_BAD_ENV;
	if (!vm->ipc_recving || e->env_status != ENV_NOT_RUNNABLE)
		return -E_IPC_NOT_RECV;
	regs->reg_rcx = 0;
	if (pp && vm->ipc_gpa < vm->mem_size) {
		int prot = VM_PROT_READ | VM_PROT_EXEC | ((perm & PTE_W) ? VM_PROT_WRITE : 0);
		if ((r = vm_map_page(e, pp, vm->ipc_gpa, prot)) < 0)
			return r;
		regs->reg_rcx = perm;
	}
	vm->ipc_recving = false;
	regs->reg_rax = 0;
	regs->reg_rsi = value;
	regs->reg_rdx = curenv->env_id;
	env_wake(e);
	return 0;
}

/*
 * The guest made a hypercall (its instruction already skipped), number
 * in RAX.  Only the guest's kernel may make them, except the IPC pair
 * (hc_allowed).  IPCRECV blocks the guest until a host env sends to it;
 * an IPCSEND the server is too busy to take yields the CPU (the server
 * cannot get back to receiving while the guest retries on this CPU);
 * POWEROFF ends the guest.  Returns what the run loop does next.
 */
enum vm_action
vm_hypercall(struct vm *vm, struct Trapframe *tf)
{
	struct PushRegs *r = &tf->tf_regs;
	uint64_t nr = r->reg_rax;
	int64_t result;

	if (!hc_allowed(nr, vmm->get_reg(&vm->vcpu, VM_REG_CPL)))
		result = -E_INVAL;
	else
		switch (nr) {
		case HC_MBMAP:
			result = hc_mbmap(vm, r->reg_rbx);
			break;
		case HC_IPCSEND:
			result = hc_ipcsend(vm, r->reg_rbx, r->reg_rcx, r->reg_rdx, r->reg_rsi);
			break;
		case HC_IPCRECV:
			result = hc_ipcrecv(vm, r->reg_rbx);
			vm_count_hypercall(vm, nr, result);
			if (result == 0)
				return VM_BLOCK;	// the sender sets RAX
			r->reg_rax = result;
			return VM_RESUME;
		case HC_POWEROFF:
			vm_count_hypercall(vm, nr, 0);
			vm_cons_flush(vm);
			cprintf("vmm: guest %08x powered off\n", vm->env->env_id);
			return VM_KILL;
		case HC_CONSWRITE:
			result = hc_conswrite(vm, r->reg_rbx, r->reg_rcx);
			break;
		case HC_TSC_HZ:
			result = time_tsc_hz();
			break;
		default:
			result = -E_INVAL;
			break;
		}
	vm_count_hypercall(vm, nr, result);
	r->reg_rax = result;
	if (nr == HC_IPCSEND && result == -E_IPC_NOT_RECV)
		return VM_YIELD;
	return VM_RESUME;
}

/*
 * Answer the hypercall in RAX now, without the kernel lock, if its
 * answer needs nothing outside the guest: the host's TSC rate, the
 * refusals that need no look at host state (from guest user mode, an
 * unknown number, IPCSEND to anything but the file server), and
 * CONSWRITE, which reads guest memory and prints under the console's
 * own lock (the guest's map only grows while it runs: a page the host
 * replaces meanwhile shows old bytes at worst).  Returns whether it did
 * (RAX then holds the result); the caller skips the instruction.
 */
bool
vm_hypercall_unlocked(struct vm *vm, struct Trapframe *tf)
{
	struct PushRegs *r = &tf->tf_regs;
	uint64_t nr = r->reg_rax;
	int64_t result;

	if (!hc_allowed(nr, vmm->get_reg(&vm->vcpu, VM_REG_CPL))
	    || nr == 0 || nr >= HC_COUNT
	    || (nr == HC_IPCSEND && r->reg_rbx != ENV_TYPE_FS))
		result = -E_INVAL;
	else if (nr == HC_TSC_HZ)
		result = time_tsc_hz();
	else if (nr == HC_CONSWRITE)
		result = hc_conswrite(vm, r->reg_rbx, r->reg_rcx);
	else
		return false;
	vm_count_hypercall(vm, nr, result);
	r->reg_rax = result;
	return true;
}
