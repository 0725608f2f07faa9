/*
 * The kernel and the monitor (vmm/), in one direction each.
 *
 * What the monitor may ask of the kernel: the calls below (env_block,
 * env_wake, env_yield, ipc_deliver, the console's owner calls in
 * kern/console.h).  The monitor writes no env scheduling or IPC field
 * itself.
 *
 * What the kernel asks of a monitor: struct vmm_hooks, one table the
 * monitor defines (vmm/vm.c).  A kernel built without a monitor (the
 * JOS guest kernel) has none, and the guest_* calls below then say
 * that there are no guests here.
 */
#ifndef JOS_KERN_VMMAPI_H
#define JOS_KERN_VMMAPI_H

#include <inc/types.h>
#include <inc/env.h>

struct PageInfo;
struct guest_info;

// ---- for the monitor (kern/vmmapi.c) ----
void	env_block(struct Env *e);
void	env_block_console(struct Env *e);
void	env_wake(struct Env *e);
void	env_yield(struct Env *e) __attribute__((noreturn));
struct Env *env_find_type(enum EnvType type);
int	ipc_deliver(struct Env *dst, envid_t from, uint32_t value,
		    struct PageInfo *pp, int perm);

// ---- for the kernel: the monitor's entry points ----
struct vmm_hooks {
	int	(*probe)(void);
	int	(*create)(struct Env *e, uint64_t mem_size, uint64_t rip);
	void	(*free)(struct Env *e);
	void	(*run)(struct Env *e) __attribute__((noreturn));
	int	(*map_page)(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm);
	int	(*ipc_recv)(struct Env *e, uint32_t value, struct PageInfo *pp, int perm);
	void	(*list)(void);
	int	(*info)(struct guest_info *info, int n);
	int	(*focus)(envid_t id);
	void	(*cpu_release)(void);
	bool	(*cpu_pending)(void);
	bool	(*may_run_here)(struct Env *e);
	int	(*debug)(envid_t id, int flags);	// vmm/gdb/stub.c
	int	(*read_mem)(struct Env *e, uint64_t gpa, void *dst, size_t len);
};
// Defined by the monitor if it is linked in; weak, so absent otherwise.
extern const struct vmm_hooks vmm_hooks __attribute__((weak));

int	guest_check_support(void);
int	guest_create(struct Env *e, uint64_t mem_size, uint64_t rip);
void	guest_free(struct Env *e);
void	guest_run(struct Env *e) __attribute__((noreturn));
int	guest_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int perm);
int	guest_ipc_deliver(struct Env *e, uint32_t value, struct PageInfo *pp, int perm);
void	guest_list(void);
int	guest_info(struct guest_info *info, int n);
int	guest_focus(envid_t id);
void	guest_cpu_release(void);
bool	guest_cpu_pending(void);
bool	guest_may_run_here(struct Env *e);
int	guest_debug(envid_t id, int flags);
int	guest_read_mem(struct Env *e, uint64_t gpa, void *dst, size_t len);

#endif
