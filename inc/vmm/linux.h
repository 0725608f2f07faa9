/*
 * The Linux x86 boot protocol's zero page (struct boot_params, Linux's
 * Documentation/x86/boot.rst and zero-page.rst), as byte offsets: the
 * user-level vmm fills one for a bzImage guest (user/vmm/linuxboot.c)
 * and the guest boot code hands its address over in ESI.  Offsets, not
 * a struct, so that the pure loader and the host tests write exactly
 * these bytes with no packing rules in between.
 */
#ifndef JOS_INC_VMM_LINUX_H
#define JOS_INC_VMM_LINUX_H

#define LX_ZP_SIZE		4096
#define LX_ZP_EXT_RAMDISK_IMAGE	0x0C0	// u32: bits 32-63 of ramdisk_image
#define LX_ZP_EXT_RAMDISK_SIZE	0x0C4	// u32: bits 32-63 of ramdisk_size
#define LX_ZP_EXT_CMD_LINE_PTR	0x0C8	// u32: bits 32-63 of cmd_line_ptr
#define LX_ZP_E820_ENTRIES	0x1E8	// u8: entries in the table at LX_ZP_E820_TABLE
#define LX_ZP_SENTINEL		0x1EF	// u8: nonzero tells Linux the page was not cleared
#define LX_ZP_SETUP_HEADER	0x1F1	// the setup header, copied from the file's 0x1F1
#define LX_ZP_TYPE_OF_LOADER	0x210	// u8
#define LX_ZP_LOADFLAGS		0x211	// u8
#define LX_ZP_CODE32_START	0x214	// u32
#define LX_ZP_RAMDISK_IMAGE	0x218	// u32
#define LX_ZP_RAMDISK_SIZE	0x21C	// u32
#define LX_ZP_HEAP_END_PTR	0x224	// u16 (real-mode setup only)
#define LX_ZP_CMD_LINE_PTR	0x228	// u32
#define LX_ZP_HARDWARE_SUBARCH	0x23C	// u32: 0 is a PC
#define LX_ZP_SETUP_DATA	0x250	// u64: a list of extra data; 0 for none
#define LX_ZP_E820_TABLE	0x2D0	// 20-byte entries: base u64, length u64, type u32
#define LX_ZP_E820_MAX		128

#define LX_LOADER_UNKNOWN	0xFF	// type_of_loader: a loader without an assigned id
#define LX_LF_CAN_USE_HEAP	0x80	// loadflags: heap_end_ptr is valid

#endif
