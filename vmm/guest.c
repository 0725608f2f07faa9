/*
 * Guests, independent of the hardware that runs them: creation and
 * destruction, guest-physical memory, hypercall semantics, the ports a
 * guest may reach, and exit statistics.  The VT-x backend (vmx.c,
 * vmexits.c) calls in here; a second backend would too.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/vmx.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/console.h>
#include <kern/lapic.h>
#include <vmm/guest.h>
#include <vmm/ept.h>
#include <vmm/vmx.h>

/*
 * Whether this machine can run guests.  Prints one line saying what is
 * missing and returns -E_NOT_SUPP, or returns 0.
 */
int
guest_check_support(void)
{
	static bool said;
	int r;

	if ((r = vmx_check_support()) < 0 || (r = vmx_check_ept()) < 0)
		return r;
	if (!said) {
		cprintf("vmx: VT-x with EPT (4-level, write-back) and unrestricted guest\n");
		said = true;
	}
	return 0;
}

/*
 * Make env e (already of type ENV_TYPE_GUEST, not runnable) a guest
 * with mem_size bytes of guest-physical memory, empty, whose CPU will
 * start in real mode at rip.  The first guest of a boot runs the EPT
 * self-test first.  Returns 0, or -E_NO_MEM with nothing allocated.
 */
int
guest_create(struct Env *e, uint64_t mem_size, uint64_t rip)
{
	static bool selftest_done;
	struct guest *g;
	int r;

	if (!selftest_done) {
		ept_selftest();
		selftest_done = true;
	}
	static_assert(sizeof(struct guest) <= PGSIZE);
	if (!(g = page_alloc_kva()))
		return -E_NO_MEM;
	g->env = e;
	g->mem_size = mem_size;
	// Any CPU may hold translations cached under a reused root's
	// address: each flushes before it first enters this guest.
	g->flush_cpus = ~0U;
	if (!(g->ept = ept_alloc_root())) {
		page_free_kva(g);
		return -E_NO_MEM;
	}
	if ((r = vmx_vcpu_create(g, rip)) < 0) {
		free_guest_mem(g->ept);
		page_free_kva(g);
		return r;
	}
	e->env_vmxinfo = g;
	// The newest guest holds the console input (Ctrl-] gives it back).
	cons_set_owner(e->env_id);
	return 0;
}

/*
 * Count hypercall number (VMX_VMCALL_*) made by guest g, which the
 * monitor answered with result (IPCRECV: 0 if the guest then waited).
 */
void
guest_count_hypercall(struct guest *g, uint64_t number, int64_t result)
{
	g->nhypercalls[number < GUEST_NHYPERCALLS ? number : 0]++;
	if (number == VMX_VMCALL_IPCSEND && result == -E_IPC_NOT_RECV)
		g->ipc_send_busy++;
}

/* Print guest g's hypercalls by number, on one line, if it made any. */
static void
guest_print_hypercalls(struct guest *g)
{
	static const char *const names[GUEST_NHYPERCALLS] = {
		[0] = "unknown",
		[VMX_VMCALL_MBMAP] = "MBMAP",
		[VMX_VMCALL_IPCSEND] = "IPCSEND",
		[VMX_VMCALL_IPCRECV] = "IPCRECV",
		[VMX_VMCALL_POWEROFF] = "POWEROFF",
		[VMX_VMCALL_CONSWRITE] = "CONSWRITE",
		[VMX_VMCALL_TSC_HZ] = "TSC_HZ",
	};
	const char *sep = "";
	uint64_t total = 0;

	for (int i = 0; i < GUEST_NHYPERCALLS; i++)
		total += g->nhypercalls[i];
	if (!total)
		return;
	cprintf("vmm: guest %08x hypercalls:", g->env->env_id);
	for (int i = 0; i < GUEST_NHYPERCALLS; i++) {
		if (!g->nhypercalls[i])
			continue;
		cprintf("%s %lu %s", sep, g->nhypercalls[i], names[i]);
		if (i == VMX_VMCALL_IPCSEND && g->ipc_send_busy)
			cprintf(" (%lu to a busy server)", g->ipc_send_busy);
		sep = ",";
	}
	cprintf("\n");
}

