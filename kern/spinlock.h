/* Mutual exclusion between CPUs, and the big kernel lock. */
#ifndef JOS_KERN_SPINLOCK_H
#define JOS_KERN_SPINLOCK_H

#include <inc/types.h>

struct CpuInfo;

/* A lock that a CPU busy-waits for.  The fields after locked are for debugging. */
struct spinlock {
	volatile uint32_t locked;	// 1 while held
	const char *name;		// what the lock protects
	struct CpuInfo *cpu;		// the holder
	uintptr_t pcs[10];		// the holder's call chain when it took the lock
};

void spin_initlock(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
bool holding(struct spinlock *lk);

extern struct spinlock kernel_lock;
void lock_kernel(void);
void unlock_kernel(void);

#endif
