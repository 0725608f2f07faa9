/*
 * The monitor's core: guests independent of the hardware that runs
 * them.  A guest is an env of type ENV_TYPE_GUEST whose env_vmxinfo
 * points at its struct vm, which has one virtual CPU (struct vcpu).
 * Its general registers live in env_tf.tf_regs; the rest of its CPU
 * state lives in the backend (vmm_ops.h).  All of it is guarded by the
 * kernel lock.
 *
 *   vm.c        lifecycle, the hooks the kernel calls (kern/vmmapi.h)
 *   run.c       the run loop: slices, and what each exit leads to
 *   exits.c     one handler per exit reason
 *   cpuid.c     what CPUID tells a guest
 *   msr.c       the MSRs a guest reads and writes through exits
 *   x86.c       the architecture's rules (CR0/CR4/EFER, ports, events)
 *   hypercall.c the hypercalls and their argument checks
 *   mem.c       guest-physical memory
 *   ports.c     port dispatch to the device models, the guest's console
 *   platform.c  the virtual PC's devices: time, interrupt lines, injection
 *   fpu.c       the guest's x87/SSE/AVX registers and XCR0, CPUID's view of them
 *   stats.c     statistics, the guest list, sys_guest_info
 */
#ifndef JOS_VMM_VM_H
#define JOS_VMM_VM_H

#include <inc/types.h>
#include <inc/env.h>
#include <inc/vmm/hypercall.h>
#include <vmm/vmm_ops.h>
#include <vmm/msr.h>
#include <vmm/io/i8259.h>
#include <vmm/io/i8254.h>
#include <vmm/io/rtc.h>
#include <vmm/io/i8042.h>
#include <vmm/io/uart16550.h>
#include <vmm/io/termkeys.h>

struct PageInfo;
struct guest_info;

// Exit statistics slots (backend numbers: VT-x's basic reasons, SVM's
// codes up to 0x8f and 0x400-0x403 folded in after them); the last: others.
#define VM_NEXITS	149

/* One virtual CPU. */
struct vcpu {
	struct vm *vm;
	void *backend;			// the backend's state (a VMCS, ...)
	uint64_t tsc_in_guest;		// TSC ticks spent inside the guest
};

/* One guest. */
struct vm {
	struct Env *env;		// the guest env
	uint64_t mem_size;		// guest-physical memory: [0, mem_size)
	void *map;			// the guest-physical map (ops->map_*)
	struct vcpu vcpu;
	uint64_t tsc_launch;		// TSC at the first entry; 0 before

	// Its x87/SSE/AVX registers while they are not in a CPU, the CPU
	// whose registers hold them (NULL: none), its XCR0 and whether
	// that is loaded (between an entry and its exit); fpu.c.
	void *fpu_area;
	void *fpu_cpu;
	uint64_t xcr0;
	bool xcr0_loaded;

	// Statistics.
	uint64_t nexits[VM_NEXITS];	// exits by backend reason
	uint64_t io_refused;		// port accesses refused
	uint64_t nhypercalls[HC_COUNT];	// by number; slot 0: unknown
	uint64_t ipc_send_busy;		// IPCSENDs answered -E_IPC_NOT_RECV

	// The guest's own copies of MSRs the CPU would hold (msr.c).
	struct guest_msrs msr;

	// Host IPC: waiting in HC_IPCRECV, and where a page lands.
	bool ipc_recving;
	uint64_t ipc_gpa;

	// The virtual PC (platform.c): its device models, the state of
	// the absorbed VGA and PCI ports, and of interrupt delivery.
	struct pic pic;
	struct pit pit;
	struct rtc rtc;
	struct i8042 kbd;
	struct uart com1;		// its output is the guest's console
	struct termkeys keys;		// typed input as key presses (platform.c)
	bool input_serial;		// it looks for input on COM1 (platform.c)
	uint32_t pci_addr;		// 0xCF8 as last written
	uint8_t vga_status;		// 0x3DA: retrace bits, toggled per read
	bool halted;			// in HLT with interrupts on, waiting
	bool window;			// an interrupt-window exit is requested
	bool reset;			// the guest pulsed the reset line
	uint64_t nirqs;			// interrupts injected
	// The timer tick's holdoff (platform.c: tick_may_rise).
	bool tick_owed;			// a PIT edge waits to reach the PIC
	bool tick_busy;			// IRQ 0 requested or in service, last look
	bool tick_idle;			// the guest halted since the last tick
	uint64_t tick_done;		// vcpu.tsc_in_guest when the last was done
	uint64_t tick_next_ns;		// the PIT's next edge, at the last look
	uint64_t tick_due;		// TSC: when the tick waiting to go in was due
	uint64_t tick_injected;		// TSC: when the tick in service went in; 0: none
	// Timer statistics: PIT edges, ticks injected, ticks done, and the
	// TSC ticks from due to injected and from injected to done, summed.
	uint64_t tick_edges, ticks, ticks_done, tick_wait_tsc, tick_service_tsc;
	uint64_t nwindows;		// interrupt-window exits

