/*
 * vmm: the user-level half of the monitor (user/vmm/vmm.h lists its
 * files).  It builds a guest from files on the host disk, read through
 * the file server, runs it, waits until it is gone and says whether
 * the host got all its pages back.  Once the console goes back to the
 * host (Ctrl-]), vmm waits in the background, so that the shell that
 * started it prompts again.  vmm --help (user/vmm/bootcfg.c) lists the
 * options; what it boots:
 *
 *   vmm [TOKEN ...]   the JOS guest: the kernel /vmm/kernel (an ELF64
 *                     file whose segments go to their physical
 *                     addresses) and the boot code /vmm/boot, with the
 *                     tokens as its command line (none boots its init
 *                     and shell)
 *   vmm --kernel PATH [--initrd PATH] [CMDLINE ...]
 *                     a Linux bzImage (linuxload.c), or a multiboot v1
 *                     kernel with --modules (mbload.c; "PATH CMDLINE"
 *                     is its command line): the file's headers say which
 *   vmm -f FILE.boot  the same settings from an ini file
 *
 * The JOS guest's disk is /vmm/fs.img, copy-on-write (fs/hostdisk.c):
 * the blocks a guest writes go to its own file /vmm/disk-NAME.img.  The
 * token disk=NAME (or --disk NAME) names it; without one vmm adds
 * disk=ENVID (the guest's env id) and removes that file once the guest
 * is gone, so each guest starts from the clean image.
 */
#include <user/vmm/vmm.h>
#include <user/vmm/bootcfg.h>
#include <user/vmm/linuxboot.h>
#include <user/vmm/multiboot.h>
#include <inc/vmx.h>
#include <inc/guest.h>
#include <inc/vmm/cpuid.h>

#define BOOTFILE_MAX	4096

/* What every loader shares: the guest, and the page counts before and after it. */
struct run {
	envid_t guest;
	int64_t before, after;
	int held_before, held_after;
	uint64_t mem_size;
};

/*
 * Count the host's free pages, then make a guest of mem_size bytes
 * that starts at the boot code.  0, or an error after a line saying so.
 */
static int
make_guest(struct run *run, uint64_t mem_size)
{
	run->mem_size = mem_size;
	run->held_before = fs_held_pages();
	run->before = sys_free_pages();
	if ((run->guest = sys_env_mkguest(mem_size, GUEST_BOOT_GPA)) < 0) {
		if (run->guest == -E_NOT_SUPP)
			cprintf("vmm: no guests on this CPU: %s\n", cpu_virt_missing());
		else
			cprintf("vmm: sys_env_mkguest: %e\n", run->guest);
		return run->guest;
	}
	return 0;
}

/*
 * Start the guest (waiting for gdb first when asked, with
 * sys_guest_debug's gdb_flags), wait until it is gone, say so and
 * count the host's pages.  A guest that cannot start is destroyed.  0
 * once it ran, or an error.
 */
static int
run_guest(struct run *run, bool wait_gdb, int gdb_flags)
{
	int r;

	if (wait_gdb && (r = sys_guest_debug(run->guest, gdb_flags)) < 0) {
		cprintf("vmm: --gdb: %e\n", r);
		sys_env_destroy(run->guest);
		return r;
	}
	if ((r = sys_env_set_status(run->guest, ENV_RUNNABLE)) < 0) {
		cprintf("vmm: starting the guest: %e\n", r);
		sys_env_destroy(run->guest);
		return r;
	}
	wait_for_guest(run->guest);
	// Said at once (a shell may prompt right after); then counted.
	cprintf("vmm: guest %08x is gone\n", run->guest);
	run->after = sys_free_pages();
	run->held_after = fs_held_pages();
	return 0;
}

/* The free pages after the guest against before (and the file server's held pages). */
static void
report_pages(const struct run *run)
{
	cprintf("vmm: free pages before %ld after %ld\n", (long) run->before, (long) run->after);
	report_held(run->before, run->after, run->held_before, run->held_after);
}

/* Guest memory in bytes: -m's, or the default. */
static uint64_t
mem_size(const struct boot_config *c)
{
	return c->mem_mib ? (uint64_t) c->mem_mib << 20 : GUEST_MEM_SZ;
}

/*
 * The JOS guest (/vmm/kernel and /vmm/boot), with c's command line
 * (and --disk as a disk= token).
 */
