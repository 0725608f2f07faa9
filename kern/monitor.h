/* The kernel monitor. */
#ifndef JOS_KERN_MONITOR_H
#define JOS_KERN_MONITOR_H

struct Trapframe;

/*
 * Run the interactive monitor.  tf is the trap frame of the user env
 * that trapped into it (breakpoint or debug exception), or NULL.
 * Returns only when a command resumes that env.
 */
void monitor(struct Trapframe *tf);

// Commands, also callable from the kernel.
int mon_help(int argc, char **argv, struct Trapframe *tf);
int mon_kerninfo(int argc, char **argv, struct Trapframe *tf);
int mon_backtrace(int argc, char **argv, struct Trapframe *tf);

/* Stop the machine: QEMU's isa-debug-exit, then Bochs' shutdown port. */
void machine_poweroff(void) __attribute__((noreturn));

#endif
