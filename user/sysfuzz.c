// Throws random system calls at the kernel from several forked children:
// random call numbers (valid and not) with arguments drawn from kernel,
// unmapped, misaligned, non-canonical, huge and valid addresses and from
// real and made-up env ids.  The kernel must survive, refuse what is not
// allowed, and not leak pages.
//
// Left out on purpose: calls that would hang or spoil the run rather
// than test the kernel: cgetc (eats console input), exofork and
// env_mkguest (their new envs would outlive the child that made them),
// a blocking ipc_recv, and destroying, stopping or re-pointing the
// caller itself (env_destroy/env_set_status/env_set_trapframe/
// env_set_pgfault_upcall on itself, page calls on its own live pages).
// A bad pointer given to cputs or env_set_trapframe kills the caller by
// the kernel's rules, so those are made rarely.

#include <inc/lib.h>
#include <inc/x86.h>

#define TOTAL_CALLS	100000
#define CALLS_PER_CHILD	5000
#define NRUNNING	4		// children alive at once
#define SCRATCH		0x20000000UL	// children's playground for page calls
#define SCRATCH_PAGES	32
#define SHARED		((volatile struct fuzzstats *) 0x30000000)

struct fuzzstats {
	uint64_t calls;			// calls that returned
	uint64_t errors;		// of which returned < 0
	uint64_t deaths;		// children killed on purpose (bad pointer)
	uint64_t wrong;			// calls the kernel should have refused
};

static uint64_t seed;
static envid_t self, parent;

/* xorshift64*: the next pseudo-random number. */
static uint64_t
rnd(void)
{
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return seed * 2685821657736338717ULL;
}

/* A random number in [0, n). */
static uint64_t
below(uint64_t n)
{
	return rnd() % n;
}

/* An address nobody may use: kernel, unmapped, misaligned, odd. */
static uint64_t
bad_addr(void)
{
	static const uint64_t pool[] = {
		0, 1, 0xfff, 0x1000,			// first pages
		KERNBASE, KERNBASE + 0x100000,		// kernel
		KSTACKTOP - 8, MMIOBASE, ULIM - 1,	// just below the kernel
		UTOP, UENVS, UPAGES,			// read-only user area
		UVPT, UVPT + 0x80000000UL,		// page tables
		USTACKTOP,				// stack guard page
		0x0000800000000000UL,			// non-canonical
		0xffff800000000000UL,			// canonical, kernel half
		0xfffffffffffff000UL, ~0UL,		// the very top
		0x7ffffffff000UL,
	};

	switch (below(4)) {
	case 0:
		return pool[below(sizeof(pool) / sizeof(pool[0]))];
	case 1:
		return rnd();				// anything at all
	case 2:
		return pool[below(sizeof(pool) / sizeof(pool[0]))] + below(PGSIZE);
	default:
		return (rnd() & 0xffffffffUL) | 1;	// low and misaligned
	}
}

/* An address no user may read: kernel memory or certainly unmapped. */
static uint64_t
deadly_addr(void)
{
	static const uint64_t pool[] = {
		0, 0x10, KERNBASE, KERNBASE + 0x100000, KSTACKTOP - 64,
		MMIOBASE, USTACKTOP, USTACKTOP + 0x800,
		0x0000800000000000UL, 0xffff800000000000UL, 0xffffffffffffff00UL,
	};

	return pool[below(sizeof(pool) / sizeof(pool[0]))];
}

/* Any address: bad ones, our scratch area, or a page we really use. */
static uint64_t
any_addr(void)
{
	switch (below(5)) {
	case 0:
	case 1:
		return bad_addr();
	case 2:
		return SCRATCH + below(SCRATCH_PAGES) * PGSIZE;
	case 3:
		return UTEXT;
	default:
		return (uint64_t) SHARED;
	}
}

/* An address for a page call on our own address space: never a live page. */
static uint64_t
own_target_addr(void)
{
	if (below(2))
		return SCRATCH + below(SCRATCH_PAGES) * PGSIZE
			+ (below(8) == 0 ? below(PGSIZE) : 0);
	for (;;) {
		uint64_t va = bad_addr();
		// Misaligned or out of range, so the kernel must refuse it.
		if (va >= UTOP || va % PGSIZE != 0)
			return va;
	}
}

/* An env id: ours (as 0 or by id), our parent's, another's, or made up. */
static envid_t
any_env(void)
{
	int i;

	switch (below(7)) {
	case 0:
		return 0;
	case 1:
		return self;
	case 2:
		return parent;
	case 3:
		i = below(NENV);
		return envs[i].env_id;			// maybe free, maybe a sibling
	case 4:
		return -(envid_t) below(100);
	case 5:
		return (envid_t) rnd();
	default:
		return (envid_t) (ENVX(self) | (below(16) << LOG2NENV));
	}
}

static bool
is_self(envid_t e)
{
	return e == 0 || e == self;
}

