/*
 * Argument checks for the hypercalls (vmm/hccheck.h), and the memory
 * map HC_MBMAP writes.  Pure functions of the guest's memory size and
 * the arguments; built for the host's unit tests as well.
 */
#include <inc/mmu.h>
#include <inc/assert.h>
#include <inc/vmm/hypercall.h>
#include <inc/vmm/layout.h>
#include <vmm/hccheck.h>

/*
 * Whether hypercall nr may come from privilege level cpl: any from the
 * guest's kernel (CPL 0), only the IPC pair from its user mode (the
 * guest's file server, lib/ipchost.c).
 */
bool
hc_allowed(uint64_t nr, int cpl)
{
	return cpl == 0 || nr == HC_IPCSEND || nr == HC_IPCRECV;
}

/*
 * A guest-physical address passed to a host IPC hypercall: false if it
 * is in the guest's memory but unaligned or in the BIOS hole; otherwise
 * true, with *page telling whether it names a page (beyond the guest's
 * memory means none).
 */
bool
hc_ipc_gpa_ok(uint64_t mem_size, uint64_t gpa, bool *page)
{
	*page = gpa < mem_size;
	if (!*page)
		return true;
	return PGOFF(gpa) == 0 && !(gpa >= GUEST_LOW_MEM_END && gpa < GUEST_HIGH_MEM);
}

/* Page permissions for HC_IPCSEND: present and user, nothing beyond PTE_SYSCALL. */
bool
hc_ipc_perm_ok(uint64_t perm)
{
	return (perm & (PTE_U | PTE_P)) == (PTE_U | PTE_P) && !(perm & ~(uint64_t) PTE_SYSCALL);
}

/*
 * HC_CONSWRITE of len bytes at gpa: at most HC_CONSWRITE_MAX, all
 * inside the guest's memory (without overflow).
 */
bool
hc_conswrite_ok(uint64_t mem_size, uint64_t gpa, uint64_t len)
{
	return len <= HC_CONSWRITE_MAX && gpa <= mem_size && len <= mem_size - gpa;
}

/*
 * HC_MBMAP at gpa: 4-byte aligned, inside the guest's memory, with the
 * block and its map in the same page.
 */
bool
hc_mbmap_ok(uint64_t mem_size, uint64_t gpa)
{
	uint64_t need = sizeof(struct multiboot_info)
		+ HC_E820_ENTRIES * sizeof(struct multiboot_mmap_entry);

	return gpa % 4 == 0 && gpa < mem_size && PGOFF(gpa) + need <= PGSIZE;
}

/*
 * The multiboot block for a guest of mem_size bytes, written at gpa, and
 * its e820 map right after it: low memory usable up to
 * GUEST_LOW_MEM_END, the BIOS hole reserved, the rest usable.
 */
void
hc_mbmap_fill(uint64_t mem_size, uint64_t gpa, struct multiboot_info *info,
	      struct multiboot_mmap_entry map[HC_E820_ENTRIES])
{
	static_assert(sizeof(struct multiboot_info) == MB_INFO_SIZE);
	static_assert(sizeof(struct multiboot_mmap_entry) == E820_ENTRY_SIZE + 4);
	static_assert(offsetof(struct multiboot_info, mmap_length) == MB_INFO_MMAP_LENGTH);
	static_assert(offsetof(struct multiboot_info, cmdline) == MB_INFO_CMDLINE);

	map[0] = (struct multiboot_mmap_entry) { E820_ENTRY_SIZE, 0, GUEST_LOW_MEM_END, E820_RAM };
	map[1] = (struct multiboot_mmap_entry) { E820_ENTRY_SIZE, GUEST_LOW_MEM_END,
						 GUEST_HIGH_MEM - GUEST_LOW_MEM_END, E820_RESERVED };
	map[2] = (struct multiboot_mmap_entry) { E820_ENTRY_SIZE, GUEST_HIGH_MEM,
						 mem_size - GUEST_HIGH_MEM, E820_RAM };
	*info = (struct multiboot_info) {
		.flags = MB_FLAG_MEM | MB_FLAG_MMAP,
		.mem_lower = GUEST_LOW_MEM_END / 1024,
		.mem_upper = (mem_size - GUEST_HIGH_MEM) / 1024,
		.mmap_length = HC_E820_ENTRIES * sizeof(map[0]),
		.mmap_addr = gpa + sizeof(*info),
	};
}
