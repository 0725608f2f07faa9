/*
 * Environments: allocation, address spaces, program loading, running
 * and destruction.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/elf.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/monitor.h>
#include <kern/sched.h>
#include <kern/cpu.h>
#include <kern/spinlock.h>
#include <kern/vmmapi.h>
#include <kern/lapic.h>
#include <kern/timer.h>

struct Env *envs;			// all environments, NENV of them
static struct Env *env_free_list;	// free ones, lowest index first
int env_slots_used;			// 1 + the highest low slot ever allocated
int env_slots_top;			// top slots ever allocated (env_alloc_top)
bool env_ever_freed;			// some env has been freed since boot

// The generation part of an env id starts at bit ENVGENSHIFT.
#define ENVGENSHIFT	12

/*
 * User space is PML4 slot 0 and, in slot 1, the part below UTOP: the
 * first USER_PDES_IN_SLOT1 page directory entries of slot 1's first
 * directory.  The rest of slot 1 is kernel, so each env has private
 * copies of slot 1's directory pointer table and first directory.
 */
#define KERN_SLOT		PML4(KERNBASE)
#define USER_PDES_IN_SLOT1	PDX(UTOP)

/*
 * The env with id envid, in *env_store.  envid 0 means the current env.
 * With checkperm, the env must be the current env or its child.
 * Returns 0, or -E_BAD_ENV (and *env_store = NULL).
 */
int
envid2env(envid_t envid, struct Env **env_store, bool checkperm)
{
	struct Env *e;

	if (envid == 0) {
		*env_store = curenv;
		return curenv ? 0 : -E_BAD_ENV;
	}
	e = &envs[ENVX(envid)];
	if (envid < 0 || e->env_status == ENV_FREE || e->env_id != envid
	    || (checkperm && e != curenv && e->env_parent_id != curenv->env_id)) {
		*env_store = NULL;
		return -E_BAD_ENV;
	}
	*env_store = e;
	return 0;
}

/* Put every env on the free list, in index order, and set up this CPU. */
void
env_init(void)
{
	for (int i = NENV - 1; i >= 0; i--) {
		envs[i].env_id = 0;
		envs[i].env_status = ENV_FREE;
		envs[i].env_link = env_free_list;
		env_free_list = &envs[i];
	}
}

/*
 * Give e its own PML4 with the kernel's mappings and the recursive UVPT
 * entry.  Returns 0 or -E_NO_MEM.
 */
int
env_setup_vm(struct Env *e)
{
	uint64_t *pml4, *pdpt, *pd;
	uint64_t *kern_pdpt = KADDR(PTE_ADDR(boot_pml4e[KERN_SLOT]));
	uint64_t *kern_pd = KADDR(PTE_ADDR(kern_pdpt[0]));

	if (!(pml4 = page_alloc_kva()))
		return -E_NO_MEM;
	if (!(pdpt = page_alloc_kva())) {
		page_free_kva(pml4);
		return -E_NO_MEM;
	}
	if (!(pd = page_alloc_kva())) {
		page_free_kva(pdpt);
		page_free_kva(pml4);
		return -E_NO_MEM;
	}

	for (int i = PML4(UTOP); i < NPMLENTRIES; i++)
		pml4[i] = boot_pml4e[i];
	memmove(pdpt, kern_pdpt, PGSIZE);
	for (int i = USER_PDES_IN_SLOT1; i < NPDENTRIES; i++)
		pd[i] = kern_pd[i];
	pdpt[0] = PADDR(pd) | (kern_pdpt[0] & 0xFFF);
	pml4[KERN_SLOT] = PADDR(pdpt) | (boot_pml4e[KERN_SLOT] & 0xFFF);

	e->env_pml4e = pml4;
	e->env_cr3 = PADDR(pml4);
	pml4[PML4(UVPT)] = e->env_cr3 | PTE_P | PTE_U;
	return 0;
}

/*
 * Take the free env e off the free list and initialise it (not runnable
 * yet) with parent parent_id.  Returns 0 and the env in *newenv_store,
 * or -E_NO_MEM (e stays free).
 */
