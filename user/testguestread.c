/*
 * testguestread ID: sys_guest_read's answers for guest ID, one line
 * each: a good read (of the text screen), and every refusal: no such
 * env, an env that is no guest, a range that leaves the guest's memory,
 * too many bytes, a buffer the caller cannot write.  Ends with
 * "testguestread: done".  (conf/tests/66-screens.sh)
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/vmm/textscreen.h>

static uint8_t buf[TEXT_SCREEN_BYTES];
static const uint8_t readonly[PGSIZE] = { 1 };

/* Print what sys_guest_read answered to what. */
static void
try(const char *what, envid_t id, uint64_t gpa, void *dst, size_t len)
{
	int r = sys_guest_read(id, gpa, dst, len);

	if (r < 0)
		cprintf("testguestread: %s: %e\n", what, r);
	else
		cprintf("testguestread: %s: ok\n", what);
}

void
umain(int argc, char **argv)
{
	struct guest_info gi;
	envid_t id;

	if (argc != 2) {
		cprintf("usage: testguestread GUEST_ENVID\n");
		return;
	}
	id = strtol(argv[1], NULL, 16);
	if (!guest_info_of(id, &gi)) {
		cprintf("testguestread: %08x is no guest\n", id);
		return;
	}
	try("the screen", id, TEXT_SCREEN_GPA, buf, sizeof(buf));
	try("the last byte", id, gi.mem_size - 1, buf, 1);
	try("no such env", 0x7ffff, 0, buf, 1);
	try("not a guest", 0, TEXT_SCREEN_GPA, buf, 1);
	try("past the end", id, gi.mem_size - 1, buf, 2);
	try("far past the end", id, ~0ULL - 1, buf, 4);
	try("too many bytes", id, 0, buf, GUEST_READ_MAX + 1);
	try("into the kernel", id, 0, (void *) KERNBASE, 16);
	try("into read-only memory", id, 0, (void *) readonly, 16);
	try("into unmapped memory", id, 0, (void *) 0x70000000, 16);
	cprintf("testguestread: done\n");
}
