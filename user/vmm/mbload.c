/*
 * Loading a multiboot v1 kernel into a guest (vmm --kernel PATH): the
 * header parsed by multiboot.c, each segment and module copied into
 * guest memory page by page, the information block in the boot
 * arguments page, and the JOS guest boot code (/vmm/boot), which
 * enters the kernel in 32-bit protected mode, flat segments, paging
 * off, EAX 0x2BADB002 and EBX the information block (inc/guest.h).
 */
#include <user/vmm/vmm.h>
#include <user/vmm/multiboot.h>
#include <inc/vmx.h>
#include <inc/guest.h>

#define LOADER_NAME	"JOS vmm"

/* mb_read_fn (and bzimage_read_fn) over a file descriptor. */
int
read_fd(void *arg, uint64_t off, void *buf, uint32_t n)
{
	int fd = *(int *) arg;

	if (seek(fd, off) < 0 || readn(fd, buf, n) != (ssize_t) n)
		return -E_NOT_EXEC;
	return 0;
}

/*
 * Copy filesz bytes of fd at offset to guest-physical paddr (any
 * alignment), zeros up to memsz: each page staged at UTEMP, then given
 * to the guest.  0 or a negative error.
 */
int
map_bytes(envid_t guest, uint64_t paddr, uint64_t memsz, int fd, uint64_t offset,
	  uint64_t filesz)
{
	uint64_t page, lo, hi;
	int r;

	for (page = ROUNDDOWN(paddr, PGSIZE); page < paddr + memsz; page += PGSIZE) {
		if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
			return r;
		lo = MAX(page, paddr);
		hi = MIN(page + PGSIZE, paddr + filesz);
		if (lo < hi && (r = read_fd(&fd, offset + (lo - paddr), UTEMP + (lo - page),
					     hi - lo)) < 0) {
			sys_page_unmap(0, UTEMP);
			return r;
		}
		r = sys_ept_map(0, UTEMP, guest, (void *) page, __EPTE_FULL);
		sys_page_unmap(0, UTEMP);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Say that path is refused and why; -E_NOT_EXEC. */
int
refuse(const char *path, const char *why)
{
	cprintf("vmm: %s: refused: %s\n", path, why);
	return -E_NOT_EXEC;
}

/*
 * Whether the file open as fd (size bytes) is a multiboot kernel that
 * fits a guest of mem_size bytes; its parse in *k.  Says why not.
 */
int
mb_check_kernel(const char *path, int fd, off_t size, uint64_t mem_size, struct mb_kernel *k)
{
	const char *why;

	if (mb_parse(read_fd, &fd, size, mem_size, k, &why) < 0)
		return refuse(path, why);
	return 0;
}

/*
 * Load the multiboot kernel k (file fd, named path) and the nmods
 * modules modpath[] into guest, which has mem_size bytes, with
 * command line cmdline: segments at their addresses, each module on
 * the next page boundary above the image, the information block and
 * the entry in the boot arguments page.  0, or a negative error after
 * a line saying what failed.
 */
int
mb_load(envid_t guest, uint64_t mem_size, const char *path, int fd, const struct mb_kernel *k,
	int nmods, char **modpath, const char *cmdline)
{
	struct mb_module mods[MB_MAX_MODS];
	uint64_t next = ROUNDUP(k->end, PGSIZE);
	struct mb_boot b = { mem_size, cmdline, LOADER_NAME, nmods, mods };
	const char *why;
	off_t msize;
	int r, mfd;

	for (int i = 0; i < k->nsegs; i++) {
		const struct mb_segment *s = &k->seg[i];
		if ((r = map_bytes(guest, s->paddr, s->memsz, fd, s->offset, s->filesz)) < 0) {
			cprintf("vmm: %s: loading a segment: %e\n", path, r);
			return r;
		}
	}
	if (nmods > MB_MAX_MODS) {
		cprintf("vmm: at most %d modules\n", MB_MAX_MODS);
		return -E_INVAL;
	}
	for (int i = 0; i < nmods; i++) {
		if ((mfd = open_guest_file(modpath[i], &msize)) < 0)
			return mfd;
		if (msize > (off_t) (mem_size - next)) {
			close(mfd);
			return refuse(modpath[i], "the module does not fit in the guest's memory");
		}
		r = map_bytes(guest, next, msize ? msize : 1, mfd, 0, msize);
		close(mfd);
		if (r < 0) {
			cprintf("vmm: %s: %e\n", modpath[i], r);
			return r;
		}
		mods[i] = (struct mb_module) { next, next + msize, modpath[i] };
		next = ROUNDUP(next + msize + (msize == 0), PGSIZE);
	}

	if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
	*(uint32_t *) (UTEMP + GBA_ENTRY) = k->entry;
	if (mb_build_info(UTEMP + GBA_MBINFO, PGSIZE - GBA_MBINFO,
			  GUEST_BOOTARGS_GPA + GBA_MBINFO, &b, &why) < 0) {
		sys_page_unmap(0, UTEMP);
		return refuse(path, why);
	}
	r = sys_ept_map(0, UTEMP, guest, (void *) GUEST_BOOTARGS_GPA, __EPTE_FULL);
	sys_page_unmap(0, UTEMP);
	return r;
}