static int
env_alloc_slot(struct Env *e, struct Env **newenv_store, envid_t parent_id)
{
	struct Env **link;
	int32_t generation;
	int r;

	if ((r = env_setup_vm(e)) < 0)
		return r;

	generation = (e->env_id + (1 << ENVGENSHIFT)) & ~(NENV - 1);
	if (generation <= 0)	// wrapped around
		generation = 1 << ENVGENSHIFT;
	e->env_id = generation | (e - envs);
	e->env_parent_id = parent_id;
	e->env_type = ENV_TYPE_USER;
	e->env_status = ENV_RUNNABLE;
	e->env_runs = 0;
	e->env_cpunum = -1;

	memset(&e->env_tf, 0, sizeof(e->env_tf));
	e->env_tf.tf_ds = GD_UD | 3;
	e->env_tf.tf_es = GD_UD | 3;
	e->env_tf.tf_ss = GD_UD | 3;
	e->env_tf.tf_rsp = USTACKTOP;
	e->env_tf.tf_cs = GD_UT | 3;
	e->env_tf.tf_eflags = FL_IF;

	e->env_pgfault_upcall = NULL;
	e->env_ipc_recving = false;
	e->env_cons_waiting = false;
	e->env_wait_env = 0;
	e->env_ipc_dstva = NULL;
	e->env_ipc_value = 0;
	e->env_ipc_from = 0;
	e->env_ipc_perm = 0;
	e->env_vmxinfo = NULL;
	e->env_name[0] = '\0';

	for (link = &env_free_list; *link != e; link = &(*link)->env_link)
		assert(*link);
	*link = e->env_link;
	e->env_link = NULL;
	*newenv_store = e;

	cprintf("[%08x] new env %08x\n", curenv ? curenv->env_id : 0, e->env_id);
	return 0;
}

/*
 * Allocate a new env (not runnable yet) with parent parent_id in the
 * lowest free slot.  Returns 0 and the env in *newenv_store, or
 * -E_NO_FREE_ENV or -E_NO_MEM.
 */
int
env_alloc(struct Env **newenv_store, envid_t parent_id)
{
	struct Env *e = env_free_list;
	int r;

	if (!e)
		return -E_NO_FREE_ENV;
	if ((r = env_alloc_slot(e, newenv_store, parent_id)) < 0)
		return r;
	if (e - envs >= env_slots_used)
		env_slots_used = e - envs + 1;
	return 0;
}

/*
 * Like env_alloc, but in the highest free slot: for the file server,
 * which must not take an id in the sequence the first program and its
 * children get (00001000, 00001001, ...).
 */
int
env_alloc_top(struct Env **newenv_store, envid_t parent_id)
{
	struct Env *e = NULL;
	int r;

	for (int i = NENV - 1; i >= 0 && !e; i--)
		if (envs[i].env_status == ENV_FREE)
			e = &envs[i];
	if (!e)
		return -E_NO_FREE_ENV;
	if ((r = env_alloc_slot(e, newenv_store, parent_id)) < 0)
		return r;
	if (NENV - (e - envs) > env_slots_top)
		env_slots_top = NENV - (e - envs);
	return 0;
}

/*
 * Map len bytes of fresh, zeroed, user-writable memory at va in e.
 * Returns 0 or -E_NO_MEM (pages mapped so far stay, freed with e).
 */
static int
region_alloc(struct Env *e, uintptr_t va, size_t len)
{
	uintptr_t start = ROUNDDOWN(va, PGSIZE), end = ROUNDUP(va + len, PGSIZE);

	for (uintptr_t p = start; p < end; p += PGSIZE) {
		struct PageInfo *pp = page_alloc(ALLOC_ZERO);
		if (!pp)
			return -E_NO_MEM;
		if (page_insert(e->env_pml4e, pp, (void *) p, PTE_U | PTE_W) < 0) {
			page_free(pp);
			return -E_NO_MEM;
		}
	}
	return 0;
}