static void
boot_jos(const struct boot_config *c)
{
	char cmdline[GBA_CMDLINE_MAX], disk[MAXPATHLEN];
	int kfd, bfd, n;
	off_t ksize, bsize;
	uint32_t entry;
	struct run run;
	int r;

	n = snprintf(cmdline, sizeof(cmdline), "%s%s%s%s", c->cmdline,
		     c->disk[0] && c->cmdline[0] ? " " : "", c->disk[0] ? "disk=" : "", c->disk);
	if (n >= (int) sizeof(cmdline)) {
		cprintf("vmm: the guest's command line has room for %d characters\n",
			(int) sizeof(cmdline) - 1);
		return;
	}
	if (c->initrd[0] || c->nmods) {
		cprintf("vmm: the JOS guest takes no --initrd or --modules (give --kernel)\n");
		return;
	}
	if ((kfd = open_guest_file(GUEST_KERNEL, &ksize)) < 0)
		return;
	if ((bfd = open_guest_file(GUEST_BOOT, &bsize)) < 0)
		goto out;
	if (bsize == 0 || bsize > GUEST_BOOT_MAX) {
		cprintf("vmm: %s: %ld bytes; boot code must be 1 to %d\n",
		       GUEST_BOOT, (long) bsize, GUEST_BOOT_MAX);
		goto out2;
	}
	if (make_guest(&run, mem_size(c)) < 0)
		goto out2;
	if ((r = copy_guest_kern_gpa(run.guest, kfd, ksize, run.mem_size, &entry)) < 0) {
		if (r != -E_NOT_EXEC)
			cprintf("vmm: %s: %e\n", GUEST_KERNEL, r);
		goto fail;
	}
	if ((r = map_in_guest(run.guest, GUEST_BOOT_GPA, PGSIZE, bfd, bsize, 0)) < 0) {
		cprintf("vmm: %s: %e\n", GUEST_BOOT, r);
		goto fail;
	}
	if (!add_disk(cmdline, sizeof(cmdline), run.guest, disk)) {
		cprintf("vmm: no room for disk= on the guest's command line\n");
		goto fail;
	}
	if ((r = map_bootargs(run.guest, entry, cmdline)) < 0) {
		cprintf("vmm: boot arguments: %e\n", r);
		goto fail;
	}
	// Said before the guest runs: its lines come after this one.
	cprintf("vmm: guest %08x starting: %s, entry %08x, command line \"%s\"\n",
		run.guest, GUEST_KERNEL, entry, cmdline);
	if (run_guest(&run, c->gdb, 0) == 0) {
		remove_disk(disk);
		report_pages(&run);
	}
	goto out2;
fail:
	sys_env_destroy(run.guest);
out2:
	close(bfd);
out:
	close(kfd);
}

/* A multiboot kernel (file kfd, size bytes) with c's modules and command line. */
static void
boot_multiboot(const struct boot_config *c, int kfd, off_t ksize, int bfd, off_t bsize)
{
	static char cmdline[BC_CMDLINE_MAX + BC_PATH_MAX];
	char *mods[BC_MAX_MODS];
	struct mb_kernel k;
	struct run run;
	int r;

	if (c->initrd[0]) {
		cprintf("vmm: %s: a multiboot kernel takes --modules, not --initrd\n", c->kernel);
		return;
	}
	if (c->nmods > MB_MAX_MODS) {
		cprintf("vmm: at most %d modules\n", MB_MAX_MODS);
		return;
	}
	for (int i = 0; i < c->nmods; i++)
		mods[i] = (char *) c->mods[i];
	snprintf(cmdline, sizeof(cmdline), "%s%s%s", c->kernel, c->cmdline[0] ? " " : "",
		 c->cmdline);
	if (mb_check_kernel(c->kernel, kfd, ksize, mem_size(c), &k) < 0)
		return;
	if (make_guest(&run, mem_size(c)) < 0)
		return;
	if ((r = map_in_guest(run.guest, GUEST_BOOT_GPA, PGSIZE, bfd, bsize, 0)) < 0)
		cprintf("vmm: %s: %e\n", GUEST_BOOT, r);
	if (r < 0 || mb_load(run.guest, run.mem_size, c->kernel, kfd, &k, c->nmods, mods,
			     cmdline) < 0) {
		sys_env_destroy(run.guest);
		return;
	}
	cprintf("vmm: guest %08x starting: multiboot %s %s, entry %08x, %d segment%s, "
		"%d module%s, command line \"%s\"\n", run.guest, c->kernel,
		k.aout ? "a.out kludge" : k.elf_class == 64 ? "ELF64" : "ELF32", k.entry,
		k.nsegs, k.nsegs == 1 ? "" : "s", c->nmods, c->nmods == 1 ? "" : "s", cmdline);
	// A 32-bit kernel: gdb sees i386 registers from the boot code on.
	if (run_guest(&run, c->gdb, k.elf_class == 64 ? 0 : GUEST_DEBUG_I386) == 0)
		report_pages(&run);
}

