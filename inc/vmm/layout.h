/*
 * The guest-physical layout the monitor, the user-level vmm and the
 * JOS guest agree on.  Plain numbers (no casts): assembly and the tiny
 * test guests' code strings use them too.
 */
#ifndef JOS_INC_VMM_LAYOUT_H
#define JOS_INC_VMM_LAYOUT_H

#define GUEST_BOOT_GPA		0x7000		// guest boot sector; guest starts here in real mode
#define GUEST_KERN_GPA		0x100000	// guest kernel load address (its ELF p_pa)
#define GUEST_MEM_SZ		(64 * 1024 * 1024)	// default guest memory size
#define GUEST_MEM_MAX		(1024 * 1024 * 1024)	// largest size sys_env_mkguest accepts
#define GUEST_LOW_MEM_END	0x9fc00		// usable low memory ends here (e820)
#define GUEST_BIOS_HOLE		0xa0000		// 0xa0000..0x100000 reserved
#define GUEST_HIGH_MEM		0x100000	// memory above the hole starts here

#endif