/* Copy len bytes from src to va in e's address space (already mapped). */
static void
copy_to_env(struct Env *e, uintptr_t va, const uint8_t *src, size_t len)
{
	while (len > 0) {
		struct PageInfo *pp = page_lookup(e->env_pml4e, (void *) va, NULL);
		size_t n = MIN(len, (size_t) (PGSIZE - PGOFF(va)));
		assert(pp);
		memmove((uint8_t *) page2kva(pp) + PGOFF(va), src, n);
		va += n;
		src += n;
		len -= n;
	}
}

/*
 * Check that binary[0..size) is an ELF64 x86-64 executable whose
 * program headers and loadable segments lie inside the file and below
 * UTOP.  Returns 0 or a negative error, printing what is wrong.
 */
static int
check_elf(const uint8_t *binary, size_t size)
{
	const struct Elf *elf = (const struct Elf *) binary;
	const struct Proghdr *ph;

	if (size < sizeof(struct Elf) || elf->e_magic != ELF_MAGIC) {
		cprintf("load_icode: not an ELF file\n");
		return -E_NOT_EXEC;
	}
	if (elf->e_elf[0] != ELF_CLASS_64 || elf->e_machine != ELF_MACHINE_X86_64
	    || elf->e_type != ELF_TYPE_EXEC) {
		cprintf("load_icode: not an x86-64 ELF64 executable\n");
		return -E_NOT_EXEC;
	}
	if (elf->e_phentsize != sizeof(struct Proghdr) || elf->e_phoff > size
	    || elf->e_phnum > (size - elf->e_phoff) / sizeof(struct Proghdr)) {
		cprintf("load_icode: program headers outside the file\n");
		return -E_NOT_EXEC;
	}
	ph = (const struct Proghdr *) (binary + elf->e_phoff);
	for (int i = 0; i < elf->e_phnum; i++, ph++) {
		if (ph->p_type != ELF_PROG_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > size
		    || ph->p_filesz > size - ph->p_offset) {
			cprintf("load_icode: segment %d outside the file\n", i);
			return -E_NOT_EXEC;
		}
		if (ph->p_va >= UTOP || ph->p_memsz > UTOP - ph->p_va) {
			cprintf("load_icode: segment %d at %016lx is not below UTOP\n",
				i, ph->p_va);
			return -E_NOT_EXEC;
		}
	}
	if (elf->e_entry >= UTOP) {
		cprintf("load_icode: entry point %016lx is not below UTOP\n", elf->e_entry);
		return -E_NOT_EXEC;
	}
	return 0;
}

/*
 * Give the pages of [va, va+len) in e the segment permissions flags
 * (ELF_PROG_FLAG_*): with grant false, take write and execute away;
 * with grant true, add back what flags allow.  Taking from every
 * segment first and then granting leaves a page that two segments
 * share with the union of their permissions.
 */
static void
protect_segment(struct Env *e, uintptr_t va, size_t len, uint32_t flags, bool grant)
{
	uintptr_t start = ROUNDDOWN(va, PGSIZE), end = ROUNDUP(va + len, PGSIZE);

	for (uintptr_t p = start; p < end; p += PGSIZE) {
		pte_t *pte = pml4e_walk(e->env_pml4e, (void *) p, 0);

		assert(pte && (*pte & PTE_P));
		if (!grant)
			*pte = (*pte & ~(pte_t) PTE_W) | PTE_NX;
		if (grant && (flags & ELF_PROG_FLAG_WRITE))
			*pte |= PTE_W;
		if (grant && (flags & ELF_PROG_FLAG_EXEC))
			*pte &= ~PTE_NX;
	}
}

/*
 * Load the ELF executable binary into e: each loadable segment at its
 * address (file bytes, then zeros), writable only with PF_W and
 * executable only with PF_X (EFER.NXE is on), one stack page below
 * USTACKTOP (not executable), and the entry point in the trap frame.
 * The env's own page tables are new, so no TLB holds the old
 * permissions.  Returns 0 or a negative error.
 */
