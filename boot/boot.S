/*
 * The BIOS loads this sector at 0x7c00 and jumps here in 16-bit real mode.
 * We collect the e820 memory map into a multiboot information block,
 * open the A20 gate, switch to 32-bit protected mode and call bootmain,
 * which loads the kernel from disk.
 */
#include <boot/boot.h>

.set PROT_CS, 0x8		# code segment selector in our GDT
.set PROT_DS, 0x10		# data segment selector
.set CR0_PE, 0x1
.set SMAP, 0x534d4150		# "SMAP", the e820 signature

.globl start
start:
	.code16
	cli				# (bootmain's insl clears DF)
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$start, %sp

	# e820: each entry goes 4 bytes past a multiboot "size" word.
	xorl	%ebx, %ebx
	movw	$(MB_MMAP + 4), %di
e820_next:
	movl	$0xe820, %eax
	movl	$20, %ecx
	movl	$SMAP, %edx
	int	$0x15
	jc	e820_done
	movl	$20, -4(%di)
	addw	$24, %di
	testl	%ebx, %ebx
	jnz	e820_next
e820_done:
	subw	$(MB_MMAP + 4), %di
	movw	%di, MB_INFO + MB_INFO_MMAP_LENGTH	# mmap_length (upper half is zero)

	# Fast A20 through the system control port.
	inb	$0x92, %al
	orb	$2, %al
	outb	%al, $0x92

	lgdt	gdtdesc
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmp	$PROT_CS, $start32

	.code32
start32:
	movw	$PROT_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	call	bootmain		# does not return

gdt:
	.quad	0			# null descriptor
	.quad	0x00cf9a000000ffff	# code: base 0, limit 4 GiB, execute/read
	.quad	0x00cf92000000ffff	# data: base 0, limit 4 GiB, read/write
gdtdesc:
	.word	gdtdesc - gdt - 1
	.long	gdt
