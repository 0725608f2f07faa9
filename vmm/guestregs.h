/*
 * For the backends' world-switch assembly (vmm/intel/vmrun.S,
 * vmm/amd/svmrun.S): moving a guest's general registers between a
 * struct Trapframe and the CPU, and keeping the host's callee-saved
 * registers around the switch.  RAX, RDI and RSP are left to the
 * caller (RDI holds the frame; RSP, and on SVM RAX, live in the
 * VMCS/VMCB).  Offsets are vmm/intel/vmrun.h's TF_*, checked against C.
 */
#ifndef JOS_VMM_GUESTREGS_H
#define JOS_VMM_GUESTREGS_H

#include <vmm/intel/vmrun.h>

#ifdef __ASSEMBLER__
// Save the host's callee-saved registers (the SysV ABI's: RBP, RBX,
// R12-R15) on entry to a world switch, RBP as a frame pointer.
.macro HOST_CALLEE_SAVE
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

// Restore them and return, with the stack as HOST_CALLEE_SAVE left it.
.macro HOST_CALLEE_RESTORE_RET
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
.endm

// Load R15-R8, RSI, RBP, RDX, RCX, RBX from the frame at \tf.
.macro GUEST_REGS_LOAD tf
	movq	TF_R15(\tf), %r15
	movq	TF_R14(\tf), %r14
	movq	TF_R13(\tf), %r13
	movq	TF_R12(\tf), %r12
	movq	TF_R11(\tf), %r11
	movq	TF_R10(\tf), %r10
	movq	TF_R9(\tf), %r9
	movq	TF_R8(\tf), %r8
	movq	TF_RSI(\tf), %rsi
	movq	TF_RBP(\tf), %rbp
	movq	TF_RDX(\tf), %rdx
	movq	TF_RCX(\tf), %rcx
	movq	TF_RBX(\tf), %rbx
.endm

// Store the same registers into the frame at \tf.
.macro GUEST_REGS_STORE tf
	movq	%r15, TF_R15(\tf)
	movq	%r14, TF_R14(\tf)
	movq	%r13, TF_R13(\tf)
	movq	%r12, TF_R12(\tf)
	movq	%r11, TF_R11(\tf)
	movq	%r10, TF_R10(\tf)
	movq	%r9, TF_R9(\tf)
	movq	%r8, TF_R8(\tf)
	movq	%rsi, TF_RSI(\tf)
	movq	%rbp, TF_RBP(\tf)
	movq	%rdx, TF_RDX(\tf)
	movq	%rcx, TF_RCX(\tf)
	movq	%rbx, TF_RBX(\tf)
.endm
#endif

#endif
