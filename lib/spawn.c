/*
 * spawn: start a program from the file system in a new env.  Unlike
 * Unix exec, the parent builds the child from the outside: it maps the
 * ELF segments and an argument stack into the child, passes on its
 * PTE_SHARE pages (open descriptors), sets the registers and lets it go.
 */

#include <inc/lib.h>
#include <inc/elf.h>

/* The PTE for va, or 0 if any level of the page table is missing. */
static pte_t
pte_of(uintptr_t va)
{
	if (!(uvpml4e[va >> PML4SHIFT] & PTE_P) ||
	    !(uvpde[va >> PDPESHIFT] & PTE_P) ||
	    !(uvpd[va >> PDXSHIFT] & PTE_P))
		return 0;
	return uvpt[PGNUM(va)];
}

/*
 * Build the child's stack page: the argument strings at the top, the
 * argv array below them, and argc at (%rsp) with argv at 8(%rsp), as
 * lib/entry.S expects.  Stores the child's initial %rsp in *init_rsp.
 */
static int
init_stack(envid_t child, const char **argv, uintptr_t *init_rsp)
{
	size_t string_size = 0;
	int argc, i, r;
	char *string_store;
	uintptr_t *argv_store, *top;

	for (argc = 0; argv[argc] != NULL; argc++)
		string_size += strlen(argv[argc]) + 1;

	string_store = (char *) UTEMP + PGSIZE - string_size;
	argv_store = (uintptr_t *) (ROUNDDOWN((uintptr_t) string_store, 8)
				    - sizeof(uintptr_t) * (argc + 1));
	top = argv_store - 2;
	if ((uintptr_t) top < (uintptr_t) UTEMP)
		return -E_NO_MEM;	// the arguments do not fit on one page

	if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		return r;

// Where an address in the UTEMP page will be in the child.
#define CHILD_VA(p) (USTACKTOP - PGSIZE + ((uintptr_t) (p) - (uintptr_t) UTEMP))

	for (i = 0; i < argc; i++) {
		argv_store[i] = CHILD_VA(string_store);
		strcpy(string_store, argv[i]);
		string_store += strlen(argv[i]) + 1;
	}
	argv_store[argc] = 0;
	top[0] = argc;
	top[1] = CHILD_VA(argv_store);
	*init_rsp = CHILD_VA(top);
#undef CHILD_VA

	if ((r = sys_page_map(0, UTEMP, child, (void *) (USTACKTOP - PGSIZE),
			      PTE_P | PTE_U | PTE_W)) < 0) {
		sys_page_unmap(0, UTEMP);
		return r;
	}
	return sys_page_unmap(0, UTEMP);
}

/*
 * Map a segment into the child at va: memsz bytes, of which the first
 * filesz come from fd at fileoffset and the rest are zero.
 */