/* Print guest g's exits by reason, its cycles and console bytes, as it dies. */
static void
guest_print_stats(struct guest *g)
{
	uint64_t total = 0, now = read_tsc();

	for (int i = 0; i < GUEST_NEXITS; i++) {
		if (!g->nexits[i])
			continue;
		total += g->nexits[i];
		if (i < GUEST_NEXITS - 1)
			cprintf("vmm: guest %08x exits: %lu %s (reason %d)\n",
				g->env->env_id, g->nexits[i], vmx_exit_name(i), i);
		else
			cprintf("vmm: guest %08x exits: %lu with other reasons\n",
				g->env->env_id, g->nexits[i]);
	}
	guest_print_hypercalls(g);
	cprintf("vmm: guest %08x: %lu exits, %lu cycles from launch, %lu in the guest, "
		"%lu port accesses refused\n", g->env->env_id, total,
		g->tsc_launch ? now - g->tsc_launch : 0, g->tsc_in_guest, g->io_refused);
	cprintf("vmm: guest %08x console: %lu bytes by hypercall, %lu through COM1\n",
		g->env->env_id, g->cons_hypercall_bytes, g->cons_com1_bytes);
}

/*
 * Free guest env e's monitor state (from env_free): print its
 * statistics, then free its virtual CPU and every guest page and EPT
 * table page.  Its host page tables are freed by env_free.
 */
void
guest_free(struct Env *e)
{
	struct guest *g = e->env_vmxinfo;

	if (!g)
		return;
	guest_cons_flush(g);
	if (cons_owner() == e->env_id)
		cons_set_owner(0);
	guest_print_stats(g);
	vmx_vcpu_free(g);
	free_guest_mem(g->ept);
	page_free_kva(g);
	e->env_vmxinfo = NULL;
}

/*
 * Run guest env e on this CPU (from env_run, kernel lock held).  The
 * backend's loop starts over at the top of this CPU's kernel stack:
 * nothing below matters any more, and the loop leaves only through the
 * scheduler, which may bring the guest back here again and again.
 */
void
guest_run(struct Env *e)
{
	asm volatile("movq %0, %%rsp\n\t"
		     "xorq %%rbp, %%rbp\n\t"
		     "call *%1"
		     : : "r" (thiscpu->cpu_ts.ts_rsp0), "r" (vmx_run_guest), "D" (e)
		     : "memory");
	panic("guest_run: vmx_run_guest returned");
}

/*
 * Map page pp at guest-physical gpa in guest env e with EPT permission
 * perm (checked by the caller).  gpa must be page-aligned and inside
 * the guest's memory.  A mapping already there is replaced, unless the
 * guest is running on another CPU right now (its CPU may still hold the
 * old translation).  Returns 0, -E_INVAL or -E_NO_MEM.
 */
int
guest_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm)
{
	struct guest *g = e->env_vmxinfo;
	uint64_t *entry;
	bool replacing;
	int r;

	if (PGOFF(gpa) || gpa >= g->mem_size)
		return -E_INVAL;
	replacing = ept_lookup_gpa(g->ept, gpa, 0, &entry) == 0 && (*entry & EPTE_PERM);
	if (replacing && e->env_status == ENV_RUNNING && e != curenv)
		return -E_INVAL;
	if ((r = ept_page_insert(g->ept, pp, gpa, perm)) < 0)
		return r;
	if (replacing)
		g->flush_cpus = ~0U;
	return 0;
}

/*
 * A demand fault maps a whole aligned chunk of this many pages, not one
 * page: a booting guest touches its memory in runs (kernel tables, the
 * page array, pages its allocator hands out in order), so 64 pages
 * (256 KiB) turn a few hundred faults into a few dozen while a guest
 * that touches little still costs the host little.
 */
#define GUEST_FAULT_PAGES	64

