/*
 * What vmrun.S needs to know about C: the offsets of the general
 * registers in struct Trapframe (inc/trap.h, struct PushRegs first),
 * checked against the C layout by static_asserts in run.c, and what
 * asm_vmrun returns.
 */
#ifndef JOS_VMM_INTEL_VMRUN_H
#define JOS_VMM_INTEL_VMRUN_H

#define TF_R15		0x00
#define TF_R14		0x08
#define TF_R13		0x10
#define TF_R12		0x18
#define TF_R11		0x20
#define TF_R10		0x28
#define TF_R9		0x30
#define TF_R8		0x38
#define TF_RSI		0x40
#define TF_RDI		0x48
#define TF_RBP		0x50
#define TF_RDX		0x58
#define TF_RCX		0x60
#define TF_RBX		0x68
#define TF_RAX		0x70

// asm_vmrun's results.
#define VMRUN_EXITED		0	// the guest ran and exited
#define VMRUN_FAIL_INVALID	1	// VMLAUNCH/VMRESUME: VMfailInvalid
#define VMRUN_FAIL_VALID	2	// VMfailValid: the VM-instruction error says why

#endif
