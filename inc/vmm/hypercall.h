/*
 * Hypercalls: how a guest asks the JOS monitor for something.  The
 * number goes in RAX, arguments in RBX, RCX, RDX, RSI (in that order);
 * the result comes back in RAX, a negative E_* code on error.  Only
 * IPCRECV hands more back (RSI, RDX, RCX).  The guest kernel makes all
 * of them from CPL 0; the IPC pair may also come from guest user mode
 * (the guest's file server).
 *
 * The instruction is VMCALL on Intel VT-x and VMMCALL on AMD SVM (the
 * other one is #UD there): the wrappers below pick it from the CPUID
 * vendor, asked once per file that uses them.  Shared by the kernel,
 * the user library, the user-level vmm and the guests.
 */
#ifndef JOS_INC_VMM_HYPERCALL_H
#define JOS_INC_VMM_HYPERCALL_H

#define HC_MBMAP	0x1	// RBX: gpa of a page for a multiboot block + e820 map
#define HC_IPCSEND	0x2	// RBX: dest env type, RCX: value, RDX: gpa of page, RSI: perm
#define HC_IPCRECV	0x3	// RBX: gpa to receive a page at; value back in RSI,
				// sender's env id in RDX, page perm in RCX
#define HC_POWEROFF	0x4	// no arguments: the guest ends (never returns)
#define HC_CONSWRITE	0x5	// RBX: gpa of bytes, RCX: length (at most
				// HC_CONSWRITE_MAX, inside guest memory, may
				// cross pages); printed like COM1 output;
				// RAX: bytes written or -E_INVAL
#define HC_TSC_HZ	0x6	// no arguments: RAX = the host's TSC rate in Hz
#define HC_COUNT	0x7	// numbers below this are defined

#define HC_CONSWRITE_MAX	4096
// For IPCSEND and IPCRECV, a guest-physical address at or beyond the
// guest's memory size means "no page"; one inside it must be
// page-aligned and outside the BIOS hole [GUEST_LOW_MEM_END, 1 MiB).
#define HC_NO_PAGE	(~0UL)

// For guest code written in assembly (the tiny test guests): the
// instruction, and a number as text ("movl $" HC_STR(HC_MBMAP) ...).
// HC_INSN assembles VMCALL and records its address in section
// hc_sites; hypercall_fix_sites turns a copy of the code into VMMCALLs
// on an AMD CPU.  Both are three bytes: 0f 01 c1 and 0f 01 d9.
#define HC_INSN		"661: vmcall\n" \
			".pushsection hc_sites, \"a\"\n.quad 661b\n.popsection"
#define HC_VMMCALL_MODRM	0xd9
#define HC_XSTR(x)	#x
#define HC_STR(x)	HC_XSTR(x)

#ifndef __ASSEMBLER__
#include <inc/types.h>

/*
 * Whether hypercalls here are VMMCALL (an AMD or Hygon CPU, by its
 * CPUID vendor) rather than VMCALL.  Asked once, then remembered.
 */
static inline bool
hypercall_is_vmmcall(void)
{
	static int8_t amd = -1;
	uint32_t a = 0, b, c, d;

	if (amd < 0) {
		asm volatile("cpuid" : "+a" (a), "=b" (b), "=c" (c), "=d" (d));
		// "AuthenticAMD" or "HygonGenuine" in EBX, EDX, ECX.
		amd = (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163)
			|| (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975);
	}
	return amd;
}

// The hypercall instruction with operands OPS (": outputs : inputs : clobbers").
#define HC_ASM(OPS...) do { \
		if (hypercall_is_vmmcall()) \
			asm volatile("vmmcall" OPS); \
		else \
			asm volatile("vmcall" OPS); \
	} while (0)

/*
 * copy holds the bytes of guest code [code, end) written with HC_INSN:
 * on an AMD CPU, make each of its hypercalls VMMCALL.
 */
static inline void
hypercall_fix_sites(uint8_t *copy, const char *code, const char *end)
{
	extern const char *const __start_hc_sites[] __attribute__((weak));
	extern const char *const __stop_hc_sites[] __attribute__((weak));

	if (!hypercall_is_vmmcall())
		return;
	for (const char *const *site = __start_hc_sites; site < __stop_hc_sites; site++)
		if (*site >= code && *site + 3 <= end)
			copy[*site - code + 2] = HC_VMMCALL_MODRM;
}

/* Hypercall nr without arguments; its result. */
static inline int64_t
hypercall0(uint64_t nr)
{
	HC_ASM(: "+a" (nr) : : "memory");
	return nr;
}

/* Hypercall nr with one argument (RBX); its result. */
static inline int64_t
hypercall1(uint64_t nr, uint64_t a1)
{
	HC_ASM(: "+a" (nr), "+b" (a1) : : "memory");
	return nr;
}

/* Hypercall nr with two arguments (RBX, RCX); its result. */
static inline int64_t
hypercall2(uint64_t nr, uint64_t a1, uint64_t a2)
{
	HC_ASM(: "+a" (nr), "+b" (a1), "+c" (a2) : : "memory");
	return nr;
}

/* Hypercall nr with three arguments (RBX, RCX, RDX); its result. */
static inline int64_t
hypercall3(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	HC_ASM(: "+a" (nr), "+b" (a1), "+c" (a2), "+d" (a3) : : "memory");
	return nr;
}

/* Hypercall nr with four arguments (RBX, RCX, RDX, RSI); its result. */
static inline int64_t
hypercall4(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	HC_ASM(: "+a" (nr), "+b" (a1), "+c" (a2), "+d" (a3), "+S" (a4) : : "memory");
	return nr;
}

/* What a hypercall hands back beyond RAX (IPCRECV: value, sender, perm). */
struct hypercall_out {
	uint64_t rsi, rdx, rcx;
};

/*
 * Hypercall nr with one argument (RBX) that answers in RSI, RDX and
 * RCX as well (zero unless the monitor writes them); its result.
 */
static inline int64_t
hypercall1_out(uint64_t nr, uint64_t a1, struct hypercall_out *out)
{
	out->rsi = out->rdx = out->rcx = 0;
	HC_ASM(: "+a" (nr), "+b" (a1), "+S" (out->rsi), "+d" (out->rdx), "+c" (out->rcx)
	       : : "memory");
	return nr;
}
#endif

#endif
