/*
 * Where an application processor starts.  boot_aps copies the code
 * between mpentry_start and mpentry_end to MPENTRY_PADDR; the STARTUP
 * IPI starts the CPU there in real mode with CS = MPENTRY_PADDR >> 4 and
 * IP = 0.  The copy runs at physical addresses (MPBOOTPHYS), through
 * 32-bit protected mode into long mode on the boot page table of
 * entry.S (boot_pml4, which maps the first GiB at 0 and the kernel at
 * KERNBASE); then it continues at mp_high in the kernel's own text,
 * switches to the kernel's page table (boot_cr3) and calls mp_main on
 * the stack boot_aps left for this CPU's APIC id in mpentry_kstacks.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <kern/longmode.h>

#define MPBOOTPHYS(s)	((s) - mpentry_start + MPENTRY_PADDR)
#define RELOC(x)	((x) - KERNBASE)

#define SEL_CODE64	0x08	// = GD_KT
#define SEL_DATA	0x10	// = GD_KD
#define SEL_CODE32	0x18

.text
.code16
.globl mpentry_start
mpentry_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss

	lgdtl	MPBOOTPHYS(mp_gdtdesc)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $MPBOOTPHYS(mp_start32)

.code32
mp_start32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs

	ENTER_LONG_MODE
	ljmpl	$SEL_CODE64, $MPBOOTPHYS(mp_start64)

.code64
mp_start64:
	# Long mode at a low address; go to the kernel's copy of mp_high.
	movabsq	$mp_high, %rax
	jmpq	*%rax

	# null, 64-bit kernel code, flat data, 32-bit flat code
	.p2align 3
mp_gdt:
	.quad	0
	.quad	0x00209a0000000000
	.quad	0x00cf92000000ffff
	.quad	0x00cf9a000000ffff
mp_gdtdesc:			# for lgdt in real and protected mode
	.word	mp_gdtdesc - mp_gdt - 1
	.long	MPBOOTPHYS(mp_gdt)
mp_gdtdesc64:			# for lgdt in long mode: the copy, at KERNBASE
	.word	mp_gdtdesc - mp_gdt - 1
	.quad	KERNBASE + MPBOOTPHYS(mp_gdt)

.globl mpentry_end
mpentry_end:

/* Not copied: runs at its linked address. */
mp_high:
	# Nothing low may be used from here on: the GDT at its KERNBASE
	# address, then the kernel's page table, which maps this CPU's
	# stack (below KSTACKTOP) but not the low first GiB.
	movabsq	$mp_gdtdesc64, %rax
	lgdt	(%rax)
	movabsq	$boot_cr3, %rax
	movq	(%rax), %rax
	movq	%rax, %cr3

	# The stack boot_aps left for this CPU, found by its APIC id.
	movl	$1, %eax
	cpuid
	shrl	$24, %ebx
	movabsq	$mpentry_kstacks, %rax
	movq	(%rax,%rbx,8), %rsp
	testq	%rsp, %rsp
	jz	mp_no_stack
	xorq	%rbp, %rbp		# ends the backtrace's frame chain
	movabsq	$mp_main, %rax
	call	*%rax

mp_no_stack:
	# Not expected by boot_aps: stay out of the way.
	cli
	hlt
	jmp	mp_no_stack
