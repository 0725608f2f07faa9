/*
 * _pgfault_upcall: where the kernel sends a user page fault.
 *
 * The kernel switches to the exception stack (or, for a fault inside the
 * handler, further down the same stack, leaving one empty 8-byte word
 * between the new frame and the old stack), pushes a struct UTrapframe
 * and jumps here with %rsp pointing at it:
 *
 *	  0  utf_fault_va
 *	  8  utf_err
 *	 16  utf_regs (r15 ... rax, 15 words)
 *	136  utf_rip
 *	144  utf_eflags
 *	152  utf_rsp
 *
 * We call the C handler, then resume the faulting code with every register
 * as it was.  The trap-time %rip is first stored just below the trap-time
 * %rsp (in the empty word, for a nested fault), so that after the
 * registers, flags and stack pointer are back a plain `ret` finishes.
 */

#define UTF_RIP		136
#define UTF_RSP		152

	.text
	.globl _pgfault_upcall
_pgfault_upcall:
	movq	%rsp, %rdi		// argument: the UTrapframe
	movq	%rsp, %r12		// callee-saved: survives the call
	andq	$-16, %rsp		// the ABI's alignment for calls
	call	*_pgfault_handler(%rip)
	movq	%r12, %rsp

	// Push the trap-time rip onto the trap-time stack.
	movq	UTF_RIP(%rsp), %rax
	movq	UTF_RSP(%rsp), %rbx
	subq	$8, %rbx
	movq	%rax, (%rbx)
	movq	%rbx, UTF_RSP(%rsp)

	// Restore the general registers.
	addq	$16, %rsp		// skip utf_fault_va and utf_err
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

	// Skip utf_rip, then restore rflags; nothing after this may change
	// the flags (lea, pop and ret do not).
	leaq	8(%rsp), %rsp
	popfq

	// Switch to the trap-time stack, now topped by the saved rip.
	popq	%rsp
	ret
