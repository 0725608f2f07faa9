/*
 * Trap entry points.  Each vector's stub makes the stack look the same
 * (an error code, real or zero, then the trap number) and jumps to
 * alltraps, which saves the rest of a struct Trapframe and calls trap().
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <inc/trap.h>

/* A vector for which the CPU pushes an error code. */
#define TRAP_WITH_ERR(name, num)	\
	.globl name;			\
	.type name, @function;		\
	.p2align 4;			\
name:					\
	pushq	$(num);			\
	jmp	alltraps

/* A vector without an error code: push a zero in its place. */
#define TRAP_NO_ERR(name, num)		\
	.globl name;			\
	.type name, @function;		\
	.p2align 4;			\
name:					\
	pushq	$0;			\
	pushq	$(num);			\
	jmp	alltraps

.text
TRAP_NO_ERR(trap_divide, T_DIVIDE)
TRAP_NO_ERR(trap_debug, T_DEBUG)
TRAP_NO_ERR(trap_nmi, T_NMI)
TRAP_NO_ERR(trap_brkpt, T_BRKPT)
TRAP_NO_ERR(trap_oflow, T_OFLOW)
TRAP_NO_ERR(trap_bound, T_BOUND)
TRAP_NO_ERR(trap_illop, T_ILLOP)
TRAP_NO_ERR(trap_device, T_DEVICE)
TRAP_WITH_ERR(trap_dblflt, T_DBLFLT)
TRAP_NO_ERR(trap_coproc, 9)
TRAP_WITH_ERR(trap_tss, T_TSS)
TRAP_WITH_ERR(trap_segnp, T_SEGNP)
TRAP_WITH_ERR(trap_stack, T_STACK)
TRAP_WITH_ERR(trap_gpflt, T_GPFLT)
TRAP_WITH_ERR(trap_pgflt, T_PGFLT)
TRAP_NO_ERR(trap_res, 15)
TRAP_NO_ERR(trap_fperr, T_FPERR)
TRAP_WITH_ERR(trap_align, T_ALIGN)
TRAP_NO_ERR(trap_mchk, T_MCHK)
TRAP_NO_ERR(trap_simderr, T_SIMDERR)
TRAP_NO_ERR(trap_syscall, T_SYSCALL)

TRAP_NO_ERR(irq_0, IRQ_OFFSET + 0)
TRAP_NO_ERR(irq_1, IRQ_OFFSET + 1)
TRAP_NO_ERR(irq_2, IRQ_OFFSET + 2)
TRAP_NO_ERR(irq_3, IRQ_OFFSET + 3)
TRAP_NO_ERR(irq_4, IRQ_OFFSET + 4)
TRAP_NO_ERR(irq_5, IRQ_OFFSET + 5)
TRAP_NO_ERR(irq_6, IRQ_OFFSET + 6)
TRAP_NO_ERR(irq_7, IRQ_OFFSET + 7)
TRAP_NO_ERR(irq_8, IRQ_OFFSET + 8)
TRAP_NO_ERR(irq_9, IRQ_OFFSET + 9)
TRAP_NO_ERR(irq_10, IRQ_OFFSET + 10)
TRAP_NO_ERR(irq_11, IRQ_OFFSET + 11)
TRAP_NO_ERR(irq_12, IRQ_OFFSET + 12)
TRAP_NO_ERR(irq_13, IRQ_OFFSET + 13)
TRAP_NO_ERR(irq_14, IRQ_OFFSET + 14)
TRAP_NO_ERR(irq_15, IRQ_OFFSET + 15)
TRAP_NO_ERR(irq_error, IRQ_OFFSET + IRQ_ERROR)

/* Table of the IRQ stubs, indexed by IRQ number, for trap_init. */
.section .rodata
.p2align 3
.globl irq_entries
irq_entries:
	.quad irq_0, irq_1, irq_2, irq_3, irq_4, irq_5, irq_6, irq_7
	.quad irq_8, irq_9, irq_10, irq_11, irq_12, irq_13, irq_14, irq_15

.text
/*
 * Below the trap number: ds and es (each in an 8-byte slot), then the
 * general registers, rax first, so that %rsp points at a Trapframe.
 */
.globl alltraps
.type alltraps, @function
alltraps:
	subq	$16, %rsp
	movq	$0, (%rsp)
	movq	$0, 8(%rsp)
	movw	%ds, 8(%rsp)
	movw	%es, (%rsp)
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rbp
	pushq	%rdi
	pushq	%rsi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movq	%rsp, %rdi
	xorq	%rbp, %rbp		# the backtrace stops at the trap
	movabsq	$trap, %rax
	call	*%rax
1:	hlt				# trap() does not return
	jmp	1b

/*
 * env_pop_tf(tf): restore the registers in tf and return to where it
 * says with iretq.  Does not return.
 */
.globl env_pop_tf
.type env_pop_tf, @function
env_pop_tf:
	movq	%rdi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rsi
	popq	%rdi
	popq	%rbp
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	movw	(%rsp), %es
	movw	8(%rsp), %ds
	addq	$32, %rsp		# es, ds, trapno, err
	iretq