/*
 * Give guest g a zeroed page at gpa (page-aligned) unless it has one
 * there already.  Returns 0, -E_INVAL or -E_NO_MEM.
 */
static int
guest_zero_page(struct guest *g, uint64_t gpa)
{
	struct PageInfo *pp;
	uint64_t *entry;
	int r;

	if (ept_lookup_gpa(g->ept, gpa, 0, &entry) == 0 && (*entry & EPTE_PERM))
		return 0;
	if (!(pp = page_alloc(ALLOC_ZERO)))
		return -E_NO_MEM;
	if ((r = ept_page_insert(g->ept, pp, gpa, EPTE_PERM)) < 0) {
		page_free(pp);
		return r;
	}
	return 0;
}

/*
 * Guest g touched gpa (inside its memory, not mapped) for the first
 * time: give it a zeroed page there, and zeroed pages at every address
 * of the same aligned GUEST_FAULT_PAGES chunk inside its memory that
 * has none yet (mappings already there stay).  Only the page at gpa
 * must succeed; when memory runs short the chunk stays partial.
 * Returns 0, -E_INVAL or -E_NO_MEM.
 */
int
guest_fault_in(struct guest *g, uint64_t gpa)
{
	uint64_t chunk = GUEST_FAULT_PAGES * PGSIZE;
	uint64_t start = ROUNDDOWN(gpa, chunk);
	uint64_t end = MIN(start + chunk, g->mem_size);
	int r;

	if (gpa >= g->mem_size)
		return -E_INVAL;
	gpa = ROUNDDOWN(gpa, PGSIZE);
	if ((r = guest_zero_page(g, gpa)) < 0)
		return r;
	for (uint64_t a = start; a < end; a += PGSIZE)
		if (a != gpa && guest_zero_page(g, a) < 0)
			break;
	return 0;
}

/* The multiboot information block, as far as the guest gets one. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	// KiB below 640 KiB, above 1 MiB
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};
#define MB_FLAG_MEM	(1 << 0)
#define MB_FLAG_MMAP	(1 << 6)

/* One e820 range in the multiboot format; size counts what follows it. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t base;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM	1
#define E820_RESERVED	2

/*
 * Hypercall VMX_VMCALL_MBMAP: write at guest-physical gpa (4-byte
 * aligned, in guest memory) a multiboot information block followed, in
 * the same page, by an e820 map of the guest's memory: low memory
 * usable up to GUEST_LOW_MEM_END, the BIOS hole reserved, the rest
 * usable up to the guest's size.  Returns 0 or -E_INVAL (bad gpa, or a
 * page the guest may not write).
 */
int
guest_mbmap(struct guest *g, uint64_t gpa)
{
	struct mb_mmap_entry map[3] = {
		{ 20, 0, GUEST_LOW_MEM_END, E820_RAM },
		{ 20, GUEST_LOW_MEM_END, 0x100000 - GUEST_LOW_MEM_END, E820_RESERVED },
		{ 20, 0x100000, g->mem_size - 0x100000, E820_RAM },
	};
	struct mb_info info;
	uint64_t *entry;
	uint8_t *hva;

	if (gpa % 4 || gpa >= g->mem_size || PGOFF(gpa) + sizeof(info) + sizeof(map) > PGSIZE)
		return -E_INVAL;
	if (ept_lookup_gpa(g->ept, gpa, 0, &entry) < 0 || !(*entry & EPTE_PERM))
		if (guest_fault_in(g, gpa) < 0)
			return -E_INVAL;
	if (ept_lookup_gpa(g->ept, gpa, 0, &entry) < 0 || !(*entry & EPTE_WRITE))
		return -E_INVAL;
	ept_gpa2hva(g->ept, gpa, (void **) &hva);

	memset(&info, 0, sizeof(info));
	info.flags = MB_FLAG_MEM | MB_FLAG_MMAP;
	info.mem_lower = GUEST_LOW_MEM_END / 1024;
	info.mem_upper = (g->mem_size - 0x100000) / 1024;
	info.mmap_length = sizeof(map);
	info.mmap_addr = gpa + sizeof(info);
	memmove(hva, &info, sizeof(info));
	memmove(hva + sizeof(info), map, sizeof(map));
	return 0;
}