/* A permission word: mostly sensible, sometimes not. */
static uint64_t
any_perm(void)
{
	static const uint64_t pool[] = {
		PTE_P | PTE_U, PTE_P | PTE_U | PTE_W, PTE_U, PTE_P,
		PTE_P | PTE_U | PTE_W | PTE_SHARE, 0, PTE_SYSCALL,
		PTE_P | PTE_U | PTE_PS, PTE_P | PTE_U | PTE_G,
	};

	if (below(8) == 0)
		return rnd();
	return pool[below(sizeof(pool) / sizeof(pool[0]))];
}

/* Make system call num with arguments a1..a5; return %rax. */
static int64_t
rawcall(uint64_t num, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int64_t ret;

	asm volatile("int %1"
		     : "=a" (ret)
		     : "i" (T_SYSCALL), "a" (num), "d" (a1), "c" (a2),
		       "b" (a3), "D" (a4), "S" (a5)
		     : "cc", "memory");
	return ret;
}

/* Whether perm is one the page calls accept: P and U, nothing beyond PTE_SYSCALL. */
static bool
good_perm(uint64_t perm)
{
	return (perm & (PTE_P | PTE_U)) == (PTE_P | PTE_U) && (perm & ~(uint64_t) PTE_SYSCALL) == 0;
}

/* Whether va is a page-aligned user address. */
static bool
good_va(uint64_t va)
{
	return va < UTOP && va % PGSIZE == 0;
}

/*
 * Whether the kernel's rules say call num with arguments a must fail.
 * A fuzzing child has no children of its own, so every env other than
 * itself is out of its reach.
 */
static bool
must_fail(uint64_t num, const uint64_t *a)
{
	switch (num) {
	case SYS_env_destroy:
	case SYS_env_set_status:
	case SYS_env_set_trapframe:
	case SYS_env_set_pgfault_upcall:
		return !is_self(a[0]);	// we never pick ourselves for these
	case SYS_page_alloc:
		return !is_self(a[0]) || !good_va(a[1]) || !good_perm(a[2]);
	case SYS_page_map:
		return !is_self(a[0]) || !is_self(a[2]) || !good_va(a[1])
			|| !good_va(a[3]) || !good_perm(a[4]);
	case SYS_page_unmap:
		return !is_self(a[0]) || !good_va(a[1]);
	case SYS_ipc_try_send:		// nobody we send to is receiving
	case SYS_ipc_recv:		// always misaligned
		return true;
	case SYS_cputs:
	case SYS_getenvid:
	case SYS_yield:
	case SYS_time_msec:
	case SYS_free_pages:
	case SYS_ept_map:		// depends on guests we know nothing of
		return false;
	default:			// not a system call
		return true;
	}
}

/* One random system call that must return (or kill us only if deadly). */
static void
fuzz_once(void)
{
	uint64_t num, a[5];
	int64_t r;
	envid_t e;
	int i;

	for (i = 0; i < 5; i++)
		a[i] = rnd();

	switch (below(20)) {
	case 0:		// a number out of range
		num = below(2) ? NSYSCALLS + below(1000) : rnd();
		break;
	case 1:		// rarely: a deadly bad pointer
		if (below(400) == 0) {
			__atomic_fetch_add(&SHARED->deaths, 1, __ATOMIC_RELAXED);
			if (below(2))
				rawcall(SYS_cputs, deadly_addr(), 1 + below(64), 0, 0, 0);
			else
				rawcall(SYS_env_set_trapframe, 0, deadly_addr(), 0, 0, 0);
			panic("a bad pointer did not kill me");
		}
		// Harmless: a good pointer and nothing to print.
		num = SYS_cputs;
		a[0] = below(2) ? UTEXT : (uint64_t) SHARED;
		a[1] = 0;
		break;
	case 2:
		num = SYS_getenvid;
		break;
	case 3:
		num = SYS_env_destroy;
		do {
			e = any_env();
		} while (is_self(e));
		a[0] = e;
		break;
	case 4:
	case 5:
		num = SYS_page_alloc;
		a[0] = e = any_env();
		a[1] = is_self(e) ? own_target_addr() : any_addr();
		a[2] = any_perm();
		break;
	case 6:
	case 7:
		num = SYS_page_map;
		a[0] = any_env();
		a[1] = any_addr();
		a[2] = e = any_env();
		a[3] = is_self(e) ? own_target_addr() : any_addr();
		a[4] = any_perm();
		break;
	case 8:
		num = SYS_page_unmap;
		a[0] = e = any_env();
		a[1] = is_self(e) ? own_target_addr() : any_addr();
		break;
	case 9:
		num = SYS_env_set_status;
		do {
			e = any_env();
		} while (is_self(e));
		a[0] = e;
		a[1] = below(2) ? below(8) : rnd();
		break;
	case 10:
		num = SYS_env_set_trapframe;
		do {
			e = any_env();
		} while (is_self(e));
		a[0] = e;
		a[1] = below(2) ? any_addr() : (uint64_t) &envs[0].env_tf;
		break;
	case 11:
		num = SYS_env_set_pgfault_upcall;
		do {
			e = any_env();
		} while (is_self(e));
		a[0] = e;
		a[1] = any_addr();
		break;
	case 12:
		num = SYS_yield;
		break;
	case 13:
	case 14:
		// Only to envs that cannot be a real receiver (ourselves,
		// made-up ids), so no server ever gets junk.
		num = SYS_ipc_try_send;
		a[0] = below(2) ? self : (envid_t) (rnd() | 0x40000000);
		a[2] = any_addr();
		a[3] = any_perm();
		break;
	case 15:
		// Misaligned below UTOP: refused before blocking.
		num = SYS_ipc_recv;
		a[0] = (below(UTOP / PGSIZE) * PGSIZE) | (1 + below(PGSIZE - 1));
		break;
	case 16:
		num = SYS_time_msec;
		break;
	case 17:
		num = SYS_ept_map;
		a[0] = any_env();
		a[1] = any_addr();
		a[2] = any_env();
		a[3] = any_addr();
		a[4] = any_perm();
		break;
	case 18:
		num = SYS_free_pages;
		break;
	default:	// unknown numbers just above the table
		num = NSYSCALLS + below(4);
		break;
	}

	r = rawcall(num, a[0], a[1], a[2], a[3], a[4]);
	if (r < 0)
		__atomic_fetch_add(&SHARED->errors, 1, __ATOMIC_RELAXED);
	else if (must_fail(num, a)
		 && __atomic_fetch_add(&SHARED->wrong, 1, __ATOMIC_RELAXED) < 10)
		cprintf("sysfuzz: [%08x] the kernel allowed syscall %lx(%lx, %lx, %lx, %lx, %lx) = %ld\n",
			self, (unsigned long) num, (unsigned long) a[0], (unsigned long) a[1],
			(unsigned long) a[2], (unsigned long) a[3], (unsigned long) a[4], (long) r);
	__atomic_fetch_add(&SHARED->calls, 1, __ATOMIC_RELAXED);
}

