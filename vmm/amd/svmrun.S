/*
 * svm_world_switch(tf, vmcb, host_save, dr7): run the guest whose VMCB
 * is at physical address vmcb until it exits, with its general
 * registers (RAX and RSP excepted: they live in the VMCB) from tf, a
 * struct Trapframe, and back into it afterwards.
 *
 * A non-zero dr7 (the VMCB's, with breakpoints enabled) is written to
 * the host's DR7 just before VMRUN, and DR7 is 0x400 again after every
 * exit: QEMU 7.2's VMRUN loads the guest's DR7 without arming its
 * breakpoints, which only a MOV to DR7 does (vmm/amd/debug.c).  The
 * host runs this file's code between the two, no other.
 *
 * VMRUN switches what it must (segments CS, SS, DS, ES, the descriptor
 * tables, CR0, CR3, CR4, EFER, RFLAGS, RIP, RSP, RAX) through the host
 * save area; the rest (FS, GS, TR, LDTR with their hidden parts,
 * KernelGsBase, STAR, LSTAR, CSTAR, SFMASK, the SYSENTER MSRs) goes by
 * VMSAVE of the host's to the page at host_save, VMLOAD of the
 * guest's, and the reverse after the exit.  GIF is clear from before
 * the switch until the host's state is whole again; RFLAGS.IF is set
 * meanwhile so that a host interrupt makes the guest exit (the VMCB
 * masks guest interrupts virtually), and clear again when this returns:
 * the interrupt stays pending for the host to take.
 */
#include <vmm/guestregs.h>

.text
.globl svm_world_switch
.type svm_world_switch, @function
.p2align 4
svm_world_switch:
	HOST_CALLEE_SAVE
	pushq	%rdx			// 16(%rsp): host_save
	pushq	%rdi			// 8(%rsp): tf
	pushq	%rsi			// 0(%rsp): vmcb

	clgi
	movq	%rdx, %rax
	vmsave				// the host's FS, GS, TR, LDTR, MSRs
	testq	%rcx, %rcx
	jz	1f
	movq	%rcx, %dr7		// the guest's breakpoints, armed
1:
	GUEST_REGS_LOAD %rdi
	movq	TF_RDI(%rdi), %rdi
	movq	(%rsp), %rax		// vmcb
	vmload
	sti				// GIF still clear: nothing is taken here
	vmrun
	// #VMEXIT: RAX and RSP are the host's again, GIF clear.
	vmsave				// the guest's FS, GS, TR, LDTR, MSRs
	cli
	pushq	%rdi
	movq	16(%rsp), %rdi		// tf
	GUEST_REGS_STORE %rdi
	popq	TF_RDI(%rdi)
	// No breakpoint of the guest's in the host: not gdb's, nor one the
	// guest armed itself with a MOV to DR7, which QEMU 7.2 leaves
	// armed after the exit (the host would trap on the guest's
	// addresses).
	movl	$0x400, %eax
	movq	%rax, %dr7
	movq	16(%rsp), %rax		// host_save
	vmload				// the host's FS, GS, TR, LDTR, MSRs again
	stgi

	addq	$24, %rsp
	HOST_CALLEE_RESTORE_RET
.globl svm_world_switch_end
svm_world_switch_end:
.size svm_world_switch, . - svm_world_switch