/*
 * The CPUID answer for leaf and subleaf in regs (EAX, EBX, ECX, EDX):
 * the host's, without the virtualization extensions (VMX: leaf 1, ECX
 * bit 5; SVM: leaf 0x80000001, ECX bit 2), with the hypervisor bit set
 * and this monitor's own leaves at 0x40000000 (inc/vmx.h).
 */
void
guest_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	if ((leaf & 0xFFFF0000) == CPUID_JOS_LEAF) {
		memset(regs, 0, 4 * sizeof(regs[0]));
		if (leaf == CPUID_JOS_LEAF) {
			regs[0] = CPUID_JOS_LEAF;
			memmove(&regs[1], CPUID_JOS_SIGNATURE, 12);
		}
		return;
	}
	asm volatile("cpuid"
		     : "=a" (regs[0]), "=b" (regs[1]), "=c" (regs[2]), "=d" (regs[3])
		     : "a" (leaf), "c" (subleaf));
	if (leaf == 1)
		regs[2] = (regs[2] & ~(1 << 5)) | CPUID_HYPERVISOR_BIT;
	if (leaf == 0x80000001)
		regs[2] &= ~(1 << 2);
}

/*
 * Count a refused access to port by guest g; the first one of each
 * guest is reported.
 */
void
guest_io_refused(struct guest *g, uint16_t port, bool in)
{
	if (g->io_refused++ == 0)
		cprintf("vmm: guest %08x: %s port %04x refused (reads give all ones, "
			"writes are dropped; more are only counted)\n",
			g->env->env_id, in ? "reading" : "writing", port);
}

/* List the guest envs: id, memory, state, exits and cycles (monitor command). */
void
guest_list(void)
{
	static const char *const states[] = {
		"free", "dying", "runnable", "running", "not runnable"
	};
	int n = 0;

	for (int i = 0; i < NENV; i++) {
		struct Env *e = &envs[i];
		struct guest *g = e->env_vmxinfo;
		uint64_t exits = 0;

		if (e->env_status == ENV_FREE || e->env_type != ENV_TYPE_GUEST || !g)
			continue;
		if (n++ == 0)
			cprintf("guest     memory    state         exits       cycles-from-launch\n");
		for (int j = 0; j < GUEST_NEXITS; j++)
			exits += g->nexits[j];
		cprintf("%08x  %4lu MiB  %-12s  %-10lu  %lu\n", e->env_id,
			g->mem_size >> 20, e->env_status < 5 ? states[e->env_status] : "?",
			exits, g->tsc_launch ? read_tsc() - g->tsc_launch : 0);
	}
	if (n == 0)
		cprintf("No guests.\n");
	else if (cons_owner())
		cprintf("Guest %08x holds the console input; Ctrl-] gives it back to the host.\n",
			cons_owner());
}

/* ---- the emulated COM1 ---- */

#define COM1		0x3F8
#define LSR_RX_READY	0x01
#define LSR_TX_EMPTY	0x60	// holding register and shifter both empty
#define LCR_DLAB	0x80

/*
 * Print what guest g has printed and not shown yet, after its line
 * prefix if it starts a line (a new one, if the host or another guest
 * printed since its last unfinished line).
 */
void
guest_cons_flush(struct guest *g)
{
	if (g->cons_len == 0)
		return;
	if (cons_speak_as(g->env->env_id))
		cprintf(GUEST_CONS_PREFIX, g->env->env_id);
	cprintf("%.*s", g->cons_len, g->cons_line);
	cons_speak_as(0);
	g->cons_len = 0;
}

/* Guest g prints character c on its console. */
static void
guest_cons_putc(struct guest *g, char c)
{
	g->cons_line[g->cons_len++] = c;
	if (c == '\n' || g->cons_len == sizeof(g->cons_line))
		guest_cons_flush(g);
}

