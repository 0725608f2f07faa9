/*
 * The guest debugger (vmm/gdb/stub.c): gdb's remote protocol for one
 * guest at a time over the host's COM2, called by the run loop.
 */
#ifndef JOS_VMM_GDB_STUB_H
#define JOS_VMM_GDB_STUB_H

#include <inc/types.h>
#include <vmm/vm.h>

int	gdb_attach(envid_t id, int flags);
enum vm_action gdb_before_entry(struct vm *vm, struct Trapframe *tf);
enum vm_action gdb_exit(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x);

#endif