/* A child's life: up to CALLS_PER_CHILD random calls. */
static void
fuzz_child(void)
{
	int i;

	self = sys_getenvid();
	seed = ((uint64_t) self << 32) ^ read_tsc() ^ 0x9e3779b97f4a7c15ULL;
	if (seed == 0)
		seed = 1;
	for (i = 0; i < CALLS_PER_CHILD && SHARED->calls < TOTAL_CALLS; i++)
		fuzz_once();
	exit();
}

/* Whether the env that had id envid is gone. */
static bool
gone(envid_t envid)
{
	const volatile struct Env *e = &envs[ENVX(envid)];

	return e->env_id != envid || e->env_status == ENV_FREE;
}

void
umain(int argc, char **argv)
{
	envid_t kids[NRUNNING] = { 0 };
	int64_t before, after;
	int i, nforks = 0, busy;
	uint64_t reported = 0;
	int r;

	parent = sys_getenvid();
	if ((r = sys_page_alloc(0, (void *) SHARED, PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sys_page_alloc: %e", r);

	// One throw-away fork first, so that the pages fork itself adds
	// to us (exception stack, copies of our own data) are counted in
	// "before".
	if ((r = fork()) == 0)
		exit();
	if (r < 0)
		panic("fork: %e", r);
	while (!gone(r))
		sys_yield();
	before = sys_free_pages();

	cprintf("sysfuzz: %d random system calls from %d children at a time\n",
		TOTAL_CALLS, NRUNNING);
	for (;;) {
		busy = 0;
		for (i = 0; i < NRUNNING; i++) {
			if (kids[i] != 0 && !gone(kids[i])) {
				busy++;
				continue;
			}
			kids[i] = 0;
			if (SHARED->calls >= TOTAL_CALLS)
				continue;
			if ((r = fork()) < 0)
				panic("fork: %e", r);
			if (r == 0)
				fuzz_child();
			kids[i] = r;
			nforks++;
			busy++;
		}
		if (SHARED->calls >= reported + 10000) {
			reported = SHARED->calls - SHARED->calls % 10000;
			cprintf("sysfuzz: %ld calls\n", (long) reported);
		}
		if (busy == 0)
			break;
		sys_yield();
	}

	after = sys_free_pages();
	cprintf("sysfuzz: %ld calls (%ld refused), %d children, %ld killed on purpose\n",
		(long) SHARED->calls, (long) SHARED->errors, nforks, (long) SHARED->deaths);
	cprintf("sysfuzz: free pages before %d after %d\n", (int) before, (int) after);
	if (SHARED->wrong == 0 && before == after)
		cprintf("sysfuzz: OK\n");
	else
		cprintf("sysfuzz: FAILED: %ld calls wrongly allowed, %ld pages leaked\n",
			(long) SHARED->wrong, (long) (before - after));
}