/*
 * Hypercall VMX_VMCALL_CONSWRITE: guest g prints the len bytes at
 * guest-physical gpa on its console, exactly as if it had written them
 * to its COM1 one by one (same line buffer, same prefix).  They must
 * lie inside its memory (they may cross pages; a page it never touched
 * reads as zeros) and len may be at most VMX_CONSWRITE_MAX.  Returns
 * len, or -E_INVAL with nothing printed.
 */
int64_t
guest_cons_write(struct guest *g, uint64_t gpa, uint64_t len)
{
	uint64_t off, n;
	char *hva;

	if (len > VMX_CONSWRITE_MAX || gpa > g->mem_size || len > g->mem_size - gpa)
		return -E_INVAL;
	// A page takes a while to drain down the serial line (0.36 s at
	// 115200 baud): a host tick meanwhile would wait, pending, and cost
	// the guest an external-interrupt exit as soon as it resumes.
	lapic_timer_quiet(true);
	for (off = 0; off < len; off += n) {
		n = MIN(len - off, PGSIZE - PGOFF(gpa + off));
		if (ept_gpa2hva(g->ept, gpa + off, (void **) &hva) < 0)
			hva = NULL;
		for (uint64_t i = 0; i < n; i++)
			guest_cons_putc(g, hva ? hva[i] : 0);
	}
	lapic_timer_quiet(false);
	g->cons_hypercall_bytes += len;
	return len;
}

/*
 * IN from port by guest g, size bytes wide: if the monitor emulates
 * that port (COM1), the value read in *value and true; false otherwise.
 * The UART reads as always ready to send, with data ready when the
 * host has console input for this guest.
 */
bool
guest_port_in(struct guest *g, uint16_t port, int size, uint32_t *value)
{
	int id = g->env->env_id;
	bool dlab = g->uart_lcr & LCR_DLAB;

	if (port < COM1 || port > COM1 + 7 || size != 1)
		return false;
	switch (port - COM1) {
	case 0:
		*value = dlab ? g->uart_dll : cons_getc_owner(id, false);
		break;
	case 1:
		*value = dlab ? g->uart_dlm : g->uart_ier;
		break;
	case 2:
		*value = 0x01;		// IIR: no interrupt pending
		break;
	case 3:
		*value = g->uart_lcr;
		break;
	case 4:
		*value = g->uart_mcr;
		break;
	case 5:
		*value = LSR_TX_EMPTY | (cons_getc_owner(id, true) ? LSR_RX_READY : 0);
		break;
	case 6:
		*value = 0xB0;		// MSR: carrier, data set ready, clear to send
		break;
	default:
		*value = g->uart_scr;
		break;
	}
	return true;
}

/*
 * OUT of value to port by guest g, size bytes wide: true if the monitor
 * emulates that port (COM1): a byte to the transmitter goes to the
 * host console, other registers are stored.  False otherwise.
 */
bool
guest_port_out(struct guest *g, uint16_t port, int size, uint32_t value)
{
	bool dlab = g->uart_lcr & LCR_DLAB;

	if (port < COM1 || port > COM1 + 7 || size != 1)
		return false;
	value &= 0xFF;
	switch (port - COM1) {
	case 0:
		if (dlab)
			g->uart_dll = value;
		else {
			g->cons_com1_bytes++;
			guest_cons_putc(g, value);
		}
		break;
	case 1:
		if (dlab)
			g->uart_dlm = value;
		else
			g->uart_ier = value;
		break;
	case 3:
		g->uart_lcr = value;
		break;
	case 4:
		g->uart_mcr = value;
		break;
	case 7:
		g->uart_scr = value;
		break;
	default:			// FCR; LSR and MSR are read-only
		break;
	}
	return true;
}

/* ---- hypercalls: host IPC, power-off ---- */