static int
load_icode(struct Env *e, const uint8_t *binary, size_t size)
{
	const struct Elf *elf = (const struct Elf *) binary;
	const struct Proghdr *ph;
	int r;

	if ((r = check_elf(binary, size)) < 0)
		return r;
	ph = (const struct Proghdr *) (binary + elf->e_phoff);
	for (int i = 0; i < elf->e_phnum; i++, ph++) {
		if (ph->p_type != ELF_PROG_LOAD)
			continue;
		if ((r = region_alloc(e, ph->p_va, ph->p_memsz)) < 0)
			return r;
		copy_to_env(e, ph->p_va, binary + ph->p_offset, ph->p_filesz);
	}
	for (bool grant = false; ; grant = true) {
		ph = (const struct Proghdr *) (binary + elf->e_phoff);
		for (int i = 0; i < elf->e_phnum; i++, ph++)
			if (ph->p_type == ELF_PROG_LOAD && ph->p_memsz > 0)
				protect_segment(e, ph->p_va, ph->p_memsz, ph->p_flags, grant);
		if (grant)
			break;
	}
	if ((r = region_alloc(e, USTACKTOP - PGSIZE, PGSIZE)) < 0)
		return r;
	protect_segment(e, USTACKTOP - PGSIZE, PGSIZE, ELF_PROG_FLAG_WRITE, false);
	protect_segment(e, USTACKTOP - PGSIZE, PGSIZE, ELF_PROG_FLAG_WRITE, true);
	e->env_tf.tf_rip = elf->e_entry;
	return 0;
}

/*
 * Give e the arguments argc 1, argv {argv0, NULL} the way spawn does:
 * the strings at the top of the stack, argc at the new rsp and argv
 * right above it.
 */
static void
push_argv0(struct Env *e, const char *argv0)
{
	size_t len = strlen(argv0) + 1;
	uintptr_t str = USTACKTOP - ROUNDUP(len, 8);
	uintptr_t argv[2] = { str, 0 };
	uintptr_t frame[2] = { 1, str - sizeof(argv) };

	copy_to_env(e, str, (const uint8_t *) argv0, len);
	copy_to_env(e, str - sizeof(argv), (const uint8_t *) argv, sizeof(argv));
	copy_to_env(e, str - sizeof(argv) - sizeof(frame), (const uint8_t *) frame,
		    sizeof(frame));
	e->env_tf.tf_rsp = str - sizeof(argv) - sizeof(frame);
}

/*
 * Create an env of the given type running the ELF image binary: the
 * file server with argv[0] = name, any other with argc 0 and name in
 * env_name (when name is not NULL).  A malformed image or lack of
 * memory is reported and leaves nothing behind.  Returns 0 or a
 * negative error.
 */
int
env_create(const uint8_t *binary, size_t size, enum EnvType type, const char *name)
{
	struct Env *e;
	int r;

	r = type == ENV_TYPE_FS ? env_alloc_top(&e, 0) : env_alloc(&e, 0);
	if (r < 0) {
		cprintf("env_create: %e\n", r);
		return r;
	}
	e->env_type = type;
	// The file server drives the disk itself: give it I/O privilege.
	if (type == ENV_TYPE_FS)
		e->env_tf.tf_eflags |= FL_IOPL_3;
	if ((r = load_icode(e, binary, size)) < 0) {
		cprintf("env_create: cannot load program: %e\n", r);
		env_free(e);
		return r;
	}
	// The first program gets argc 0 as in JOS (lab programs such as
	// testpteshare tell parent from child by it); the file server gets
	// argv[0] = name, which names a guest's disk file.
	if (name && type == ENV_TYPE_FS && strlen(name) < PGSIZE / 2)
		push_argv0(e, name);
	else if (name)
		strlcpy(e->env_name, name, sizeof(e->env_name));
	return 0;
}

/* Unmap every page a user page table maps, then free the table. */
static void
free_user_pt(uint64_t *pt)
{
	for (int i = 0; i < NPTENTRIES; i++)
		if (pt[i] & PTE_P)
			page_decref(pa2page(PTE_ADDR(pt[i])));
	page_free_kva(pt);
}

