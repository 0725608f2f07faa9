/*
 * How the user-level vmm hands a guest kernel over to the guest boot
 * code (boot/guestboot.S, the file /vmm/boot), which the monitor enters
 * in real mode at GUEST_BOOT_GPA.  There is no BIOS and no disk in the
 * guest: vmm maps the kernel's segments at their physical addresses
 * itself, the boot code at GUEST_BOOT_GPA, and a page of boot arguments
 * at GUEST_BOOTARGS_GPA:
 *
 *   + GBA_ENTRY    uint32_t: the kernel's entry point (its ELF e_entry)
 *   + GBA_MBINFO   struct multiboot_info, flags MB_FLAG_CMDLINE
 *   + GBA_CMDLINE  the kernel's command line, NUL-terminated
 *
 * The boot code enters the kernel in 32-bit protected mode, paging off,
 * with EAX = MB_MAGIC and EBX = GUEST_BOOTARGS_GPA + GBA_MBINFO, as a
 * multiboot loader would.  The kernel then asks the monitor for its
 * memory map (hypercall HC_MBMAP) in the page at GUEST_MBMAP_GPA.
 */
#ifndef JOS_INC_GUEST_H
#define JOS_INC_GUEST_H

#include <inc/vmx.h>
#include <inc/vmm/multiboot.h>

#define GUEST_BOOT_MAX		512	// bytes of boot code at GUEST_BOOT_GPA
#define GUEST_BOOTARGS_GPA	0x8000
#define GBA_ENTRY		0x0
#define GBA_MBINFO		0x10
#define GBA_CMDLINE		0x100
#define GBA_CMDLINE_MAX		64	// with the NUL, like the host's boot sector area

#define GUEST_MBMAP_GPA		0x6000	// the page the guest kernel has the monitor fill

#endif
