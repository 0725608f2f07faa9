/*
 * The x86 rules the monitor applies to a guest, as pure functions of
 * register values (no guest, no hardware): they build for the host too,
 * where unit tests drive them (conf/tests/05-unit.sh).
 */
#ifndef JOS_VMM_X86_H
#define JOS_VMM_X86_H

#include <inc/types.h>
#include <vmm/vmm_ops.h>

// Exception vectors the monitor injects.
#define X86_VECTOR_UD	6
#define X86_VECTOR_GP	13

// Whether a write the guest attempts is architecturally valid.
enum x86_check {
	X86_OK,			// it takes effect
	X86_GP,			// the guest gets #GP(0) instead
	X86_UD,			// the guest gets #UD instead
};

// XCR0's state components (XSETBV, CPUID leaf 0xD).
#define XCR0_X87	0x1
#define XCR0_SSE	0x2
#define XCR0_AVX	0x4

enum x86_check x86_cr0_write(uint64_t old_cr0, uint64_t value, uint64_t cr4,
			     uint64_t efer, uint64_t *new_efer);
enum x86_check x86_cr4_write(uint64_t value, uint64_t allowed);
uint64_t x86_cr4_allowed(uint64_t allowed, uint64_t xcr0_supported);
enum x86_check x86_xsetbv(uint64_t cr4, int cpl, uint32_t xcr, uint64_t value,
			  uint64_t xcr0_supported);
enum x86_check x86_efer_write(uint64_t old_efer, uint64_t value, uint64_t cr0,
			      uint64_t *new_efer);

uint64_t x86_refused_in(uint64_t rax, int width);
bool	x86_reinject(const struct vm_event *pending, uint32_t exit_insn_len,
		     struct vm_event *ev);
struct vm_event x86_exception(int vector, bool has_error, uint32_t error, uint64_t cr0);

#endif
