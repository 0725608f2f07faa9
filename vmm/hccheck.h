/*
 * The hypercalls' argument checks (inc/vmm/hypercall.h), as pure
 * functions of the guest's memory size and the arguments: they build
 * for the host too, where unit tests drive them.
 */
#ifndef JOS_VMM_HCCHECK_H
#define JOS_VMM_HCCHECK_H

#include <inc/types.h>
#include <inc/vmm/multiboot.h>

#define HC_E820_ENTRIES	3

bool	hc_allowed(uint64_t nr, int cpl);
bool	hc_ipc_gpa_ok(uint64_t mem_size, uint64_t gpa, bool *page);
bool	hc_ipc_perm_ok(uint64_t perm);
bool	hc_conswrite_ok(uint64_t mem_size, uint64_t gpa, uint64_t len);
bool	hc_mbmap_ok(uint64_t mem_size, uint64_t gpa);
void	hc_mbmap_fill(uint64_t mem_size, uint64_t gpa, struct multiboot_info *info,
		      struct multiboot_mmap_entry map[HC_E820_ENTRIES]);

#endif
