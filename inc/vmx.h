/*
 * The guest monitor's interface shared by the kernel, the user-level
 * vmm program and the guest kernel: hypercall numbers, guest memory
 * layout and extended-page-table permissions for sys_ept_map.
 */
#ifndef JOS_INC_VMX_H
#define JOS_INC_VMX_H

#ifndef __ASSEMBLER__
#include <inc/types.h>
#endif

// Hypercalls: the number in RAX, arguments in RBX, RCX, RDX, RSI;
// the result comes back in RAX (negative E_* on error).
#define VMX_VMCALL_MBMAP	0x1	// RBX: guest-physical page for a multiboot block + e820 map
#define VMX_VMCALL_IPCSEND	0x2	// RBX: dest env type, RCX: value, RDX: gpa of page, RSI: perm
#define VMX_VMCALL_IPCRECV	0x3	// RBX: gpa to receive a page at; value back in RSI,
					// sender's env id in RDX, page perm in RCX
#define VMX_VMCALL_POWEROFF	0x4	// no arguments: the guest ends (never returns)
#define VMX_VMCALL_CONSWRITE	0x5	// RBX: gpa of bytes, RCX: length (at most
					// VMX_CONSWRITE_MAX, inside guest memory, may
					// cross pages); printed like COM1 output;
					// RAX: bytes written or -E_INVAL
#define VMX_VMCALL_TSC_HZ	0x6	// no arguments: RAX = the host's TSC rate in Hz
#define VMX_CONSWRITE_MAX	4096
// For IPCSEND and IPCRECV, a guest-physical address at or beyond the
// guest's memory size means "no page"; one inside it must be
// page-aligned and outside the BIOS hole [GUEST_LOW_MEM_END, 1 MiB).

// Extended page table permissions: inc/ept.h.
#include <inc/ept.h>

// Guest-physical layout the monitor and the guest agree on.
#define GUEST_BOOT_GPA		0x7000		// guest boot sector; guest starts here in real mode
#define GUEST_KERN_GPA		0x100000	// guest kernel load address (its ELF p_pa)
#define GUEST_MEM_SZ		(64 * 1024 * 1024)	// default guest memory size
#define GUEST_MEM_MAX		(1024 * 1024 * 1024)	// largest size sys_env_mkguest accepts
#define GUEST_LOW_MEM_END	0x9fc00		// usable low memory ends here (e820)
#define GUEST_BIOS_HOLE		0xa0000		// 0xa0000..0x100000 reserved

// The guest's console: the monitor emulates COM1 (0x3F8-0x3FF) for it,
// and VMX_VMCALL_CONSWRITE prints many bytes in one exit; each line a
// guest prints either way appears on the host console after this prefix.
// Host console input goes to the guest that holds the console (the
// newest guest, or one chosen with sys_guest_focus); typing
// GUEST_CONS_ESCAPE (Ctrl-]) gives the console back to the host.
#define GUEST_CONS_PREFIX	"[guest %08x] "
#define GUEST_CONS_ESCAPE	0x1D
// The monitor injects no interrupts.  HLT waits for the one event it
// delivers, typed input for this guest: the guest sleeps (no exits, no
// CPU) until some arrives, then goes on after its HLT and polls COM1.

// CPUID inside a guest: leaf 1 has ECX.VMX clear and ECX bit 31 set
// ("a hypervisor is present"); leaf 0x40000000 answers EAX = the
// highest hypervisor leaf (0x40000000) and the signature in EBX, ECX,
// EDX, so that guest code can tell this monitor from others.
#define VMX_CPUID_HYPERVISOR	(1U << 31)
#define VMX_CPUID_SIGNATURE	0x40000000
#define VMX_SIGNATURE		"JOS VT-x vmm"	// 12 bytes: EBX, ECX, EDX

#ifndef __ASSEMBLER__
#include <inc/x86.h>
#include <inc/string.h>

/* Whether this code runs in a guest of the JOS monitor (CPUID tells). */
static inline bool
in_jos_guest(void)
{
	uint32_t ecx, sig[3];

	cpuid(1, NULL, NULL, &ecx, NULL);
	if (!(ecx & VMX_CPUID_HYPERVISOR))
		return false;
	cpuid(VMX_CPUID_SIGNATURE, NULL, &sig[0], &sig[1], &sig[2]);
	return memcmp(sig, VMX_SIGNATURE, 12) == 0;
}

// What sys_guest_info reports about each guest.
struct guest_info {
	int32_t env_id;
	uint32_t status;		// env_status
	uint64_t mem_size;		// bytes of guest-physical memory
	uint64_t exits;			// VM exits so far
	uint64_t cycles;		// TSC ticks since its first entry
	uint64_t cycles_in_guest;	// of which inside the guest
	uint64_t io_refused;		// port accesses refused
	uint32_t has_console;		// 1 if it holds the console input
	uint32_t halted;		// 1 if it sleeps in HLT until input
	uint32_t had_console;		// 1 if it holds the console or held it last
	uint32_t pad;
	uint64_t run_ms;		// milliseconds since its first entry
	uint64_t in_guest_ms;		// of which inside the guest
};
#endif

// Tiny real-mode test guests (lib/tinyguest.c): their code is staged
// at TINYGUEST_CODE_VA and runs at GUEST_BOOT_GPA; the page at
// TINYGUEST_SHARED_VA is the guest's page at TINYGUEST_SHARED_GPA.
#define TINYGUEST_MEM		(4 * 1024 * 1024)
#define TINYGUEST_CODE_VA	((void *) UTEMP)
#define TINYGUEST_SHARED_VA	((volatile uint8_t *) (UTEMP + PGSIZE))
#define TINYGUEST_SHARED_GPA	0x8000

#endif
