/*
 * mbtest's entry: the multiboot v1 header (page-aligned modules and
 * memory information wanted, ELF addresses), a stack, the stubs its
 * IDT points at for the PIC's vectors 0x20-0x2F, and the fpu mode's
 * #UD and #GP stubs.
 */
#define MBH_MAGIC	0x1BADB002
#define MBH_FLAGS	0x3

.text
.p2align 2
mb_header:
	.long	MBH_MAGIC
	.long	MBH_FLAGS
	.long	-(MBH_MAGIC + MBH_FLAGS)

.globl _start
_start:
	movl	$stack_top, %esp
	pushl	%ebx			// the information block
	pushl	%eax			// the magic
	call	mbmain
1:	cli
	hlt
	jmp	1b

// One stub per PIC vector: irq_handler(irq) with every register saved.
.macro irqstub n
.globl irq\n
irq\n:
	pushal
	pushl	$\n
	call	irq_handler
	addl	$4, %esp
	popal
	iret
.endm
irqstub 0
irqstub 1
irqstub 2
irqstub 3
irqstub 4
irqstub 5
irqstub 6
irqstub 7
irqstub 8
irqstub 9
irqstub 10
irqstub 11
irqstub 12
irqstub 13
irqstub 14
irqstub 15

// #UD and #GP of a 3-byte instruction that the fpu mode expects to
// fault (XSETBV, MOV to CR4 from EAX): count it, go on after it.
.globl fault_ud_stub
fault_ud_stub:
	incl	fault_ud
	addl	$3, (%esp)
	iret

.globl fault_gp_stub
fault_gp_stub:
	addl	$4, %esp		// the error code
	incl	fault_gp
	addl	$3, (%esp)
	iret

.bss
.p2align 4
	.space	8192
stack_top:
