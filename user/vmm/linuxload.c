/*
 * Loading a Linux bzImage into a guest (vmm --kernel PATH with a file
 * that has "HdrS" at 0x202): the header checked by bzimage.c, the
 * protected-mode kernel copied to its load address, the initrd near
 * the top of memory, the zero page and the command line written by
 * linuxboot.c, and the boot arguments page telling the JOS guest boot
 * code (/vmm/boot) to enter the kernel by Linux's 32-bit protocol.
 */
#include <user/vmm/vmm.h>
#include <user/vmm/linuxboot.h>
#include <inc/vmx.h>
#include <inc/guest.h>
#include <inc/vmm/linux.h>

/* Whether the file open as fd (size bytes) says it is a bzImage ("HdrS" at 0x202). */
bool
lx_is_bzimage(int fd, off_t size)
{
	uint32_t magic;

	return size >= BZ_HEADER + 4 && read_fd(&fd, BZ_HEADER, &magic, 4) == 0
		&& magic == BZ_HDRS_MAGIC;
}

/*
 * Whether the bzImage open as fd (size bytes, named path) can boot in
 * mem_size bytes of guest memory; its header in *bz.  Says why not.
 */
int
lx_check_kernel(const char *path, int fd, off_t size, uint64_t mem_size, struct bzimage *bz)
{
	enum bzimage_error e = bzimage_parse_read(read_fd, &fd, size, mem_size, bz);

	if (e != BZ_OK)
		return refuse(path, bzimage_error_text(e));
	return 0;
}

/* Give guest a page at gpa holding the len bytes at data (len <= PGSIZE). */
static int
map_page_of(envid_t guest, uint64_t gpa, const void *data, size_t len)
{
	int r;

	if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
	memmove(UTEMP, data, len);
	r = sys_ept_map(0, UTEMP, guest, (void *) gpa, __EPTE_FULL);
	sys_page_unmap(0, UTEMP);
	return r;
}

/*
 * Load the bzImage bz (file kfd, named path) into guest, which has
 * mem_size bytes, with the initrd open as ifd (isize bytes, named
 * initrd; ifd < 0 for none) and command line cmdline; where things
 * went in *l.  0, or a negative error after a line saying what failed.
 */
int
lx_load(envid_t guest, uint64_t mem_size, const char *path, int kfd, const struct bzimage *bz,
	const char *initrd, int ifd, off_t isize, const char *cmdline, struct lx_layout *l)
{
	// The header ends at most 0x202 + 255 (the jump's offset byte).
	static uint8_t header[BZ_HEADER + 256], zp[LX_ZP_SIZE];
	uint32_t bootargs[2];
	const char *why;
	int r;

	if (lx_layout(bz, mem_size, ifd >= 0 ? isize : 0, l, &why) < 0)
		return refuse(ifd >= 0 ? initrd : path, why);
	if (read_fd(&kfd, 0, header, bz->header_end) < 0)
		return refuse(path, "cannot read the setup header");
	if (lx_zero_page(zp, header, bz, l, strlen(cmdline), &why) < 0)
		return refuse(path, why);
	if ((r = map_bytes(guest, l->kernel_gpa, bz->kernel_size, kfd, bz->kernel_offset,
			   bz->kernel_size)) < 0) {
		cprintf("vmm: %s: loading the kernel: %e\n", path, r);
		return r;
	}
	if (ifd >= 0 && (r = map_bytes(guest, l->initrd_gpa, isize, ifd, 0, isize)) < 0) {
		cprintf("vmm: %s: loading the initrd: %e\n", initrd, r);
		return r;
	}
	bootargs[0] = l->kernel_gpa;
	bootargs[1] = l->zero_page_gpa;
	static_assert(GBA_ENTRY == 0 && GBA_ZERO_PAGE == 4);
	if ((r = map_page_of(guest, l->zero_page_gpa, zp, sizeof(zp))) < 0
	    || (r = map_page_of(guest, l->cmdline_gpa, cmdline, strlen(cmdline) + 1)) < 0
	    || (r = map_page_of(guest, GUEST_BOOTARGS_GPA, bootargs, sizeof(bootargs))) < 0)
		cprintf("vmm: %s: boot arguments: %e\n", path, r);
	return r;
}
