/*
 * vmm: the user-level half of the monitor (user/vmm/vmm.h lists its
 * files).  It builds a guest from files
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
 *   vmm --gdb ...     the same, but the guest waits for gdb on the
 *                     host's COM2 before its first instruction
 *   vmm --kernel PATH [--module A,B,...] [CMDLINE ...]
 *                     a multiboot v1 kernel instead (mbload.c), with
 *                     modules, and "PATH CMDLINE" as its command line
 *
 * The guest's disk is /vmm/fs.img, copy-on-write (fs/hostdisk.c): the
 * blocks a guest writes go to its own file /vmm/disk-NAME.img.  The
 * token disk=NAME names it; without one vmm adds disk=ENVID (the guest's
 * env id) and removes that file once the guest is gone, so each guest
 * starts from the clean image.  Give disk=NAME to keep a disk between
 * runs.
 */
#include <user/vmm/vmm.h>
#include <inc/vmx.h>
#include <inc/guest.h>
#include <inc/vmm/cpuid.h>
#include <user/vmm/multiboot.h>

#define MB_CMDLINE_MAX	1024

/*
 * The guest is gone: say whether the host has its pages back (before
 * and held_before: counted before it was made).
 */
static void
report_pages(int64_t before, int held_before)
{
	int64_t after = sys_free_pages();
	int held_after = fs_held_pages();

	cprintf("vmm: free pages before %ld after %ld\n", (long) before, (long) after);
	report_held(before, after, held_before, held_after);
}

/*
 * vmm --kernel PATH [--module A,B,...] [CMDLINE ...] (argv[1] is
 * --kernel): boot the multiboot kernel PATH, with the modules, and
 * runs it to its end.  A file that is not a multiboot kernel, or does
 * not fit, is refused with the reason.
 */
static void
run_multiboot(int argc, char **argv)
{
	static char cmdline[MB_CMDLINE_MAX];
	char *mods[MB_MAX_MODS + 1], *path, *p;
	int nmods = 0, i = 3, kfd, bfd, held_before, r;
	off_t ksize, bsize;
	int64_t before;
	struct mb_kernel k;
	envid_t guest;

	if (argc < 3) {
		cprintf("usage: vmm --kernel PATH [--module A,B,...] [CMDLINE ...]\n");
		return;
	}
	path = argv[2];
	if (argc > 4 && strcmp(argv[3], "--module") == 0) {
		for (p = argv[4]; p && *p && nmods <= MB_MAX_MODS; ) {
			mods[nmods++] = p;
			if ((p = strchr(p, ',')))
				*p++ = '\0';
		}
		if (nmods > MB_MAX_MODS) {
			cprintf("vmm: at most %d modules\n", MB_MAX_MODS);
			return;
		}
		i = 5;
	}
	strlcpy(cmdline, path, sizeof(cmdline));
	if (i < argc) {
		size_t n = strlen(cmdline);
		cmdline[n++] = ' ';
		if (!guest_cmdline(argc - i + 1, argv + i - 1, cmdline + n, sizeof(cmdline) - n)) {
			cprintf("vmm: the command line has room for %d characters\n",
				(int) sizeof(cmdline) - 1);
			return;
		}
	}
	if ((kfd = open_guest_file(path, &ksize)) < 0)
		return;
	if (mb_check_kernel(path, kfd, ksize, GUEST_MEM_SZ, &k) < 0)
		goto out;
	if ((bfd = open_guest_file(GUEST_BOOT, &bsize)) < 0)
		goto out;

	held_before = fs_held_pages();
	before = sys_free_pages();
	if ((guest = sys_env_mkguest(GUEST_MEM_SZ, GUEST_BOOT_GPA)) < 0) {
		cprintf("vmm: sys_env_mkguest: %e\n", guest);
		goto out2;
	}
	if ((r = map_in_guest(guest, GUEST_BOOT_GPA, PGSIZE, bfd, bsize, 0)) < 0)
		cprintf("vmm: %s: %e\n", GUEST_BOOT, r);
	if (r < 0 || mb_load(guest, GUEST_MEM_SZ, path, kfd, &k, nmods, mods, cmdline) < 0) {
		sys_env_destroy(guest);
		goto out2;
	}
	cprintf("vmm: guest %08x starting: multiboot %s %s, entry %08x, %d segment%s, "
		"%d module%s, command line \"%s\"\n", guest, path,
		k.aout ? "a.out kludge" : k.elf_class == 64 ? "ELF64" : "ELF32", k.entry,
		k.nsegs, k.nsegs == 1 ? "" : "s", nmods, nmods == 1 ? "" : "s", cmdline);
	if ((r = sys_env_set_status(guest, ENV_RUNNABLE)) < 0) {
		cprintf("vmm: starting the guest: %e\n", r);
		sys_env_destroy(guest);
		goto out2;
	}
	wait_for_guest(guest);
	cprintf("vmm: guest %08x is gone\n", guest);
	report_pages(before, held_before);
out2:
	close(bfd);
out:
	close(kfd);
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
	bool wait_gdb = take_option(&argc, argv, "--gdb");

	if (argc > 1 && strcmp(argv[1], "--kernel") == 0) {
		run_multiboot(argc, argv);
		return;
	}
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
			cprintf("vmm: no guests on this CPU: %s\n", cpu_virt_missing());
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
	if (wait_gdb && (r = sys_guest_debug(guest)) < 0) {
		cprintf("vmm: --gdb: %e\n", r);
		goto fail;
	}
	if ((r = sys_env_set_status(guest, ENV_RUNNABLE)) < 0) {
		cprintf("vmm: starting the guest: %e\n", r);
		goto fail;
	}

	wait_for_guest(guest);
	after = sys_free_pages();
	held_after = fs_held_pages();
	cprintf("vmm: guest %08x is gone\n", guest);
	remove_disk(disk);
	cprintf("vmm: free pages before %ld after %ld\n", (long) before, (long) after);
	report_held(before, after, held_before, held_after);
	close(kfd);
	close(bfd);
	return;

fail:
	sys_env_destroy(guest);
}
