/* User environments as user programs see them (read-only at UENVS). */
#ifndef JOS_INC_ENV_H
#define JOS_INC_ENV_H

#include <inc/types.h>
#include <inc/trap.h>
#include <inc/memlayout.h>

typedef int32_t envid_t;

/*
 * An environment id has three parts:
 *
 * +1+---------------21-----------------+--------10--------+
 * |0|          Uniqueifier             |   Environment    |
 * | |                                  |      Index       |
 * +------------------------------------+------------------+
 *                                       \--- ENVX(eid) --/
 *
 * The index selects the slot in envs[]; the uniqueifier tells apart
 * environments that used the same slot at different times.  The sign
 * bit is zero so that ids are positive; zero means "the current env".
 */
#define LOG2NENV		10
#define NENV			(1 << LOG2NENV)
#define ENVX(envid)		((envid) & (NENV - 1))

// Values of env_status in struct Env
enum {
	ENV_FREE = 0,
	ENV_DYING,
	ENV_RUNNABLE,
	ENV_RUNNING,
	ENV_NOT_RUNNABLE
};

// Special environment types
enum EnvType {
	ENV_TYPE_USER = 0,
	ENV_TYPE_FS,		// file system server
	ENV_TYPE_NS,		// network server
	ENV_TYPE_GUEST,		// virtual machine run by the monitor
};

struct Env {
	struct Trapframe env_tf;	// saved registers
	struct Env *env_link;		// next free env
	envid_t env_id;			// unique environment identifier
	envid_t env_parent_id;		// env_id of this env's parent
	enum EnvType env_type;		// indicates special system environments
	unsigned env_status;		// status of the environment
	uint32_t env_runs;		// number of times environment has run
	int env_cpunum;			// the CPU that the env is running on

	// Address space
	pml4e_t *env_pml4e;		// kernel virtual address of the PML4
	physaddr_t env_cr3;		// physical address of the PML4

	// Exception handling
	void *env_pgfault_upcall;	// page fault upcall entry point

	// IPC
	bool env_ipc_recving;		// env is blocked receiving
	void *env_ipc_dstva;		// va at which to map received page
	uint32_t env_ipc_value;		// data value sent to us
	envid_t env_ipc_from;		// envid of the sender
	int env_ipc_perm;		// perm of page mapping received

	// Monitor state of a guest env (ENV_TYPE_GUEST); kernel-only
	void *env_vmxinfo;

	// The program's name for an env the kernel started itself (which,
	// as in JOS, gets argc 0): libmain's binaryname.  Else empty.
	char env_name[16];

	// Not runnable until typed input arrives for it: a host env in
	// sys_cons_wait, or a guest halted in HLT.
	bool env_cons_waiting;
	// Not runnable until this env is gone (sys_env_wait); 0 if none.
	envid_t env_wait_env;
};

#endif
