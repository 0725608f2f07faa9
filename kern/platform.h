/*
 * Where the start-up (kern/init.c) differs between a PC and the guest
 * kernel: each hook is defined twice, in kern/init_pc.c and in
 * guest/pv_init.c, and each kernel links one of the two.
 */
#ifndef JOS_KERN_PLATFORM_H
#define JOS_KERN_PLATFORM_H

void boot_banner(void);		// after cons_init: say what kernel this is
void boot_selfcheck(void);	// after mem_init: boot flags' self-checks
void boot_irq_init(void);	// the interrupt controller, if this kernel owns one
const char *fs_argv0(void);	// argv[0] of the file server env

#endif
