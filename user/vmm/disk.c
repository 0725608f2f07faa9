/*
 * The guest's disk: /vmm/fs.img copy-on-write (fs/hostdisk.c), the
 * blocks a guest writes going to its own file /vmm/disk-NAME.img; and
 * the pages the host's file server holds for it.
 */
#include <user/vmm/vmm.h>

#define DISK_PREFIX	"/vmm/disk-"
#define DISK_SUFFIX	".img"

/*
 * Unless cmdline (len bytes) names the guest's disk already, add
 * disk=ENVID for guest and store the path of that disk file in disk
 * (else disk becomes "").  False if there is no room.
 */
bool
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

/* Remove the guest's disk file disk, if vmm made one (disk is not ""). */
void
remove_disk(const char *disk)
{
	int r;

	if (disk[0] && (r = remove(disk)) < 0 && r != -E_NOT_FOUND)
		cprintf("vmm: %s: %e\n", disk, r);
}

/*
 * Say how much of the change in free pages the file server's cache and
 * open files explain: the guest's disk reads fill the host's block
 * cache, which keeps every block for good.  What they do not explain
 * is what the guest (or anything else running meanwhile) left behind.
 */
void
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