/* Free the page tables of directory entries [0, n) of pd. */
static void
free_user_pd_entries(uint64_t *pd, int n)
{
	for (int i = 0; i < n; i++)
		if (pd[i] & PTE_P)
			free_user_pt(KADDR(PTE_ADDR(pd[i])));
}

/*
 * Free env e: every user page and page table, its address space, and
 * its slot (back on the free list).
 */
void
env_free(struct Env *e)
{
	uint64_t *pml4 = e->env_pml4e;

	// Leave e's address space before tearing it down.
	if (e == curenv)
		lcr3(boot_cr3);

	cprintf("[%08x] free env %08x\n", curenv ? curenv->env_id : 0, e->env_id);

	// A wake-up it asked for would name a freed (later reused) slot.
	timer_cancel(e);
	// A guest's memory and virtual CPU (its page tables are as usual).
	if (e->env_type == ENV_TYPE_GUEST)
		guest_free(e);

	// PML4 slot 0: all user.
	if (pml4[0] & PTE_P) {
		uint64_t *pdpt = KADDR(PTE_ADDR(pml4[0]));
		for (int i = 0; i < NPDPENTRIES; i++) {
			if (!(pdpt[i] & PTE_P))
				continue;
			uint64_t *pd = KADDR(PTE_ADDR(pdpt[i]));
			free_user_pd_entries(pd, NPDENTRIES);
			page_free_kva(pd);
		}
		page_free_kva(pdpt);
	}
	// PML4 slot 1: the private directory pointer table and directory.
	uint64_t *pdpt = KADDR(PTE_ADDR(pml4[KERN_SLOT]));
	uint64_t *pd = KADDR(PTE_ADDR(pdpt[0]));
	free_user_pd_entries(pd, USER_PDES_IN_SLOT1);
	page_free_kva(pd);
	page_free_kva(pdpt);
	page_free_kva(pml4);

	e->env_pml4e = NULL;
	e->env_cr3 = 0;
	e->env_status = ENV_FREE;
	e->env_cons_waiting = false;
	e->env_wait_env = 0;
	e->env_link = env_free_list;
	env_free_list = e;
	env_ever_freed = true;
	sched_wake_env_waiters(e->env_id);
}

/*
 * Destroy env e.  If it is running on another CPU, it is only marked
 * dying, that CPU is interrupted, and it frees the env at its next
 * trap (or, for a guest, at its next exit).  One already marked is
 * still running there: a second destroy must not free it under that
 * CPU.  If e is the current env, the scheduler runs something else and
 * this does not return.
 */
void
env_destroy(struct Env *e)
{
	if ((e->env_status == ENV_RUNNING || e->env_status == ENV_DYING) && e != curenv) {
		e->env_status = ENV_DYING;
		lapic_ipi_cpu(e->env_cpunum, IRQ_OFFSET + IRQ_TIMER);
		return;
	}
	env_free(e);
	if (e == curenv) {
		curenv = NULL;
		sched_yield();
	}
}

/*
 * Switch this CPU to env e and return to user mode in it, or, for a
 * guest, run it in its virtual machine.  The kernel lock is released on
 * the way out (for a guest, while it runs).
 */
void
env_run(struct Env *e)
{
	if (curenv && curenv != e && curenv->env_status == ENV_RUNNING)
		curenv->env_status = ENV_RUNNABLE;
	curenv = e;
	e->env_status = ENV_RUNNING;
	e->env_cpunum = cpunum();
	e->env_runs++;
	lcr3(e->env_cr3);
	if (e->env_type == ENV_TYPE_GUEST)
		guest_run(e);
	unlock_kernel();
	env_pop_tf(&e->env_tf);
}

/* An embedded program, from the table obj/kern/userprogs.S makes. */
struct user_program_entry {
	const char *name;
	const uint8_t *start;
	const uint8_t *end;
};
extern const struct user_program_entry user_programs[];

const uint8_t *
user_program(const char *name, size_t *size)
{
	for (const struct user_program_entry *p = user_programs; p->name; p++)
		if (strcmp(p->name, name) == 0) {
			*size = p->end - p->start;
			return p->start;
		}
	return NULL;
}
