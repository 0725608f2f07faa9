/*
 * What sys_guest_info reports about each guest (kernel: vmm/stats.c;
 * readers: vmctl, vmm, the test programs through guest_info_of).
 * Times are in milliseconds of the host's calibrated TSC.
 */
#ifndef JOS_INC_VMM_GUEST_INFO_H
#define JOS_INC_VMM_GUEST_INFO_H

#include <inc/types.h>

struct guest_info {
	int32_t env_id;
	uint32_t status;		// env_status
	uint64_t mem_size;		// bytes of guest-physical memory
	uint64_t exits;			// VM exits so far
	uint64_t cycles;		// TSC ticks since its first entry
	uint64_t cycles_in_guest;	// of which inside the guest
	uint64_t io_refused;		// port accesses refused
	uint32_t has_console;		// 1 if it holds the console input
	uint32_t halted;		// 1 if it sleeps in HLT until input
	uint32_t had_console;		// 1 if it holds the console or held it last
	uint32_t pad;
	uint64_t run_ms;		// milliseconds since its first entry
	uint64_t in_guest_ms;		// of which inside the guest
	uint64_t tsc_hz;		// the rate its TSC counts at (the host's)
};

#endif
