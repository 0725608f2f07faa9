/*
 * Multiboot v1 kernels for vmm (user/vmm/multiboot.c): the pure part,
 * also built for the host (vmm/test/multiboot_test.c).  mb_parse reads
 * a kernel file's multiboot header and says where its bytes go in the
 * guest; mb_build_info writes the information block the kernel gets in
 * EBX.  Neither touches anything but its arguments.
 */
#ifndef JOS_USER_VMM_MULTIBOOT_H
#define JOS_USER_VMM_MULTIBOOT_H

#include <inc/types.h>

#define MBH_MAGIC	0x1BADB002	// in the kernel's header
#define MBH_SEARCH	8192		// the header lies in the file's first 8 KiB
#define MBH_PAGE_ALIGN	(1 << 0)	// modules on page boundaries
#define MBH_MEMINFO	(1 << 1)	// wants mem_lower/mem_upper and the map
#define MBH_VIDEO	(1 << 2)	// wants a video mode (answered: text)
#define MBH_AOUT	(1 << 16)	// the header gives the load addresses
#define MBH_KNOWN	(MBH_PAGE_ALIGN | MBH_MEMINFO | MBH_VIDEO)

#define MB_LOW_LIMIT	0x100000	// segments load at or above 1 MiB
#define MB_MAX_SEGS	16
#define MB_MAX_MODS	8

// Information block flags (what mb_build_info fills).
#define MBI_MEM		(1 << 0)
#define MBI_CMDLINE	(1 << 2)
#define MBI_MODS	(1 << 3)
#define MBI_MMAP	(1 << 6)
#define MBI_LOADER	(1 << 9)
#define MBI_FRAMEBUF	(1 << 12)

/* One piece of the kernel file to place in guest memory. */
struct mb_segment {
	uint64_t	offset;		// in the file
	uint64_t	filesz;		// bytes from the file
	uint64_t	paddr;		// guest-physical address
	uint64_t	memsz;		// bytes in memory (the rest zeros)
};

/* What mb_parse found. */
struct mb_kernel {
	uint32_t		header_offset;	// of the multiboot header in the file
	uint32_t		flags;		// the header's flags
	uint32_t		entry;		// where the kernel starts
	bool			aout;		// loaded by the header's addresses
	int			elf_class;	// 32 or 64 when loaded as ELF
	int			nsegs;
	struct mb_segment	seg[MB_MAX_SEGS];
	uint64_t		end;		// first byte above the image
};

/* Read n bytes at off of the file into buf: 0, or negative past its end. */
typedef int (*mb_read_fn)(void *arg, uint64_t off, void *buf, uint32_t n);

int	mb_parse(mb_read_fn read, void *arg, uint64_t file_size, uint64_t mem_size,
		 struct mb_kernel *k, const char **why);

/* A module: its guest-physical place and its string. */
struct mb_module {
	uint32_t	start, end;
	const char	*string;
};

/* What goes into the information block. */
struct mb_boot {
	uint64_t		mem_size;	// guest memory, bytes
	const char		*cmdline;
	const char		*loader_name;
	int			nmods;
	const struct mb_module	*mods;
};

int	mb_build_info(uint8_t *buf, uint32_t len, uint32_t gpa, const struct mb_boot *b,
		      const char **why);

#endif
