/*
 * Entry point of every user program, and the absolute symbols through
 * which programs see the kernel's read-only tables and their own page
 * tables.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

	.data
/* envs[], pages[] and the recursive page-table windows. */
	.globl envs
	.set envs, UENVS
	.globl pages
	.set pages, UPAGES
	.globl uvpt
	.set uvpt, UVPT
	.globl uvpd
	.set uvpd, (UVPT + (UVPT >> 9))
	.globl uvpde
	.set uvpde, (uvpd + (UVPT >> 18))
	.globl uvpml4e
	.set uvpml4e, (uvpde + (UVPT >> 27))

/*
 * _start: the kernel starts a fresh env with %rsp = USTACKTOP and nothing
 * on the stack; spawn puts argc at (%rsp) and argv at 8(%rsp).  Either
 * way, call libmain(argc, argv), which never returns.
 */
	.text
	.globl _start
_start:
	movabs	$USTACKTOP, %rax
	cmpq	%rax, %rsp
	jne	1f
	pushq	$0		// argv
	pushq	$0		// argc
1:
	movq	(%rsp), %rdi
	movq	8(%rsp), %rsi
	xorl	%ebp, %ebp	// the end of the frame-pointer chain
	andq	$-16, %rsp	// the ABI wants a 16-byte aligned stack at a call
	call	libmain
2:	jmp	2b
