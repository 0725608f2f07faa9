/* The timer queue and each CPU's timer interrupt (kern/timer.c). */
#ifndef JOS_KERN_TIMER_H
#define JOS_KERN_TIMER_H

#include <inc/types.h>

struct Env;

#define TICK_HZ		100	// scheduler ticks per second on each CPU

void	timer_wake_at(struct Env *e, uint64_t tsc);
void	timer_cancel(struct Env *e);
void	timer_call_at(void (*fn)(void), uint64_t tsc);
uint64_t timer_earliest(void);
bool	timer_due_hint(void);
bool	timer_expire(void);

bool	timer_interrupt(void);
void	timer_arm_by(uint64_t tsc);
void	timer_restart_tick(void);

// kern/pit.c: the tick without a local APIC.
void	pit_tick_start(void);

#endif
