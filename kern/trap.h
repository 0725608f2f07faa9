/* Traps, interrupts and system call entry. */
#ifndef JOS_KERN_TRAP_H
#define JOS_KERN_TRAP_H

#include <inc/trap.h>
#include <inc/mmu.h>

extern struct Gatedesc idt[];
extern struct Pseudodesc idt_pd;

void trap_init(void);
// Load this CPU's GDT, TSS and IDT (kern/gdt.c).
void percpu_init(void);
void print_regs(struct PushRegs *regs);
void print_trapframe(struct Trapframe *tf);
void page_fault_handler(struct Trapframe *tf);
void trap(struct Trapframe *tf) __attribute__((noreturn));

#endif
