/*
 * The paravirtual pieces of the JOS guest kernel (guest/pv_*.c), linked
 * in place of their PC twins in kern/ (see guest/Makefrag).  What they
 * share among themselves only.
 */
#ifndef JOS_GUEST_PV_H
#define JOS_GUEST_PV_H

#include <inc/types.h>

// Hypercall HC_CONSWRITE (guest/pv_console.c): the monitor
// prints the len bytes at guest-physical gpa; returns len, or a
// negative error (nothing printed).
int64_t cons_hypercall_write(uint64_t gpa, uint64_t len);

// Send the guest kernel's held console output if it has waited long
// enough (guest/pv_console.c).
void cons_flush_stale(void);

#endif
