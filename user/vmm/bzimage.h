/*
 * The setup header of a Linux bzImage (the x86 boot protocol, Linux's
 * Documentation/x86/boot.rst), parsed and checked before anything is
 * loaded.  Pure: no system calls, no library calls, so that the
 * user-level vmm and host-side tests build the same file.
 */
#ifndef JOS_USER_BZIMAGE_H
#define JOS_USER_BZIMAGE_H

#if __STDC_HOSTED__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#else
#include <inc/types.h>
#endif

// Offsets in the file (the real-mode header is at 0x1F1 of sector 0).
#define BZ_SETUP_SECTS		0x1F1	// u8: 512-byte setup sectors after the boot sector; 0 means 4
#define BZ_SYSSIZE		0x1F4	// u32: protected-mode code in 16-byte units
#define BZ_BOOT_FLAG		0x1FE	// u16: 0xAA55
#define BZ_JUMP			0x200	// the jump whose second byte ends the header
#define BZ_HEADER		0x202	// u32: "HdrS"
#define BZ_VERSION		0x206	// u16: protocol, major << 8 | minor
#define BZ_LOADFLAGS		0x211	// u8
#define BZ_CODE32_START		0x214	// u32: 32-bit entry
#define BZ_INITRD_ADDR_MAX	0x22C	// u32: highest byte an initrd may use
#define BZ_KERNEL_ALIGNMENT	0x230	// u32
#define BZ_RELOCATABLE		0x234	// u8
#define BZ_XLOADFLAGS		0x236	// u16
#define BZ_CMDLINE_SIZE		0x238	// u32: longest command line, without its NUL
#define BZ_PAYLOAD_OFFSET	0x248	// u32: from the protected-mode code
#define BZ_PAYLOAD_LENGTH	0x24C	// u32
#define BZ_PREF_ADDRESS		0x258	// u64
#define BZ_INIT_SIZE		0x260	// u32: memory the kernel needs from its load address
#define BZ_HEADER_MIN_END	0x264	// every field above lies below this

#define BZ_HDRS_MAGIC		0x53726448	// "HdrS", little-endian
#define BZ_MIN_VERSION		0x020C		// 2.12: xloadflags, 64-bit entry
#define BZ_MAX_SETUP_SECTS	63		// real-mode code within 32 KiB

#define BZ_LOADED_HIGH		0x01	// loadflags: the kernel goes at 1 MiB and up
#define BZ_XLF_KERNEL_64	0x01	// xloadflags: a 64-bit entry 0x200 past the start

enum bzimage_error {
	BZ_OK = 0,
	BZ_TOO_SHORT,		// shorter than the setup header
	BZ_NO_BOOT_FLAG,	// no 0xAA55 at 0x1FE
	BZ_NO_HDRS,		// no "HdrS": not a bzImage (or older than protocol 2.0)
	BZ_OLD_PROTOCOL,	// protocol older than 2.12
	BZ_HEADER_CUT,		// the header's own end (0x202 + byte 0x201) is short or past the file
	BZ_BAD_SETUP_SECTS,	// setup_sects over 63, or the setup runs to the end of the file
	BZ_NOT_LOADED_HIGH,	// loadflags without LOADED_HIGH: a zImage, loaded below 1 MiB
	BZ_TRUNCATED,		// syssize says more protected-mode code than the file holds
	BZ_BAD_PAYLOAD,		// payload_offset/length outside the protected-mode code
	BZ_BAD_ALIGNMENT,	// kernel_alignment not a power of two (or below 4 KiB)
	BZ_INIT_SIZE_SMALL,	// init_size smaller than the protected-mode code
	BZ_NOT_RELOCATABLE,	// not relocatable, and pref_address + init_size outside guest memory
	BZ_NO_ROOM,		// relocatable, but no aligned place in guest memory holds init_size
	BZ_NO_CMDLINE,		// cmdline_size is 0
	BZ_NERRORS
};

struct bzimage {
	uint16_t version;		// protocol, e.g. 0x020F for 2.15
	uint8_t setup_sects;		// as the header says (0 means 4)
	uint32_t header_end;		// end of the setup header: 0x202 + byte 0x201
	uint32_t kernel_offset;		// protected-mode code in the file: (setup_sects + 1) * 512
	uint32_t kernel_size;		// its bytes, to the end of the file
	uint32_t syssize_bytes;		// what syssize says it is
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t code32_start;
	uint32_t kernel_alignment;
	bool relocatable;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint32_t payload_offset, payload_length;
	const char *payload_format;	// "gzip", "lz4", ... or "unknown"
	uint64_t load_address;		// where to put the kernel in this guest's memory
};

/*
 * Parse and check the bzImage of len bytes at image for a guest with
 * guest_mem bytes of memory (from guest-physical 0).  Fills *bz (as far
 * as it got, on an error too) and returns BZ_OK or the first reason the
 * image cannot be loaded.
 */
enum bzimage_error bzimage_parse(const void *image, size_t len, uint64_t guest_mem,
				 struct bzimage *bz);

/* Read n bytes at off of the file into buf: 0, or negative past its end. */
typedef int (*bzimage_read_fn)(void *arg, uint64_t off, void *buf, uint32_t n);

/*
 * The same for a file of len bytes read through read(arg, ...): only
 * its setup header and the payload's first bytes are read.
 */
enum bzimage_error bzimage_parse_read(bzimage_read_fn read, void *arg, uint64_t len,
				      uint64_t guest_mem, struct bzimage *bz);

/* The reason an error code stands for, as one short phrase. */
const char *bzimage_error_text(enum bzimage_error err);

#endif
