/*
 * The backend-neutral half of the monitor: a guest env's lifecycle, its
 * guest-physical memory, the hypercalls it may make and the statistics
 * kept about it.  The hardware backend (VT-x: vmx.c, vmexits.c) runs
 * the guest's virtual CPU and turns its exits into calls to these.
 *
 * A guest is an env of type ENV_TYPE_GUEST whose env_vmxinfo points at
 * its struct guest.  Its general registers live in env_tf.tf_regs; the
 * rest of its CPU state lives in the backend.  All of it is guarded by
 * the kernel lock.
 */
#ifndef JOS_VMM_GUEST_H
#define JOS_VMM_GUEST_H

#include <inc/types.h>
#include <inc/env.h>
#include <inc/vmx.h>

struct PageInfo;

#define GUEST_NEXITS	66	// exit statistics slots (backend reason numbers)
#define GUEST_NHYPERCALLS (VMX_VMCALL_TSC_HZ + 1)	// hypercall statistics slots

struct guest {
	struct Env *env;		// the guest env
	uint64_t mem_size;		// guest-physical memory: [0, mem_size)
	uint64_t *ept;			// root of the guest-physical map (ept.c)
	uint32_t flush_cpus;		// CPUs that must drop cached translations
					// of this map before they enter the guest
	uint64_t tsc_launch;		// TSC at the first entry; 0 before
	uint64_t tsc_in_guest;		// TSC ticks from entries to exits
	uint64_t nexits[GUEST_NEXITS];	// exits by reason; the last slot: others
	uint64_t io_refused;		// port accesses refused
	uint64_t nhypercalls[GUEST_NHYPERCALLS];	// by number; slot 0: unknown
	uint64_t ipc_send_busy;		// IPCSENDs answered -E_IPC_NOT_RECV
	void *vcpu;			// the backend's virtual CPU

	// Host IPC: waiting in VMX_VMCALL_IPCRECV, and where a page lands.
	bool ipc_recving;
	uint64_t ipc_gpa;

	// The emulated COM1: registers as last written, and the line
	// being printed (flushed at a newline or when the guest stops).
	uint8_t uart_ier, uart_lcr, uart_mcr, uart_scr, uart_dll, uart_dlm;
	char cons_line[128];
	int cons_len;
	uint64_t cons_hypercall_bytes;	// printed by VMX_VMCALL_CONSWRITE
	uint64_t cons_com1_bytes;	// written to the emulated COM1
};

#ifdef VMM_GUEST
/*
 * The guest kernel (built with -DVMM_GUEST) carries no monitor: its
 * build leaves out the monitor's C files, and it has no VT-x to use
 * anyway.  Its kernel sees these instead.
 */
#include <inc/error.h>
#include <inc/assert.h>

static inline int
guest_check_support(void)
{
	cprintf("vmx: VT-x not supported: a guest kernel runs no guests\n");
	return -E_NOT_SUPP;
}

static inline int
guest_create(struct Env *e, uint64_t mem_size, uint64_t rip)
{
	return -E_NOT_SUPP;
}

static inline void
guest_free(struct Env *e)
{
}

static inline void __attribute__((noreturn))
guest_run(struct Env *e)
{
	panic("guest_run in a guest kernel");
}

static inline int
guest_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm)
{
	return -E_BAD_ENV;
}

static inline void
guest_list(void)
{
	cprintf("No guests.\n");
}

static inline int
guest_ipc_deliver(struct Env *e, uint32_t value, struct PageInfo *pp, int perm)
{
	return -E_BAD_ENV;
}

static inline int
guest_info(struct guest_info *info, int n)
{
	return 0;
}

static inline int
guest_focus(envid_t id)
{
	return id ? -E_BAD_ENV : 0;
}

#else

int	guest_check_support(void);
int	guest_create(struct Env *e, uint64_t mem_size, uint64_t rip);
void	guest_free(struct Env *e);
void	guest_run(struct Env *e) __attribute__((noreturn));
int	guest_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm);
void	guest_list(void);
int	guest_ipc_deliver(struct Env *e, uint32_t value, struct PageInfo *pp, int perm);
int	guest_info(struct guest_info *info, int n);
int	guest_focus(envid_t id);

// Services for the backend's exit handlers.
int	guest_fault_in(struct guest *g, uint64_t gpa);
int	guest_mbmap(struct guest *g, uint64_t gpa);
void	guest_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
void	guest_io_refused(struct guest *g, uint16_t port, bool in);
bool	guest_port_in(struct guest *g, uint16_t port, int size, uint32_t *value);
bool	guest_port_out(struct guest *g, uint16_t port, int size, uint32_t value);
void	guest_cons_flush(struct guest *g);
int64_t	guest_cons_write(struct guest *g, uint64_t gpa, uint64_t len);
int	guest_ipc_send(struct guest *g, uint64_t type, uint64_t value, uint64_t gpa, uint64_t perm);
int	guest_ipc_recv(struct guest *g, uint64_t gpa);
void	guest_poweroff(struct guest *g);
void	guest_count_hypercall(struct guest *g, uint64_t number, int64_t result);
bool	guest_halt(struct guest *g);

#endif	/* !VMM_GUEST */

#endif
