/*
 * The guest's boot code.  The monitor starts the guest here, at
 * GUEST_BOOT_GPA, in 16-bit real mode.  There is no BIOS and nothing to
 * read from a disk: the user-level vmm has already put the kernel's
 * segments at their physical addresses and left the kernel's entry
 * point and command line in the boot arguments page (inc/guest.h), or,
 * as the JOS VMM lab's vmm does, nothing but the segments.  We
 * switch to 32-bit protected mode with flat segments and jump to the
 * kernel's entry as a multiboot loader does, or, when the boot
 * arguments name a Linux zero page, as Linux's 32-bit boot protocol
 * asks (ESI the zero page; EBX, EBP, EDI zero).
 */
#include <inc/guest.h>

// Linux's 32-bit entry wants these two selectors (its __BOOT_CS and
// __BOOT_DS); multiboot kernels take any flat ones.
#define SEG_CODE	0x10
#define SEG_DATA	0x18
#define CR0_PE		0x1

.code16
.globl start
start:
	cli
	cld
	// Whatever CS the monitor chose, data segments start at 0, so the
	// absolute addresses this file is linked at are right.
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$GUEST_BOOT_GPA, %sp

	lgdt	gdtdesc
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmp	$SEG_CODE, $start32

.code32
start32:
	movw	$SEG_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$GUEST_BOOT_GPA, %esp

	// A loader that left no boot arguments (the JOS VMM lab's vmm maps
	// only the kernel's segments and this code) gets the lab's
	// convention: the kernel's entry is its first byte, at
	// GUEST_KERN_GPA (kern/kernel.ld puts entry.S there), and the
	// untouched page reads as an information block with no flags.
	movl	GUEST_BOOTARGS_GPA + GBA_ENTRY, %ecx
	testl	%ecx, %ecx
	jnz	1f
	movl	$GUEST_KERN_GPA, %ecx
1:	movl	GUEST_BOOTARGS_GPA + GBA_ZERO_PAGE, %esi
	testl	%esi, %esi
	jz	2f
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	jmp	*%ecx
2:	movl	$MB_MAGIC, %eax
	movl	$(GUEST_BOOTARGS_GPA + GBA_MBINFO), %ebx
	jmp	*%ecx

	.p2align 3
gdt:
	.quad	0			// null
	.quad	0			// unused
	.quad	0x00cf9a000000ffff	// SEG_CODE: 32-bit code, 4 GiB
	.quad	0x00cf92000000ffff	// SEG_DATA: data, 4 GiB
gdtdesc:
	.word	gdtdesc - gdt - 1
	.long	gdt
