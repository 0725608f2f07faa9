/*
 * How the user-level vmm hands a guest kernel over to the guest boot
 * code (boot/guestboot.S, the file /vmm/boot), which the monitor enters
 * in real mode at GUEST_BOOT_GPA.  There is no BIOS and no disk in the
 * guest: vmm maps the kernel's segments at their physical addresses
 * itself, the boot code at GUEST_BOOT_GPA, and a page of boot arguments
 * at GUEST_BOOTARGS_GPA:
 *
 *   + GBA_ENTRY    uint32_t: the kernel's entry point (its ELF e_entry)
 *   + GBA_ZERO_PAGE  uint32_t: 0, or a Linux kernel's zero page (below)
 *   + GBA_MBINFO   struct multiboot_info, flags MB_FLAG_CMDLINE
 *   + GBA_CMDLINE  the kernel's command line, NUL-terminated
 *
 * The boot code enters the kernel in 32-bit protected mode, paging off,
 * with EAX = MB_MAGIC and EBX = GUEST_BOOTARGS_GPA + GBA_MBINFO, as a
 * multiboot loader would.  With a zero page named, it enters a Linux
 * kernel instead as Linux's 32-bit boot protocol says: ESI the zero
 * page, EAX, EBX, EBP and EDI zero, selectors 0x10 (code) and 0x18
 * (data).  The JOS kernel then asks the monitor for its
 * memory map (hypercall HC_MBMAP) in the page at GUEST_MBMAP_GPA.
 */
#ifndef JOS_INC_GUEST_H
#define JOS_INC_GUEST_H

#include <inc/vmx.h>
#include <inc/vmm/multiboot.h>

#define GUEST_BOOT_MAX		512	// bytes of boot code at GUEST_BOOT_GPA
#define GUEST_BOOTARGS_GPA	0x8000
#define GBA_ENTRY		0x0
#define GBA_ZERO_PAGE		0x4
#define GBA_MBINFO		0x10
#define GBA_CMDLINE		0x100
#define GBA_CMDLINE_MAX		64	// with the NUL, like the host's boot sector area

#define GUEST_MBMAP_GPA		0x6000	// the page the guest kernel has the monitor fill

#endif