static int
map_segment(envid_t child, uintptr_t va, size_t memsz,
	    int fd, size_t filesz, off_t fileoffset, int perm)
{
	size_t i, n;
	ssize_t got;
	int r;

	if ((i = PGOFF(va)) != 0) {
		va -= i;
		memsz += i;
		filesz += i;
		fileoffset -= i;
	}

	for (i = 0; i < memsz; i += PGSIZE) {
		if (i >= filesz) {
			if ((r = sys_page_alloc(child, (void *) (va + i), perm)) < 0)
				return r;
			continue;
		}
		if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
			return r;
		n = MIN(filesz - i, (size_t) PGSIZE);
		if ((r = seek(fd, fileoffset + i)) < 0 ||
		    (got = readn(fd, UTEMP, n)) < 0) {
			sys_page_unmap(0, UTEMP);
			return r < 0 ? r : got;
		}
		if ((size_t) got != n) {
			sys_page_unmap(0, UTEMP);
			return -E_NOT_EXEC;	// the file ends too soon
		}
		r = sys_page_map(0, UTEMP, child, (void *) (va + i), perm);
		sys_page_unmap(0, UTEMP);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Is ph a loadable segment that fits below UTOP and in a file of size fsize? */
static bool
segment_ok(const struct Proghdr *ph, off_t fsize)
{
	return ph->p_filesz <= ph->p_memsz
		&& ph->p_va < UTOP && ph->p_memsz <= UTOP - ph->p_va
		&& ph->p_offset <= (uint64_t) fsize
		&& ph->p_filesz <= (uint64_t) fsize - ph->p_offset
		&& PGOFF(ph->p_offset) == PGOFF(ph->p_va);
}

/* Read program header i of the ELF on fd into *ph. */
static int
read_phdr(int fd, const struct Elf *elf, int i, struct Proghdr *ph)
{
	int r;

	if ((r = seek(fd, elf->e_phoff + i * sizeof *ph)) < 0)
		return r;
	if (readn(fd, ph, sizeof *ph) != sizeof *ph)
		return -E_NOT_EXEC;
	return 0;
}

/*
 * Read the ELF header on fd into *elf and check it and every loadable
 * segment: -E_NOT_EXEC unless this is a 64-bit x86 program whose
 * program headers lie in the file and whose segments lie in the file
 * and below UTOP.
 */
static int
check_elf(int fd, struct Elf *elf)
{
	struct Proghdr ph;
	struct Stat st;
	int i, r;

	if ((r = fstat(fd, &st)) < 0)
		return r;
	if (readn(fd, elf, sizeof *elf) != sizeof *elf
	    || elf->e_magic != ELF_MAGIC
	    || elf->e_elf[0] != ELF_CLASS_64
	    || elf->e_machine != ELF_MACHINE_X86_64
	    || elf->e_phentsize != sizeof(struct Proghdr)
	    || elf->e_entry >= UTOP
	    || elf->e_phoff > (uint64_t) st.st_size
	    || elf->e_phnum * sizeof ph > (uint64_t) st.st_size - elf->e_phoff)
		return -E_NOT_EXEC;
	for (i = 0; i < elf->e_phnum; i++) {
		if ((r = read_phdr(fd, elf, i, &ph)) < 0)
			return r;
		if (ph.p_type == ELF_PROG_LOAD && !segment_ok(&ph, st.st_size))
			return -E_NOT_EXEC;
	}
	return 0;
}

/* Load every segment of the (checked) ELF on fd into child. */
static int
load_elf(envid_t child, int fd, const struct Elf *elf)
{
	struct Proghdr ph;
	int i, r, perm;

	for (i = 0; i < elf->e_phnum; i++) {
		if ((r = read_phdr(fd, elf, i, &ph)) < 0)
			return r;
		if (ph.p_type != ELF_PROG_LOAD)
			continue;
		perm = PTE_P | PTE_U;
		if (ph.p_flags & ELF_PROG_FLAG_WRITE)
			perm |= PTE_W;
		if ((r = map_segment(child, ph.p_va, ph.p_memsz, fd,
				     ph.p_filesz, ph.p_offset, perm)) < 0)
			return r;
	}
	return 0;
}

/*
 * Map every PTE_SHARE page of ours into child at the same address,
 * from the top down so that a pipe's data page goes before its Fd
 * pages (see lib/pipe.c).
 */
static int
copy_shared_pages(envid_t child)
{
	uintptr_t va = UTOP, a;
	pte_t pte;
	int r;

	while (va > 0) {
		a = va - PGSIZE;
		if (!(uvpml4e[a >> PML4SHIFT] & PTE_P)) {
			va = ROUNDDOWN(a, 1UL << PML4SHIFT);
			continue;
		}
		if (!(uvpde[a >> PDPESHIFT] & PTE_P)) {
			va = ROUNDDOWN(a, 1UL << PDPESHIFT);
			continue;
		}
		if (!(uvpd[a >> PDXSHIFT] & PTE_P)) {
			va = ROUNDDOWN(a, 1UL << PDXSHIFT);
			continue;
		}
		pte = pte_of(a);
		if ((pte & PTE_P) && (pte & PTE_SHARE) &&
		    (r = sys_page_map(0, (void *) a, child, (void *) a,
				      pte & PTE_SYSCALL)) < 0)
			return r;
		va = a;
	}
	return 0;
}

/*
 * Start program prog (a path on the file system) in a new env with the
 * arguments argv (NULL-terminated; argv[0] is by custom the name).  The
 * child shares our open descriptors.  Returns its env id, or -E_*:
 * -E_NOT_EXEC if prog is not a valid ELF program.
 */
envid_t
spawn(const char *prog, const char **argv)
{
	struct Trapframe child_tf;
	uintptr_t rsp;
	struct Elf elf;
	envid_t child;
	int fd, r;

	if ((fd = open(prog, O_RDONLY)) < 0)
		return fd;
	if ((r = check_elf(fd, &elf)) < 0 || (r = sys_exofork()) < 0) {
		close(fd);
		return r;
	}
	child = r;
	if (child == 0)
		panic("spawn: the child ran on its own");

	if ((r = load_elf(child, fd, &elf)) < 0 ||
	    (r = init_stack(child, argv, &rsp)) < 0)
		goto error;
	close(fd);
	fd = -1;

	if ((r = copy_shared_pages(child)) < 0)
		goto error;

	child_tf = envs[ENVX(child)].env_tf;
	child_tf.tf_rip = elf.e_entry;
	child_tf.tf_rsp = rsp;
	if ((r = sys_env_set_trapframe(child, &child_tf)) < 0 ||
	    (r = sys_env_set_status(child, ENV_RUNNABLE)) < 0)
		goto error;
	return child;

error:
	sys_env_destroy(child);
	if (fd >= 0)
		close(fd);
	return r;
}

/* spawn with the arguments listed inline, ended by NULL. */
envid_t
spawnl(const char *prog, const char *arg0, ...)
{
	va_list ap;
	int argc = 0, i;

	va_start(ap, arg0);
	while (va_arg(ap, const char *) != NULL)
		argc++;
	va_end(ap);

	{
		const char *argv[argc + 2];

		argv[0] = arg0;
		va_start(ap, arg0);
		for (i = 1; i <= argc; i++)
			argv[i] = va_arg(ap, const char *);
		va_end(ap);
		argv[argc + 1] = NULL;
		return spawn(prog, argv);
	}
}
