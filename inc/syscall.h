/* System call numbers: the order is part of the JOS interface. */
#ifndef JOS_INC_SYSCALL_H
#define JOS_INC_SYSCALL_H

enum {
	SYS_cputs = 0,
	SYS_cgetc,
	SYS_getenvid,
	SYS_env_destroy,
	SYS_page_alloc,
	SYS_page_map,
	SYS_page_unmap,
	SYS_exofork,
	SYS_env_set_status,
	SYS_env_set_trapframe,
	SYS_env_set_pgfault_upcall,
	SYS_yield,
	SYS_ipc_try_send,
	SYS_ipc_recv,
	SYS_time_msec,
	SYS_ept_map,
	SYS_env_mkguest,
	SYS_free_pages,		// number of free physical pages (leak checks)
	SYS_guest_info,		// state of the guests (vmctl)
	SYS_guest_stop,		// destroy a guest (any env may)
	SYS_guest_focus,	// give the console input to a guest, or the host
	SYS_cons_wait,		// sleep until typed input may be there
	SYS_env_wait,		// sleep until an env is gone
	// The JOS VMM lab's monitor calls (user/vmmanager.c, user/labvmm.c).
	SYS_vmx_list_vms,	// print the guests, numbered from 1
	SYS_vmx_sel_resume,	// give guest number i the console
	SYS_vmx_get_vmdisk_number,	// the guest disk counter
	SYS_vmx_incr_vmdisk_number,	// add one to it
	SYS_guest_debug,	// a guest waits for gdb on COM2 (vmm/gdb/stub.c)
	SYS_guest_read,		// copy bytes of a guest's physical memory (vmctl screen)
	NSYSCALLS
};

// sys_env_wait flag: also return at once if the env is a guest and the
// host holds the console (vmm: give the shell back then).
#define ENV_WAIT_CONSOLE	0x1

// sys_guest_debug flag: gdb is given the i386 register layout even in
// the boot code's real mode (vmm --gdb with a 32-bit multiboot kernel);
// without it the layout follows the guest's mode, real mode x86-64.
#define GUEST_DEBUG_I386	0x1

// sys_guest_read copies at most this many bytes at a time.
#define GUEST_READ_MAX		65536

#endif
