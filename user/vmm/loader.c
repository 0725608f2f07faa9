/*
 * Loading the JOS guest: the kernel /vmm/kernel, an ELF64 file whose
 * segments go to their physical addresses in the guest, the boot code
 * /vmm/boot at GUEST_BOOT_GPA, and a page of boot arguments
 * (inc/guest.h), all read through the file server and mapped into the
 * guest page by page with sys_ept_map.
 */
#include <user/vmm/vmm.h>
#include <inc/elf.h>
#include <inc/vmx.h>
#include <inc/guest.h>

#define MAX_PHNUM	64

/*
 * Read exactly n bytes at offset off of fd into buf.  Returns 0, a
 * negative error, or -E_NOT_EXEC if the file ends first.
 */
static int
read_at(int fd, off_t off, void *buf, size_t n)
{
	ssize_t r;

	if ((r = seek(fd, off)) < 0)
		return r;
	if ((r = readn(fd, buf, n)) < 0)
		return r;
	return (size_t) r == n ? 0 : -E_NOT_EXEC;
}

/*
 * Map memsz bytes of guest-physical memory at gpa (page aligned) into
 * guest: filesz bytes from fd at fileoffset, then zeros.  Each page is
 * staged at UTEMP in this env, then given to the guest, which keeps the
 * only reference to it.  Returns 0 or a negative error.
 */
int
map_in_guest(envid_t guest, uintptr_t gpa, size_t memsz,
	     int fd, size_t filesz, off_t fileoffset)
{
	size_t i;
	int r;

	if (gpa % PGSIZE != 0 || filesz > memsz)
		return -E_INVAL;
	for (i = 0; i < memsz; i += PGSIZE) {
		// A fresh page is all zeros: only the file's bytes need copying.
		if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
			return r;
		if (i < filesz)
			r = read_at(fd, fileoffset + i, UTEMP, MIN(filesz - i, (size_t) PGSIZE));
		if (r >= 0)
			r = sys_ept_map(0, UTEMP, guest, (void *) (gpa + i), __EPTE_FULL);
		sys_page_unmap(0, UTEMP);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Say what is wrong with the guest kernel's ELF file; -E_NOT_EXEC. */
static int
bad_elf(const char *why, int n)
{
	if (n >= 0)
		cprintf("vmm: %s: %s (program header %d)\n", GUEST_KERNEL, why, n);
	else
		cprintf("vmm: %s: %s\n", GUEST_KERNEL, why);
	return -E_NOT_EXEC;
}

/*
 * Load the guest kernel from fd (size bytes): check its ELF header and
 * program headers (an x86-64 executable whose loadable segments lie in
 * the file and in guest memory, above the BIOS hole, page aligned) and
 * map each PT_LOAD segment into guest (of mem_size bytes) with map_in_guest.  Stores the
 * entry point in *entry.  Returns 0 or a negative error (bad ELF files
 * are reported here, with the reason).
 */
int
copy_guest_kern_gpa(envid_t guest, int fd, off_t size, uint64_t mem_size, uint32_t *entry)
{
	struct Elf elf;
	struct Proghdr ph;
	bool entry_ok = false;
	int i, r;

	if (size < (off_t) sizeof(elf) || (r = read_at(fd, 0, &elf, sizeof(elf))) == -E_NOT_EXEC)
		return bad_elf("too short for an ELF header", -1);
	if (r < 0)
		return r;
	if (elf.e_magic != ELF_MAGIC)
		return bad_elf("not an ELF file", -1);
	if (elf.e_elf[0] != ELF_CLASS_64 || elf.e_elf[1] != ELF_DATA_LSB
	    || elf.e_machine != ELF_MACHINE_X86_64 || elf.e_type != ELF_TYPE_EXEC)
		return bad_elf("not an x86-64 executable", -1);
	if (elf.e_phentsize != sizeof(ph) || elf.e_phnum == 0 || elf.e_phnum > MAX_PHNUM
	    || elf.e_phoff > (uint64_t) size
	    || elf.e_phnum * sizeof(ph) > (uint64_t) size - elf.e_phoff)
		return bad_elf("bad program header table", -1);

	for (i = 0; i < elf.e_phnum; i++) {
		if ((r = read_at(fd, elf.e_phoff + i * sizeof(ph), &ph, sizeof(ph))) < 0)
			return r;
		if (ph.p_type != ELF_PROG_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return bad_elf("segment larger in the file than in memory", i);
		if (ph.p_offset > (uint64_t) size || ph.p_filesz > (uint64_t) size - ph.p_offset)
			return bad_elf("segment beyond the end of the file", i);
		if (ph.p_pa < GUEST_KERN_GPA || ph.p_pa >= mem_size
		    || ph.p_memsz > mem_size - ph.p_pa)
			return bad_elf("segment outside guest memory", i);
		if (ph.p_pa % PGSIZE != 0)
			return bad_elf("segment not page aligned", i);
		if (elf.e_entry >= ph.p_pa && elf.e_entry - ph.p_pa < ph.p_memsz
		    && (ph.p_flags & ELF_PROG_FLAG_EXEC))
			entry_ok = true;
		if ((r = map_in_guest(guest, ph.p_pa, ph.p_memsz, fd, ph.p_filesz, ph.p_offset)) < 0)
			return r;
	}
	if (!entry_ok)
		return bad_elf("entry point not in an executable segment", -1);
	*entry = elf.e_entry;
	return 0;
}

/*
 * Give guest the boot arguments page: the kernel's entry point and a
 * multiboot block holding the command line.  Returns 0 or an error.
 */
int
map_bootargs(envid_t guest, uint32_t entry, const char *cmdline)
{
	uint8_t *page = UTEMP;
	struct multiboot_info *mb = (struct multiboot_info *) (page + GBA_MBINFO);
	int r;

	if ((r = sys_page_alloc(0, page, PTE_P | PTE_U | PTE_W)) < 0)
		return r;
	*(uint32_t *) (page + GBA_ENTRY) = entry;
	mb->flags = MB_FLAG_CMDLINE;
	mb->cmdline = GUEST_BOOTARGS_GPA + GBA_CMDLINE;
	strlcpy((char *) page + GBA_CMDLINE, cmdline, GBA_CMDLINE_MAX);
	r = sys_ept_map(0, page, guest, (void *) GUEST_BOOTARGS_GPA, __EPTE_FULL);
	sys_page_unmap(0, page);
	return r;
}

/*
 * Read all of fd once and return its size (or a negative error).  The
 * file server keeps every block it has read in its cache, for good:
 * reading the files before counting free pages keeps that cache out of
 * the count of what the guest took and gave back.
 */
static off_t
read_through(int fd)
{
	off_t size = 0;
	ssize_t n;

	if ((n = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		return n;
	if ((n = seek(fd, 0)) >= 0)
		while ((n = read(fd, UTEMP, PGSIZE)) > 0)
			size += n;
	sys_page_unmap(0, UTEMP);
	return n < 0 ? n : size;
}

/* Open path for reading and read it through; the descriptor, or an error. */
int
open_guest_file(const char *path, off_t *size)
{
	int fd;
	off_t r;

	if ((fd = open(path, O_RDONLY)) < 0) {
		cprintf("vmm: %s: %e\n", path, fd);
		return fd;
	}
	if ((r = read_through(fd)) < 0) {
		cprintf("vmm: %s: %e\n", path, (int) r);
		close(fd);
		return r;
	}
	*size = r;
	return fd;
}