/*
 * Check guest-physical address gpa that guest g passed to a host IPC
 * hypercall: false if it is in its memory but unaligned or in the BIOS
 * hole; otherwise true, with *page telling whether it names a page
 * (beyond its memory means none).
 */
static bool
guest_ipc_gpa(struct guest *g, uint64_t gpa, bool *page)
{
	*page = gpa < g->mem_size;
	if (!*page)
		return true;
	return PGOFF(gpa) == 0 && !(gpa >= GUEST_LOW_MEM_END && gpa < 0x100000);
}

/*
 * Hypercall VMX_VMCALL_IPCSEND: sys_ipc_try_send from guest g (its env
 * the sender) to the first host env of the given type (only the file
 * server), with value and, if gpa names a page, the page backing gpa
 * (a zeroed one mapped there first if the guest never touched it)
 * mapped with perm; never writable if the guest may not write it.
 * Returns 0, -E_INVAL, -E_BAD_ENV (no such env), -E_IPC_NOT_RECV or
 * -E_NO_MEM.
 */
int
guest_ipc_send(struct guest *g, uint64_t type, uint64_t value, uint64_t gpa, uint64_t perm)
{
	struct PageInfo *pp = NULL;
	struct Env *dst = NULL;
	uint64_t *entry;
	bool page;
	int r;

	if (type != ENV_TYPE_FS || !guest_ipc_gpa(g, gpa, &page))
		return -E_INVAL;
	if (page) {
		if ((perm & (PTE_U | PTE_P)) != (PTE_U | PTE_P) || (perm & ~PTE_SYSCALL))
			return -E_INVAL;
		if (ept_lookup_gpa(g->ept, gpa, 0, &entry) < 0 || !(*entry & EPTE_PERM)) {
			if ((r = guest_fault_in(g, gpa)) < 0)
				return r;
			if (ept_lookup_gpa(g->ept, gpa, 0, &entry) < 0)
				return -E_INVAL;
		}
		if ((perm & PTE_W) && !(*entry & EPTE_WRITE))
			return -E_INVAL;
		pp = pa2page(EPTE_ADDR(*entry));
	}
	for (int i = 0; i < env_scan_count() && !dst; i++)
		if (env_scan(i)->env_type == type && env_scan(i)->env_status != ENV_FREE
		    && env_scan(i)->env_status != ENV_DYING)
			dst = env_scan(i);
	if (!dst)
		return -E_BAD_ENV;
	if (!dst->env_ipc_recving)
		return -E_IPC_NOT_RECV;

	dst->env_ipc_perm = 0;
	if (pp && (uintptr_t) dst->env_ipc_dstva < UTOP) {
		if ((r = page_insert(dst->env_pml4e, pp, dst->env_ipc_dstva, perm)) < 0)
			return r;
		dst->env_ipc_perm = perm;
	}
	dst->env_ipc_recving = false;
	dst->env_ipc_from = g->env->env_id;
	dst->env_ipc_value = (uint32_t) value;
	dst->env_tf.tf_regs.reg_rax = 0;
	dst->env_status = ENV_RUNNABLE;
	return 0;
}

/*
 * Hypercall VMX_VMCALL_IPCRECV: guest g waits (not runnable) for a host
 * env to send to it; a page sent along will be mapped at gpa if gpa
 * names one.  Returns 0 when the caller must stop running the guest,
 * or -E_INVAL (bad gpa) at once.
 */
int
guest_ipc_recv(struct guest *g, uint64_t gpa)
{
	bool page;

	if (!guest_ipc_gpa(g, gpa, &page))
		return -E_INVAL;
	g->ipc_recving = true;
	g->ipc_gpa = gpa;
	g->env->env_status = ENV_NOT_RUNNABLE;
	return 0;
}

/*
 * sys_ipc_try_send to guest env e by the current env: if e waits in
 * IPCRECV, deliver value and page pp (if not NULL, and the guest asked
 * for one) mapped with EPT read and execute, and write if perm has
 * PTE_W; the guest wakes with RAX 0, RSI value, RDX the sender's id and
 * RCX the perm (0 without a page).  Returns 0, -E_IPC_NOT_RECV,
 * -E_BAD_ENV or -E_NO_MEM.
 */
