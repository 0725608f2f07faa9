/*
 * A guest loader that uses only the JOS VMM lab's interface, the way the
 * lab's own user/vmm.c does: sys_env_mkguest with GUEST_MEM_SZ and the
 * boot code's address, the kernel's PT_LOAD segments at their physical
 * addresses and the boot code at 0x7000 (sys_ept_map with __EPTE_FULL),
 * a guest disk /vmm/fsN.img copied from /vmm/clean-fs.img under the
 * vmdisk number, then sys_env_set_status and wait.  It passes no boot
 * arguments; the boot code then enters the kernel at its first byte.
 * This keeps the lab's interface working here; `vmm` is the real loader.
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/elf.h>
#include <inc/ept.h>

#define LAB_GUEST_KERN	"/vmm/kernel"
#define LAB_GUEST_BOOT	"/vmm/boot"
#define LAB_CLEAN_DISK	"vmm/clean-fs.img"
#define LAB_JOS_ENTRY	0x7000

/*
 * Put memsz bytes at guest-physical gpa in guest: the first filesz from
 * fd at offset off, zeros after.  Returns 0 or a negative error.
 */
static int
load_region(envid_t guest, uintptr_t gpa, size_t memsz, int fd, size_t filesz, off_t off)
{
	size_t skew = PGOFF(gpa);
	int r;

	gpa -= skew;
	memsz += skew;
	filesz += skew;
	off -= skew;
	for (size_t done = 0; done < memsz; done += PGSIZE) {
		if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
			return r;
		if (done < filesz && ((r = seek(fd, off + done)) < 0
		    || (r = readn(fd, UTEMP, MIN(PGSIZE, filesz - done))) < 0)) {
			sys_page_unmap(0, UTEMP);
			return r;
		}
		r = sys_ept_map(0, UTEMP, guest, (void *) (gpa + done), __EPTE_FULL);
		sys_page_unmap(0, UTEMP);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Map every PT_LOAD segment of ELF file path at its p_pa in guest. */
static int
load_kernel(envid_t guest, const char *path)
{
	unsigned char head[512];
	struct Elf *elf = (struct Elf *) head;
	struct Proghdr *ph;
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY)) < 0)
		return fd;
	if (readn(fd, head, sizeof(head)) != sizeof(head) || elf->e_magic != ELF_MAGIC
	    || elf->e_phoff + (uint64_t) elf->e_phnum * sizeof(*ph) > sizeof(head)) {
		close(fd);
		return -E_NOT_EXEC;
	}
	ph = (struct Proghdr *) (head + elf->e_phoff);
	for (int i = 0; i < elf->e_phnum && r >= 0; i++, ph++)
		if (ph->p_type == ELF_PROG_LOAD)
			r = load_region(guest, ph->p_pa, ph->p_memsz, fd, ph->p_filesz, ph->p_offset);
	close(fd);
	return r;
}

void
umain(int argc, char **argv)
{
	char disk[50];
	envid_t guest;
	int fd, r;

	if ((guest = sys_env_mkguest(GUEST_MEM_SZ, LAB_JOS_ENTRY)) < 0) {
		cprintf("labvmm: creating the guest: %e\n", guest);
		return;
	}
	if ((r = load_kernel(guest, LAB_GUEST_KERN)) < 0) {
		cprintf("labvmm: %s: %e\n", LAB_GUEST_KERN, r);
		goto fail;
	}
	if ((fd = open(LAB_GUEST_BOOT, O_RDONLY)) < 0) {
		cprintf("labvmm: %s: %e\n", LAB_GUEST_BOOT, fd);
		goto fail;
	}
	r = load_region(guest, LAB_JOS_ENTRY, 512, fd, 512, 0);
	close(fd);
	if (r < 0) {
		cprintf("labvmm: %s: %e\n", LAB_GUEST_BOOT, r);
		goto fail;
	}

	sys_vmx_incr_vmdisk_number();
	snprintf(disk, sizeof(disk), "/vmm/fs%d.img", sys_vmx_get_vmdisk_number());
	cprintf("labvmm: guest %08x, disk %s\n", guest, disk);
	if ((r = copy(LAB_CLEAN_DISK, disk)) < 0) {
		cprintf("labvmm: copying %s to %s: %e\n", LAB_CLEAN_DISK, disk, r);
		goto fail;
	}

	if ((r = sys_env_set_status(guest, ENV_RUNNABLE)) < 0) {
		cprintf("labvmm: starting the guest: %e\n", r);
		goto fail;
	}
	wait(guest);
	cprintf("labvmm: guest %08x is gone\n", guest);
	return;
fail:
	sys_env_destroy(guest);
}
