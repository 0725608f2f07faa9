/*
 * Kernel entry.  The boot sector jumps here in 32-bit protected mode with
 * paging off, the multiboot magic in EAX and the information block in EBX.
 * We check for long mode, build boot page tables that map the first GiB
 * of physical memory at 0 and (nearly) 4 GiB at KERNBASE with 2 MiB pages,
 * turn on PAE, long mode, no-execute and paging, and continue in 64-bit
 * code at the kernel's linked address.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <kern/longmode.h>

#define RELOC(x)	((x) - KERNBASE)
#define BOOT_PDS	4	// page directories for the KERNBASE window
#define KERN_PD_FIRST	((KERNBASE >> PDXSHIFT) & 0x1FF)	// 32

.globl _start
.set _start, RELOC(entry)

.text
.code32
.globl entry
entry:
	movl	%eax, %edi		# multiboot magic, kept for i386_init
	movl	%ebx, %esi		# multiboot information block

	# Long mode needs CPUID leaf 0x80000001, EDX bit 29.
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode

	# PML4[0] -> low PDPT -> one PD: identity map of the first GiB, so
	# that this code keeps running right after paging is on.
	movl	$RELOC(boot_pdpt_low), %eax
	orl	$(PTE_P|PTE_W), %eax
	movl	%eax, RELOC(boot_pml4)
	movl	$RELOC(boot_pd_low), %eax
	orl	$(PTE_P|PTE_W), %eax
	movl	%eax, RELOC(boot_pdpt_low)
	movl	$RELOC(boot_pd_low), %ebx
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$PDXSHIFT, %eax
	orl	$(PTE_P|PTE_W|PTE_PS), %eax
	movl	%eax, (%ebx,%ecx,8)
	incl	%ecx
	cmpl	$NPDENTRIES, %ecx
	jb	1b

	# PML4[PML4(KERNBASE)] -> high PDPT -> BOOT_PDS consecutive PDs.
	# KERNBASE is 64 MiB into its PDPT slot, so entry KERN_PD_FIRST + i
	# of the joined PD array maps physical i * 2 MiB.
	movl	$RELOC(boot_pdpt_high), %eax
	orl	$(PTE_P|PTE_W), %eax
	movl	%eax, RELOC(boot_pml4) + 8 * ((KERNBASE >> PML4SHIFT) & 0x1FF)
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$PGSHIFT, %eax
	addl	$RELOC(boot_pd_high), %eax
	orl	$(PTE_P|PTE_W), %eax
	movl	%eax, RELOC(boot_pdpt_high)(,%ecx,8)
	incl	%ecx
	cmpl	$BOOT_PDS, %ecx
	jb	2b
	movl	$RELOC(boot_pd_high), %ebx
	xorl	%ecx, %ecx
3:	movl	%ecx, %eax		# eax:edx = i * 2 MiB, may pass 4 GiB
	xorl	%edx, %edx
	shldl	$PDXSHIFT, %eax, %edx
	shll	$PDXSHIFT, %eax
	orl	$(PTE_P|PTE_W|PTE_PS), %eax
	movl	%eax, 8*KERN_PD_FIRST(%ebx,%ecx,8)
	movl	%edx, 8*KERN_PD_FIRST+4(%ebx,%ecx,8)
	incl	%ecx
	cmpl	$(BOOT_PDS * NPDENTRIES - KERN_PD_FIRST), %ecx
	jb	3b

	ENTER_LONG_MODE

	lgdt	RELOC(boot_gdtdesc)
	ljmp	$GD_KT, $RELOC(entry64_low)

no_long_mode:
	# Say so on the serial port and the screen, then stop.
	movl	$RELOC(no_long_mode_msg), %esi
	movl	$0xB8000, %edi
	movw	$0x3F8, %dx
4:	lodsb
	testb	%al, %al
	jz	5f
	outb	%al, %dx
	movb	$0x4F, %ah
	stosw
	jmp	4b
5:	hlt
	jmp	5b

.code64
entry64_low:
	# Now in long mode, still at the physical address; jump high.
	movabsq	$entry64_high, %rax
	jmp	*%rax
entry64_high:
	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movabsq	$bootstacktop, %rsp
	xorq	%rbp, %rbp		# ends the backtrace's frame chain
	movl	%edi, %edi		# zero-extend magic and info pointer
	movl	%esi, %esi
	movabsq	$i386_init, %rax
	call	*%rax
6:	hlt				# i386_init does not return
	jmp	6b

.data
no_long_mode_msg:
	.asciz	"This CPU has no long mode (x86-64); JOS cannot run."

	.p2align 3
boot_gdt:
	.quad	0			# null
	.quad	0x00209a0000000000	# GD_KT: 64-bit code, ring 0
	.quad	0x0000920000000000	# GD_KD: data, ring 0
boot_gdtdesc:
	.word	boot_gdtdesc - boot_gdt - 1
	.long	RELOC(boot_gdt)

/*
 * The boot page tables and CPU 0's kernel stack.  In .bss: the boot
 * sector zeroes it, and the kernel never frees these pages.
 */
.bss
	.p2align PGSHIFT
.globl boot_pml4
boot_pml4:
	.space	PGSIZE
boot_pdpt_low:
	.space	PGSIZE
boot_pd_low:
	.space	PGSIZE
boot_pdpt_high:
	.space	PGSIZE
boot_pd_high:
	.space	BOOT_PDS * PGSIZE
.globl bootstack
bootstack:
	.space	KSTKSIZE
.globl bootstacktop
bootstacktop:
