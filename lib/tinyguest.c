/*
 * Tiny real-mode guests for the monitor's test programs, and the
 * checks those programs make (inc/vmm/tinyguest.h).
 */

#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/vmm/tinyguest.h>

int expect_failures;
static const char *test_name = "test";	// the program, for its lines

/* Check that what a call or a guest left is what it should have. */
void
expect(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		cprintf("%s: %s: got %ld (0x%lx), want %ld (0x%lx)\n", test_name, what,
			(long) got, (long) got, (long) want, (long) want);
		expect_failures++;
	}
}

/* Check that ok holds: what says what should have been. */
void
expect_true(bool ok, const char *what)
{
	if (!ok) {
		cprintf("%s: %s: not so, want so\n", test_name, what);
		expect_failures++;
	}
}

/* The last line of a test program: done, or FAILED if a check failed. */
void
expect_report(void)
{
	cprintf("%s: %s\n", test_name, expect_failures ? "FAILED" : "done");
}

/*
 * Start test program prog (the name its lines begin with; a first
 * program has no argv[0]): allocate the three staging pages (code,
 * shared, spare) at their addresses.  Panics if memory runs out.
 */
void
tinyguest_begin(const char *prog)
{
	int r;

	test_name = prog;
	if ((r = sys_page_alloc(0, TINYGUEST_CODE_VA, PTE_P | PTE_U | PTE_W)) < 0
	    || (r = sys_page_alloc(0, (void *) TINYGUEST_SHARED_VA, PTE_P | PTE_U | PTE_W)) < 0
	    || (r = sys_page_alloc(0, TINYGUEST_SPARE_VA, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
}

/*
 * Whether this machine runs guests.  Makes one guest and destroys it:
 * the first guest of a boot runs the kernel's EPT self-test, which a
 * test counting free pages leaves out that way.  Says so when there are
 * no guests here; panics on any other error.
 */
bool
tinyguest_supported(void)
{
	envid_t r = sys_env_mkguest(TINYGUEST_MEM, GUEST_BOOT_GPA);

	if (r == -E_NOT_SUPP) {
		cprintf("%s: no guests on this machine: %e\n", test_name, r);
		return false;
	}
	if (r < 0)
		panic("sys_env_mkguest: %e", r);
	sys_env_destroy(r);
	wait(r);
	return true;
}

/*
 * A guest with TINYGUEST_MEM bytes of memory that will run
 * code[0..end) at GUEST_BOOT_GPA (read and execute only), with the
 * cleared page at TINYGUEST_SHARED_VA as its page at
 * TINYGUEST_SHARED_GPA; not runnable yet, so that the caller may still
 * change the code at TINYGUEST_CODE_VA.  The caller has allocated both
 * staging pages (tinyguest_begin).  Panics if the guest cannot be made.
 */
envid_t
tinyguest_load(const char *code, const char *end)
{
	envid_t guest;
	int r;

	if ((guest = sys_env_mkguest(TINYGUEST_MEM, GUEST_BOOT_GPA)) < 0)
		panic("sys_env_mkguest: %e", guest);
	memset(TINYGUEST_CODE_VA, 0, PGSIZE);
	memmove(TINYGUEST_CODE_VA, code, end - code);
	hypercall_fix_sites(TINYGUEST_CODE_VA, code, end);	// VMMCALL on AMD
	memset((void *) TINYGUEST_SHARED_VA, 0, PGSIZE);
	if ((r = sys_ept_map(0, TINYGUEST_CODE_VA, guest, (void *) GUEST_BOOT_GPA,
			     __EPTE_READ | __EPTE_EXEC)) < 0
	    || (r = sys_ept_map(0, (void *) TINYGUEST_SHARED_VA, guest,
				(void *) TINYGUEST_SHARED_GPA, __EPTE_FULL)) < 0)
		panic("sys_ept_map: %e", r);
	return guest;
}

/* tinyguest_load's guest, made runnable.  Panics if it cannot be. */
envid_t
tinyguest_start(const char *code, const char *end)
{
	envid_t guest = tinyguest_load(code, end);
	int r;

	if ((r = sys_env_set_status(guest, ENV_RUNNABLE)) < 0)
		panic("sys_env_set_status: %e", r);
	return guest;
}

/* The 32-bit value a guest left at offset off of the shared page. */
int32_t
tinyguest_result(int off)
{
	return *(volatile int32_t *) (TINYGUEST_SHARED_VA + off);
}

/*
 * Yield until the shared byte at off holds value, for at most ms
 * milliseconds; whether it does.
 */
bool
tinyguest_wait(int off, uint8_t value, unsigned ms)
{
	unsigned deadline = sys_time_msec() + ms;

	while (TINYGUEST_SHARED_VA[off] != value && sys_time_msec() < deadline)
		sys_yield();
	return TINYGUEST_SHARED_VA[off] == value;
}

/*
 * Yield until guest is asleep in HLT (sys_guest_info says halted), for
 * at most ms milliseconds; whether it is.  Its last figures are left in
 * *gi (zeros if it could not be read).
 */
bool
tinyguest_wait_halted(envid_t guest, unsigned ms, struct guest_info *gi)
{
	unsigned deadline = sys_time_msec() + ms;

	memset(gi, 0, sizeof(*gi));
	while (!(guest_info_of(guest, gi) && gi->halted) && sys_time_msec() < deadline)
		sys_yield();
	return gi->halted;
}
