/*
 * The guest monitor's interface for user programs: the contracts in
 * inc/vmm/ (hypercalls, guest-physical layout, CPUID, guest_info),
 * extended-page-table permissions for sys_ept_map, the guest console
 * (the tiny test guests: inc/vmm/tinyguest.h).
 */
#ifndef JOS_INC_VMX_H
#define JOS_INC_VMX_H

#include <inc/vmm/hypercall.h>
#include <inc/vmm/layout.h>
#include <inc/vmm/cpuid.h>
#ifndef __ASSEMBLER__
#include <inc/vmm/guest_info.h>
#endif

// The hypercall numbers under their first names, for code not yet
// moved to inc/vmm/hypercall.h.
#define VMX_VMCALL_MBMAP	HC_MBMAP
#define VMX_VMCALL_IPCSEND	HC_IPCSEND
#define VMX_VMCALL_IPCRECV	HC_IPCRECV
#define VMX_VMCALL_POWEROFF	HC_POWEROFF
#define VMX_VMCALL_CONSWRITE	HC_CONSWRITE
#define VMX_VMCALL_TSC_HZ	HC_TSC_HZ
#define VMX_CONSWRITE_MAX	HC_CONSWRITE_MAX

// Extended page table permissions: inc/ept.h.
#include <inc/ept.h>

// The guest's console: the monitor emulates COM1 (0x3F8-0x3FF) for it,
// and HC_CONSWRITE prints many bytes in one exit; what a guest prints
// either way appears on the host console as it is, on lines of its own,
// after a line "--- guest ENVID ---" whenever the host ("--- host ---")
// or another guest printed last (kern/cons_pc.c).  Host console input
// goes to the guest that holds the console (the newest guest, or one
// chosen with sys_guest_focus); typing GUEST_CONS_ESCAPE (Ctrl-]) gives
// the console back to the host.
#define GUEST_CONS_ESCAPE	0x1D
// The monitor injects no interrupts.  HLT waits for the one event it
// delivers, typed input for this guest: the guest sleeps (no exits, no
// CPU) until some arrives, then goes on after its HLT and polls COM1.

#endif