/* A Linux bzImage (file kfd, size bytes) with c's initrd and command line. */
static void
boot_linux(const struct boot_config *c, int kfd, off_t ksize, int bfd, off_t bsize)
{
	static char cmdline[LX_CMDLINE_MAX];
	struct guest_info gi;
	struct bzimage bz;
	struct lx_layout l;
	struct run run;
	off_t isize = 0;
	int ifd = -1, r;

	if (c->nmods) {
		cprintf("vmm: %s: a Linux kernel takes --initrd, not --modules\n", c->kernel);
		return;
	}
	if (lx_check_kernel(c->kernel, kfd, ksize, mem_size(c), &bz) < 0)
		return;
	// Read before the pages are counted: the file server caches it.
	if (c->initrd[0] && (ifd = open_guest_file(c->initrd, &isize)) < 0)
		return;
	if (make_guest(&run, mem_size(c)) < 0)
		goto out;
	strlcpy(cmdline, c->cmdline, sizeof(cmdline));
	if (guest_info_of(run.guest, &gi) && lx_add_tsc_khz(cmdline, sizeof(cmdline), gi.tsc_hz) < 0)
		cprintf("vmm: no room for tsc_early_khz= on the command line\n");
	if ((r = map_in_guest(run.guest, GUEST_BOOT_GPA, PGSIZE, bfd, bsize, 0)) < 0)
		cprintf("vmm: %s: %e\n", GUEST_BOOT, r);
	if (r < 0 || lx_load(run.guest, run.mem_size, c->kernel, kfd, &bz, c->initrd, ifd, isize,
			     cmdline, &l) < 0) {
		sys_env_destroy(run.guest);
		goto out;
	}
	cprintf("vmm: guest %08x starting: Linux %s, boot protocol %d.%02d, %s payload, "
		"kernel at %lx, %s%s, %ld MiB, command line \"%s\"\n", run.guest, c->kernel,
		bz.version >> 8, bz.version & 0xFF, bz.payload_format,
		(unsigned long) l.kernel_gpa, c->initrd[0] ? "initrd " : "", c->initrd,
		(long) (run.mem_size >> 20), cmdline);
	if (run_guest(&run, c->gdb, 0) == 0)
		report_pages(&run);
out:
	if (ifd >= 0)
		close(ifd);
}

/* --kernel: a bzImage or a multiboot kernel, as its headers say. */
static void
boot_kernel(const struct boot_config *c)
{
	int kfd, bfd;
	off_t ksize, bsize;

	if (c->disk[0]) {
		cprintf("vmm: --disk is the JOS guest's; %s has no disk\n", c->kernel);
		return;
	}
	if ((kfd = open_guest_file(c->kernel, &ksize)) < 0)
		return;
	if ((bfd = open_guest_file(GUEST_BOOT, &bsize)) < 0)
		goto out;
	if (bsize == 0 || bsize > GUEST_BOOT_MAX)
		cprintf("vmm: %s: %ld bytes; boot code must be 1 to %d\n",
			GUEST_BOOT, (long) bsize, GUEST_BOOT_MAX);
	else if (lx_is_bzimage(kfd, ksize))
		boot_linux(c, kfd, ksize, bfd, bsize);
	else
		boot_multiboot(c, kfd, ksize, bfd, bsize);
	close(bfd);
out:
	close(kfd);
}

/* Fill c from the .boot file path.  0, or -1 after a line saying why not. */
static int
read_bootfile(struct boot_config *c, const char *path)
{
	static char text[BOOTFILE_MAX];
	char err[BC_ERR_MAX];
	off_t size;
	int fd, n, r;

	if ((fd = open_guest_file(path, &size)) < 0)
		return -1;
	if (size >= (off_t) sizeof(text)) {
		cprintf("vmm: %s: over %d bytes: not a .boot file\n", path, BOOTFILE_MAX - 1);
		close(fd);
		return -1;
	}
	n = size;
	r = size > 0 ? read_fd(&fd, 0, text, size) : 0;
	close(fd);
	if (r < 0) {
		cprintf("vmm: %s: cannot read it\n", path);
		return -1;
	}
	if (bootcfg_file(c, text, n, err, sizeof(err)) < 0) {
		cprintf("vmm: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

void
umain(int argc, char **argv)
{
	static struct boot_config c;
	char err[BC_ERR_MAX];
	int f = bootcfg_find_file(argc, argv);

	if (f && read_bootfile(&c, argv[f]) < 0)
		return;
	if (bootcfg_args(&c, argc, argv, err, sizeof(err)) < 0) {
		cprintf("vmm: %s\n%s", err, bootcfg_usage);
		return;
	}
	if (c.help) {
		cprintf("%s", bootcfg_usage);
		return;
	}
	if (c.kernel[0])
		boot_kernel(&c);
	else if (c.bootfile[0] && !f)
		cprintf("vmm: -f needs a file\n");
	else
		boot_jos(&c);
}
