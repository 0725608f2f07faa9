/* The scheduler. */
#ifndef JOS_KERN_SCHED_H
#define JOS_KERN_SCHED_H

#include <inc/env.h>

/* Run some runnable env on this CPU; never returns. */
void sched_yield(void) __attribute__((noreturn));

/* Env e (woken by its timer) runs next. */
void sched_prefer(struct Env *e);

/* Whether some env looks runnable (read without the lock: a hint). */
bool sched_runnable_hint(void);

/* Whether any env is left that could still run (runnable, running,
 * dying, or waiting for typed input). */
bool sched_any_env_alive(void);

/* Typed input arrived for owner (0: the host, else a guest's env id). */
void sched_wake_cons_waiters(int owner);

/* Env envid is gone: wake whoever waits for it (sys_env_wait). */
void sched_wake_env_waiters(envid_t envid);

/* The console went back to the host: wake whoever waits for a guest. */
void sched_wake_guest_waiters(void);

/*
 * Where a PC and the guest kernel differ (kern/sched_idle.c and
 * guest/pv_sched.c): look for input no interrupt tells of, before each
 * pick; and idle, kernel lock held, until an env may be runnable.
 */
void sched_poll_input(void);
void sched_idle(void) __attribute__((noreturn));

#endif