	// The line being printed (flushed at a newline or when the guest
	// stops).
	char cons_line[128];
	int cons_len;
	uint64_t cons_hypercall_bytes;	// printed by HC_CONSWRITE
	uint64_t cons_com1_bytes;	// written to the emulated COM1
};

// What handling an exit tells the run loop to do next.
enum vm_action {
	VM_RESUME,			// enter the guest again
	VM_INTR,			// let the host take a pending interrupt
	VM_YIELD,			// give the CPU up; the guest stays runnable
	VM_BLOCK,			// give the CPU up; the guest is not runnable
	VM_HALT,			// HLT: sleep until the next interrupt is due
	VM_KILL,			// destroy the guest
	VM_NEEDS_LOCK,			// not handled: handle it with the kernel lock
};

extern const struct vmm_ops *vmm;	// the backend in use (vm.c)
extern struct vmm_caps vmm_caps;

// vm.c
int	vm_probe(void);

// run.c
void	vm_run(struct Env *e) __attribute__((noreturn));

// exits.c
enum vm_action vm_handle_exit(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x);
enum vm_action vm_handle_exit_unlocked(struct vm *vm, struct Trapframe *tf,
				       const struct vm_exit *x);
void	vm_inject_exception(struct vm *vm, int vector, bool has_error, uint32_t error);
void	vm_skip_instruction(struct vm *vm, const struct vm_exit *x);

// hypercall.c
enum vm_action vm_hypercall(struct vm *vm, struct Trapframe *tf);
bool	vm_hypercall_unlocked(struct vm *vm, struct Trapframe *tf);
int	vm_ipc_recv_from_host(struct Env *e, uint32_t value, struct PageInfo *pp, int perm);

// mem.c
int	vm_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm);
int	vm_fault_in(struct vm *vm, uint64_t gpa);
int	vm_gpa_page(struct vm *vm, uint64_t gpa, bool fault_in, physaddr_t *pa, int *prot);
void	*vm_gpa2kva(struct vm *vm, uint64_t gpa);
void	*vm_gpa2kva_writable(struct vm *vm, uint64_t gpa);
int	vm_read_mem(struct Env *e, uint64_t gpa, void *dst, size_t len);

// ports.c
bool	vm_port_io(struct vm *vm, uint16_t port, int size, bool write, uint32_t *value);
bool	vm_com1_write_unlocked(struct vm *vm, uint16_t port, int size, uint32_t value);
void	vm_cons_flush(struct vm *vm);
void	vm_cons_putc(struct vm *vm, char c);
void	vm_com1_pull(struct vm *vm);

// platform.c
void	vm_platform_init(struct vm *vm);
uint64_t vm_now_ns(void);
uint64_t vm_unix_ns(void);
void	vm_platform_update(struct vm *vm);
void	vm_platform_inject(struct vm *vm);
uint64_t vm_platform_deadline(struct vm *vm);
void	vm_platform_print_stats(struct vm *vm);
enum vm_action vm_halt(struct vm *vm);
bool	vm_halt_over(struct vm *vm);

// fpu.c
int	vm_fpu_init(struct vm *vm);
void	vm_fpu_free(struct vm *vm);
void	vm_fpu_cpu_init(void);
void	vm_fpu_enter(struct vm *vm);
void	vm_fpu_leave(struct vm *vm);
void	vm_fpu_release(void);
uint64_t vm_fpu_cr4_allowed(void);
void	vm_fpu_cpuid(struct vm *vm, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
enum vm_action vm_fpu_xsetbv(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x);

// stats.c
void	vm_count_exit(struct vm *vm, uint32_t raw_reason);
void	vm_count_hypercall(struct vm *vm, uint64_t number, int64_t result);
void	vm_count_refused(struct vm *vm, uint16_t port, bool in);
void	vm_print_stats(struct vm *vm);
void	vm_list(void);
int	vm_info(struct guest_info *info, int n);

/* The earlier of two TSC deadlines, 0 meaning none. */
static inline uint64_t
tsc_earlier(uint64_t a, uint64_t b)
{
	if (!a || !b)
		return a | b;
	return MIN(a, b);
}

#endif
