/*
 * vmm: the user-level half of the monitor.  It builds a guest from files
 * on the host disk, read through the file server: the kernel /vmm/kernel
 * (an ELF64 file whose segments go to their physical addresses in the
 * guest) and the boot code /vmm/boot (to GUEST_BOOT_GPA), plus a page of
 * boot arguments (inc/guest.h).  Then it runs the guest, waits until the
 * guest is gone and says whether the host got all its pages back.  Once
 * the console goes back to the host (Ctrl-]), vmm waits in the background, so
 * that the shell that started it prompts again.
 *
 *   vmm [TOKEN ...]   the guest kernel's command line (default: none,
 *                     which boots the guest's init and shell)
 *
 * The guest's disk is /vmm/fs.img, copy-on-write (fs/hostdisk.c): the
 * blocks a guest writes go to its own file /vmm/disk-NAME.img.  The
 * token disk=NAME names it; without one vmm adds disk=ENVID (the guest's
 * env id) and removes that file once the guest is gone, so each guest
 * starts from the clean image.  Give disk=NAME to keep a disk between
 * runs.
 */
#include <inc/lib.h>
#include <inc/elf.h>
#include <inc/vmx.h>
#include <inc/guest.h>

#define GUEST_KERNEL	"/vmm/kernel"
#define GUEST_BOOT	"/vmm/boot"
#define DEFAULT_CMDLINE	""
#define DISK_PREFIX	"/vmm/disk-"
#define DISK_SUFFIX	".img"
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
static int
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
 * map each PT_LOAD segment into guest with map_in_guest.  Stores the
 * entry point in *entry.  Returns 0 or a negative error (bad ELF files
 * are reported here, with the reason).
 */
static int
copy_guest_kern_gpa(envid_t guest, int fd, off_t size, uint32_t *entry)
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
		if (ph.p_pa < GUEST_KERN_GPA || ph.p_pa >= GUEST_MEM_SZ
		    || ph.p_memsz > GUEST_MEM_SZ - ph.p_pa)
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
static int
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
static int
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

/*
 * The guest's command line in buf (len bytes): the arguments joined by
 * spaces, or DEFAULT_CMDLINE when there are none.  False if too long.
 */
static bool
guest_cmdline(int argc, char **argv, char *buf, size_t len)
{
	size_t n = 0, arglen;
	int i;

	if (argc < 2) {
		strlcpy(buf, DEFAULT_CMDLINE, len);
		return true;
	}
	buf[0] = '\0';
	for (i = 1; i < argc; i++) {
		arglen = strlen(argv[i]);
		if (n + (i > 1) + arglen >= len)
			return false;
		if (i > 1)
			buf[n++] = ' ';
		memmove(buf + n, argv[i], arglen + 1);
		n += arglen;
	}
	return true;
}

/*
 * Unless cmdline (len bytes) names the guest's disk already, add
 * disk=ENVID for guest and store the path of that disk file in disk
 * (else disk becomes "").  False if there is no room.
 */
static bool
add_disk(char *cmdline, size_t len, envid_t guest, char *disk)
{
	char token[32];
	size_t n = strlen(cmdline);

	const char *p;

	disk[0] = '\0';
	for (p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && strncmp(p, "disk=", 5) == 0)
			return true;
	snprintf(token, sizeof(token), "%sdisk=%08x", n ? " " : "", guest);
	if (n + strlen(token) >= len)
		return false;
	strcpy(cmdline + n, token);
	snprintf(disk, MAXPATHLEN, "%s%08x%s", DISK_PREFIX, guest, DISK_SUFFIX);
	return true;
}

/*
 * Say how much of the change in free pages the file server's cache and
 * open files explain: the guest's disk reads fill the host's block
 * cache, which keeps every block for good.  What they do not explain
 * is what the guest (or anything else running meanwhile) left behind.
 */
static void
report_held(int64_t before, int64_t after, int held_before, int held_after)
{
	if (held_before < 0 || held_after < 0) {
		cprintf("vmm: the file server's held pages: %e\n",
			held_before < 0 ? held_before : held_after);
		return;
	}
	cprintf("vmm: of which the file server's cache and open files: %d pages "
		"(%d before, %d after); not explained: %ld\n",
		held_after - held_before, held_before, held_after,
		(long) (before - after - (held_after - held_before)));
}

/* Whether the host holds the console input: no guest does. */
static bool
host_has_console(void)
{
	struct guest_info info[16];
	int n = sys_guest_info(info, 16);

	for (int i = 0; i < n && i < 16; i++)
		if (info[i].has_console)
			return false;
	return true;
}

