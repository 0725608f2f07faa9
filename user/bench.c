// Micro-benchmarks, in TSC cycles: a null system call, an IPC round trip
// between two envs, a page fault reflected to user level and back, fork
// of a process with 1 MiB of touched memory and, inside a guest of the
// JOS monitor (CPUID names it: in_jos_guest), a hypercall round trip,
// a CPUID exit and a host IPC round trip (a host env runs in between).
// Then the file figures of fsbench.  Figures only.

#include <inc/lib.h>
#include <inc/x86.h>
#include <inc/vmx.h>

#define NSYSCALL	20000
#define NIPC		2000
#define NFAULT		500
#define NFORK		10
#define NVMCALL		2000
#define NHOSTIPC	200
#define FAULTVA		((char *) 0x40000000)
#define BIGSIZE		(1024 * 1024)

static char big[BIGSIZE];

static void
report(const char *what, uint64_t cycles, int n)
{
	cprintf("bench: %-40s %8lu cycles\n", what, (unsigned long) (cycles / n));
}

/* A page-fault handler that maps the missing page. */
static void
map_handler(struct UTrapframe *utf)
{
	int r;

	if ((r = sys_page_alloc(0, (void *) ROUNDDOWN(utf->utf_fault_va, PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
}

/* Wait until the env with id envid has gone. */
static void
waitfor(envid_t envid)
{
	while (envs[ENVX(envid)].env_id == envid &&
	       envs[ENVX(envid)].env_status != ENV_FREE)
		sys_yield();
}

static void
bench_syscall(void)
{
	uint64_t t0;
	int i;

	t0 = read_tsc();
	for (i = 0; i < NSYSCALL; i++)
		sys_getenvid();
	report("null system call (sys_getenvid)", read_tsc() - t0, NSYSCALL);
}

static void
bench_ipc(void)
{
	envid_t child, from;
	uint64_t t0;
	int i;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		// Echo every value back until told to stop.
		for (;;) {
			i = ipc_recv(&from, 0, 0);
			ipc_send(from, i, 0, 0);
			if (i < 0)
				exit();
		}
	}

	ipc_send(child, 0, 0, 0);	// warm up: the child is receiving now
	ipc_recv(&from, 0, 0);
	t0 = read_tsc();
	for (i = 1; i <= NIPC; i++) {
		ipc_send(child, i, 0, 0);
		ipc_recv(&from, 0, 0);
	}
	report("IPC round trip (send + reply)", read_tsc() - t0, NIPC);
	ipc_send(child, -1, 0, 0);
	ipc_recv(&from, 0, 0);
	waitfor(child);
}

static void
bench_fault(void)
{
	uint64_t t0, total, base;
	int i, r;

	set_pgfault_handler(map_handler);

	// The fault path: fault, upcall, sys_page_alloc, return; then unmap.
	t0 = read_tsc();
	for (i = 0; i < NFAULT; i++) {
		*(volatile char *) FAULTVA = 1;
		if ((r = sys_page_unmap(0, FAULTVA)) < 0)
			panic("sys_page_unmap: %e", r);
	}
	total = read_tsc() - t0;

	// The same system calls without the fault.
	t0 = read_tsc();
	for (i = 0; i < NFAULT; i++) {
		map_handler(&(struct UTrapframe) { .utf_fault_va = (uintptr_t) FAULTVA });
		if ((r = sys_page_unmap(0, FAULTVA)) < 0)
			panic("sys_page_unmap: %e", r);
	}
	base = read_tsc() - t0;

	report("page fault + upcall + alloc + unmap", total, NFAULT);
	report("alloc + unmap alone", base, NFAULT);
	report("page fault upcall round trip (difference)",
	       total > base ? total - base : 0, NFAULT);
}

static void
bench_fork(void)
{
	uint64_t t0, tfork = 0, ttouch = 0;
	envid_t child;
	int i, j;

	for (j = 0; j < BIGSIZE; j += PGSIZE)
		big[j] = 1;

	for (i = 0; i < NFORK; i++) {
		t0 = read_tsc();
		child = fork();
		if (child < 0)
			panic("fork: %e", child);
		if (child == 0)
			exit();
		tfork += read_tsc() - t0;

		// Writing the memory again copies every page (copy-on-write).
		t0 = read_tsc();
		for (j = 0; j < BIGSIZE; j += PGSIZE)
			big[j]++;
		ttouch += read_tsc() - t0;
		waitfor(child);
	}
	report("fork with 1 MiB touched (parent side)", tfork, NFORK);
	report("rewriting that 1 MiB after fork (COW)", ttouch, NFORK);
}

/*
 * One hypercall from user mode: HC_IPCSEND to an env type the
 * monitor refuses (only the file server may be sent to), which it
 * answers with -E_INVAL and nothing else.
 */
static int64_t
null_hypercall(void)
{
	return hypercall4(HC_IPCSEND, ENV_TYPE_USER, 0, HC_NO_PAGE, 0);
}

/*
 * A request the host's file server answers at once with -E_INVAL (a
 * stat of a file id nobody has open), from guest user mode: IPCSEND,
 * then IPCRECV, which stops the guest while the host's file server
 * runs, and the guest back.  It shows what a guest pays when another
 * host env runs between two of its exits.
 */
static void
bench_host_ipc(void)
{
	static union Fsipc req __attribute__((aligned(PGSIZE)));
	uint64_t t0;
	int32_t r;

	req.stat.req_fileid = -1;
	t0 = read_tsc();
	for (int i = 0; i < NHOSTIPC; i++) {
		if ((r = ipc_host_send(ENV_TYPE_FS, FSREQ_STAT, &req, PTE_P | PTE_U)) < 0
		    || (r = ipc_host_recv(NULL, NULL, NULL)) != -E_INVAL) {
			cprintf("bench: host IPC answered %d, not -E_INVAL\n", r);
			return;
		}
	}
	report("host IPC round trip (host fs stat)", read_tsc() - t0, NHOSTIPC);
}

/* The hypercall round trip, from guest user mode through the monitor. */
static void
bench_vmcall(void)
{
	uint64_t t0;
	int64_t r;
	int i;

	// vmcall outside a guest is #UD: ask CPUID first.
	if (!in_jos_guest()) {
		cprintf("bench: hypercall round trip skipped: not in a guest of the JOS monitor\n");
		return;
	}
	if ((r = null_hypercall()) != -E_INVAL) {
		cprintf("bench: refused hypercall answered %ld, not -E_INVAL\n", (long) r);
		return;
	}
	t0 = read_tsc();
	for (i = 0; i < NVMCALL; i++)
		null_hypercall();
	report("hypercall round trip (refused IPCSEND)", read_tsc() - t0, NVMCALL);
	// CPUID always exits in a guest: the monitor answers it itself.
	t0 = read_tsc();
	for (i = 0; i < NVMCALL; i++)
		cpuid(0, NULL, NULL, NULL, NULL);
	report("CPUID exit round trip (leaf 0)", read_tsc() - t0, NVMCALL);
	bench_host_ipc();
}

/*
 * File throughput and the cost of spawn live in fsbench, which needs the
 * file server: run it when there is one.
 */
static void
bench_files(void)
{
	envid_t child;

	if (ipc_find_env(ENV_TYPE_FS) == 0) {
		cprintf("bench: no file server, skipping file and spawn figures\n");
		return;
	}
	// 1 MiB: it fits on a guest's 4 MiB disk as well.
	if ((child = spawnl("fsbench", "fsbench", "1024", (char *) 0)) < 0) {
		cprintf("bench: spawn fsbench: %e\n", child);
		return;
	}
	wait(child);
}

void
umain(int argc, char **argv)
{
	cprintf("bench: starting%s\n", in_jos_guest() ? " in a guest of the JOS monitor" : "");
	bench_vmcall();
	bench_syscall();
	bench_ipc();
	bench_fault();
	bench_fork();
	bench_files();
	cprintf("bench: done\n");
}
