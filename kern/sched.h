/* The scheduler. */
#ifndef JOS_KERN_SCHED_H
#define JOS_KERN_SCHED_H

/* Run some runnable env on this CPU; never returns. */
void sched_yield(void) __attribute__((noreturn));

/* Whether some env looks runnable (read without the lock: a hint). */
bool sched_runnable_hint(void);

/* Whether any env is left that could still run (runnable, running, dying). */
bool sched_any_env_alive(void);

#endif