/*
 * Wait until guest is gone.  If the console goes back to the host while
 * it runs (Ctrl-]), a child goes on waiting and this env ends, so that a
 * shell waiting for vmm gets its prompt back; the child then does what
 * is left (report, remove the disk file).  While another guest holds
 * the console, vmm keeps waiting: typing would go to that guest.
 */
static void
wait_for_guest(envid_t guest)
{
	const volatile struct Env *e = &envs[ENVX(guest)];
	bool detached = false;
	envid_t child;

	while (e->env_id == guest && e->env_status != ENV_FREE) {
		// Until it is gone or the host has the console (at once if so).
		sys_env_wait(guest, detached ? 0 : ENV_WAIT_CONSOLE);
		if (detached || e->env_id != guest || e->env_status == ENV_FREE
		    || !host_has_console())
			continue;
		if ((child = fork()) < 0) {
			cprintf("vmm: fork: %e; waiting for guest %08x here\n", child, guest);
			detached = true;
		} else if (child > 0) {
			cprintf("vmm: guest %08x runs on without the console "
				"(vmctl focus %08x gives it back)\n", guest, guest);
			exit();
		} else
			detached = true;
	}
}

void
umain(int argc, char **argv)
{
	char cmdline[GBA_CMDLINE_MAX], disk[MAXPATHLEN];
	int kfd, bfd;
	off_t ksize, bsize;
	int64_t before, after;
	int held_before, held_after;
	uint32_t entry;
	envid_t guest;
	int r;

	if (!guest_cmdline(argc, argv, cmdline, sizeof(cmdline))) {
		cprintf("vmm: the guest's command line has room for %d characters\n",
			(int) sizeof(cmdline) - 1);
		return;
	}
	if ((kfd = open_guest_file(GUEST_KERNEL, &ksize)) < 0)
		return;
	if ((bfd = open_guest_file(GUEST_BOOT, &bsize)) < 0)
		return;
	if (bsize == 0 || bsize > GUEST_BOOT_MAX) {
		cprintf("vmm: %s: %ld bytes; boot code must be 1 to %d\n",
		       GUEST_BOOT, (long) bsize, GUEST_BOOT_MAX);
		return;
	}

	held_before = fs_held_pages();
	before = sys_free_pages();
	if ((guest = sys_env_mkguest(GUEST_MEM_SZ, GUEST_BOOT_GPA)) < 0) {
		if (guest == -E_NOT_SUPP)
			cprintf("vmm: VT-x not supported (%e)\n", guest);
		else
			cprintf("vmm: sys_env_mkguest: %e\n", guest);
		return;
	}
	if ((r = copy_guest_kern_gpa(guest, kfd, ksize, &entry)) < 0) {
		if (r != -E_NOT_EXEC)
			cprintf("vmm: %s: %e\n", GUEST_KERNEL, r);
		goto fail;
	}
	if ((r = map_in_guest(guest, GUEST_BOOT_GPA, PGSIZE, bfd, bsize, 0)) < 0) {
		cprintf("vmm: %s: %e\n", GUEST_BOOT, r);
		goto fail;
	}
	if (!add_disk(cmdline, sizeof(cmdline), guest, disk)) {
		cprintf("vmm: no room for disk= on the guest's command line\n");
		goto fail;
	}
	if ((r = map_bootargs(guest, entry, cmdline)) < 0) {
		cprintf("vmm: boot arguments: %e\n", r);
		goto fail;
	}
	// Said before the guest runs: its lines come after this one.
	cprintf("vmm: guest %08x starting: %s, entry %08x, command line \"%s\"\n",
		guest, GUEST_KERNEL, entry, cmdline);
	if ((r = sys_env_set_status(guest, ENV_RUNNABLE)) < 0) {
		cprintf("vmm: starting the guest: %e\n", r);
		goto fail;
	}

	wait_for_guest(guest);
	after = sys_free_pages();
	held_after = fs_held_pages();
	cprintf("vmm: guest %08x is gone\n", guest);
	if (disk[0] && (r = remove(disk)) < 0 && r != -E_NOT_FOUND)
		cprintf("vmm: %s: %e\n", disk, r);
	cprintf("vmm: free pages before %ld after %ld\n", (long) before, (long) after);
	report_held(before, after, held_before, held_after);
	close(kfd);
	close(bfd);
	return;

fail:
	sys_env_destroy(guest);
}