int
guest_ipc_deliver(struct Env *e, uint32_t value, struct PageInfo *pp, int perm)
{
	struct guest *g = e->env_vmxinfo;
	struct PushRegs *regs = &e->env_tf.tf_regs;
	int r;

	if (!g)
		return -E_BAD_ENV;
	if (!g->ipc_recving || e->env_status != ENV_NOT_RUNNABLE)
		return -E_IPC_NOT_RECV;
	regs->reg_rcx = 0;
	if (pp && g->ipc_gpa < g->mem_size) {
		int eptperm = EPTE_READ | EPTE_EXEC | ((perm & PTE_W) ? EPTE_WRITE : 0);
		if ((r = guest_map_page(e, pp, g->ipc_gpa, eptperm)) < 0)
			return r;
		regs->reg_rcx = perm;
	}
	g->ipc_recving = false;
	regs->reg_rax = 0;
	regs->reg_rsi = value;
	regs->reg_rdx = curenv->env_id;
	e->env_status = ENV_RUNNABLE;
	return 0;
}

/*
 * Guest g halted (HLT) to wait for something to happen.  The one event
 * the monitor delivers is typed input (it injects no interrupts), so g
 * sleeps, not runnable, until input arrives for it (sched_wake_cons_waiters)
 * or someone stops it.  Returns false, and g goes on, if input is there
 * already; true if the caller must stop running g.
 */
bool
guest_halt(struct guest *g)
{
	if (cons_getc_owner(g->env->env_id, true))
		return false;
	g->env->env_cons_waiting = true;
	g->env->env_status = ENV_NOT_RUNNABLE;
	return true;
}

/* Hypercall VMX_VMCALL_POWEROFF: guest g asked to stop; say so (it dies next). */
void
guest_poweroff(struct guest *g)
{
	guest_cons_flush(g);
	cprintf("vmm: guest %08x powered off\n", g->env->env_id);
}

/*
 * Copy the state of up to n guests into info (kernel memory); returns
 * how many there are (perhaps more than n).
 */
int
guest_info(struct guest_info *info, int n)
{
	int count = 0;

	for (int i = 0; i < env_scan_count(); i++) {
		struct Env *e = env_scan(i);
		struct guest *g = e->env_vmxinfo;
		struct guest_info gi;

		if (e->env_status == ENV_FREE || e->env_type != ENV_TYPE_GUEST || !g)
			continue;
		memset(&gi, 0, sizeof(gi));
		gi.env_id = e->env_id;
		gi.status = e->env_status;
		gi.mem_size = g->mem_size;
		for (int j = 0; j < GUEST_NEXITS; j++)
			gi.exits += g->nexits[j];
		gi.cycles = g->tsc_launch ? read_tsc() - g->tsc_launch : 0;
		gi.cycles_in_guest = g->tsc_in_guest;
		gi.io_refused = g->io_refused;
		gi.has_console = cons_owner() == e->env_id;
		gi.had_console = cons_last_guest() == e->env_id;
		if (time_tsc_hz() >= 1000) {
			gi.run_ms = gi.cycles / (time_tsc_hz() / 1000);
			gi.in_guest_ms = gi.cycles_in_guest / (time_tsc_hz() / 1000);
		}
		gi.halted = e->env_status == ENV_NOT_RUNNABLE && e->env_cons_waiting;
		if (count < n)
			info[count] = gi;
		count++;
	}
	return count;
}

/*
 * Give the console input to guest id, or back to the host with 0.
 * Returns 0 or -E_BAD_ENV (no such guest).
 */
int
guest_focus(envid_t id)
{
	struct Env *e;

	if (id != 0 && (envid2env(id, &e, 0) < 0 || e->env_type != ENV_TYPE_GUEST
			|| !e->env_vmxinfo))
		return -E_BAD_ENV;
	cons_set_owner(id);
	return 0;
}
