/*
 * asm_vmrun(tf, launched): enter the guest whose VMCS is current, with
 * general registers from tf (a struct Trapframe: its tf_regs), by
 * VMLAUNCH if launched is 0 and VMRESUME otherwise.  When the guest
 * exits, the CPU comes back at vmx_exit_point with the stack as it was
 * at the VMWRITE of the host RSP below; the guest's registers go back
 * into tf.  Returns VMRUN_EXITED after a VM exit (the exit reason says
 * whether the entry itself failed), VMRUN_FAIL_INVALID or
 * VMRUN_FAIL_VALID if the instruction failed (vmrun.h).
 */
#include <vmm/intel/vmrun.h>
#include <vmm/guestregs.h>
#include <vmm/intel/vmcs.h>

.text
.globl asm_vmrun
.type asm_vmrun, @function
.p2align 4
asm_vmrun:
	HOST_CALLEE_SAVE
	pushq	%rdi			// tf, for the way back
	movq	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	jc	fail_invalid
	jz	fail_valid
	cmpl	$0, %esi		// the moves below keep the flags
	GUEST_REGS_LOAD %rdi
	movq	TF_RAX(%rdi), %rax
	movq	TF_RDI(%rdi), %rdi
	jne	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	jc	fail_invalid		// still here: the entry failed
fail_valid:
	movl	$VMRUN_FAIL_VALID, %eax
	jmp	out
fail_invalid:
	movl	$VMRUN_FAIL_INVALID, %eax
	jmp	out

.globl vmx_exit_point
vmx_exit_point:
	pushq	%rdi
	movq	8(%rsp), %rdi		// tf
	GUEST_REGS_STORE %rdi
	popq	TF_RDI(%rdi)
	movq	%rax, TF_RAX(%rdi)
	movl	$VMRUN_EXITED, %eax
out:
	addq	$8, %rsp		// tf
	HOST_CALLEE_RESTORE_RET
.size asm_vmrun, . - asm_vmrun
