/* Environments, kernel side. */
#ifndef JOS_KERN_ENV_H
#define JOS_KERN_ENV_H

#include <inc/env.h>
#include <kern/cpu.h>

extern struct Env *envs;		// all environments
// Slots at or above this index have never held an env.  Envs are
// allocated lowest slot first, so scans can stop here.
extern int env_slots_used;
#define curenv (thiscpu->cpu_env)	// the env running on this CPU

extern struct Segdesc gdt[];
extern struct Pseudodesc gdt_pd;

void	env_init(void);
int	env_alloc(struct Env **e, envid_t parent_id);
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
