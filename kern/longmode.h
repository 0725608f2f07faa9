/*
 * The step from 32-bit protected mode to long mode, shared by the boot
 * CPU (kern/entry.S) and the other CPUs (kern/mpentry.S): PAE, the boot
 * page table boot_pml4 (by physical address), EFER.LME and NXE, then
 * paging with caching on.  A far jump to a 64-bit code segment must
 * follow.  Clobbers eax, ecx and edx.
 */
#ifndef JOS_KERN_LONGMODE_H
#define JOS_KERN_LONGMODE_H

#include <inc/mmu.h>
#include <inc/memlayout.h>

.macro ENTER_LONG_MODE
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$(boot_pml4 - KERNBASE), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME|EFER_NXE), %eax
	wrmsr
	movl	%cr0, %eax
	andl	$~(CR0_CD|CR0_NW), %eax	# Bochs' BIOS leaves caching off
	orl	$(CR0_PE|CR0_PG|CR0_WP|CR0_NE|CR0_MP|CR0_AM), %eax
	movl	%eax, %cr0
.endm

#endif
