/*
 * mbtest's "fpu N" mode: the guest's FPU registers must be its own.
 * It turns on SSE (and XSAVE with AVX where CPUID offers them), checks
 * that bad XSETBVs get #GP and leave XCR0 alone, fills x87, MXCSR, XMM
 * (and YMM) with a pattern made from N, then for FPU_TICKS + 50 N timer
 * ticks (guests with different N do not end together) sleeps in HLT,
 * makes CPUID exits and hypercalls, and after each wake checks every
 * register.  Another guest with another N, or a host
 * program using the FPU, that ran meanwhile must not show through.
 * Its lines go out whole, by HC_CONSWRITE (two guests run it at once).
 * Ends with one line of its verdict and a reset (the 8042's 0xFE).
 * Protected mode: AVX (VEX) instructions are undefined in real mode.
 */
#include <inc/types.h>

#define FPU_TICKS	200		// 2 s at 100 Hz, and 0.5 s more per N
#define NREGS		8

// CPUID leaf 1 ECX bits.
#define XSAVE_BIT	(1U << 26)
#define OSXSAVE_BIT	(1U << 27)
#define AVX_BIT		(1U << 28)
#define CR4_OSFXSR	0x200
#define CR4_OSXMMEXCPT	0x400
#define CR4_OSXSAVE	0x40000

void print(const char *fmt, ...);
uint32_t hypercall(uint32_t nr, uint32_t b, uint32_t c);
extern bool amd_cpu, print_by_hypercall;		// main.c
void idt_set(int vector, void (*handler)(void));
extern void fault_ud_stub(void), fault_gp_stub(void);	// entry.S
volatile uint32_t fault_ud, fault_gp;			// counted by the stubs

// The pattern.  (What the registers hold is stored on the stack.)
static uint8_t want_x[NREGS][32];
static int32_t want_st[NREGS];
static uint32_t want_mxcsr;

static void
cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid" : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (leaf), "c" (sub));
}

static uint32_t
rcr4(void)
{
	uint32_t v;

	asm volatile("movl %%cr4, %0" : "=r" (v));
	return v;
}

/*
 * MOV to CR4 that may fault: the #GP stub skips the 3-byte instruction
 * (0F 22 E0: the value must be in EAX).
 */
static void
lcr4(uint32_t v)
{
	asm volatile("movl %0, %%cr4" : : "a" (v) : "memory");
}

/* XSETBV that may fault (#GP or #UD: the stubs skip its 3 bytes). */
static void
xsetbv(uint32_t xcr, uint64_t v)
{
	asm volatile("xsetbv" : : "c" (xcr), "a" ((uint32_t) v), "d" ((uint32_t) (v >> 32))
		     : "memory");
}

static uint64_t
xgetbv(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return ((uint64_t) hi << 32) | lo;
}

/* x87 on (EM, TS clear; MP, NE set), SSE on; XSAVE on if offered (true then). */
static bool
fpu_on(uint32_t ecx1)
{
	uint32_t cr0;

	asm volatile("movl %%cr0, %0" : "=r" (cr0));
	cr0 = (cr0 & ~0xCU) | 0x22;
	asm volatile("movl %0, %%cr0; fninit" : : "r" (cr0));
	lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if (!(ecx1 & XSAVE_BIT))
		return false;
	lcr4(rcr4() | CR4_OSXSAVE);
	return (rcr4() & CR4_OSXSAVE) != 0;
}

/*
 * Where XSAVE is not offered: CPUID says nothing of XSAVE, OSXSAVE or
 * AVX, and XSETBV is undefined (#UD).  (CR4.OSXSAVE is not tried:
 * QEMU's SVM ends a guest that sets a CR4 bit its CPU lacks with an
 * invalid-state exit, where a real CPU raises #GP.)
 */
static void
check_no_xsave(uint32_t ecx1)
{
	uint32_t ud = fault_ud;

	xsetbv(0, 3);
	print("mbtest: fpu: no XSAVE: CPUID %s, XSETBV %s\n",
	      (ecx1 & (XSAVE_BIT | OSXSAVE_BIT | AVX_BIT)) ? "SHOWS XSAVE OR AVX" : "shows none",
	      fault_ud == ud + 1 ? "#UD" : "NOT #UD");
}

/*
 * With XSAVE: CPUID's OSXSAVE follows CR4, each bad XSETBV gets #GP and
 * leaves XCR0 at 1, then XCR0 takes every component leaf 0xD offers
 * (x87, SSE, AVX at most) and its size follows.  Returns XCR0.
 */
static uint64_t
check_xsave(void)
{
	uint32_t r[4], supported, gp = fault_gp;
	uint64_t bad[] = { 0, 0x2, 0x5, 0x1 | (1ULL << 9), 0x1 | (1ULL << 32), 0x1 | (1ULL << 63) };
	int nbad = sizeof(bad) / sizeof(bad[0]);
	uint64_t xcr0;

	cpuid(1, 0, r);
	print("mbtest: fpu: XSAVE offered, CPUID.1:ECX.OSXSAVE %s\n",
	      (r[2] & OSXSAVE_BIT) ? "set with CR4.OSXSAVE" : "CLEAR");
	cpuid(0xD, 0, r);
	supported = r[0];
	for (int i = 0; i < nbad; i++)
		xsetbv(0, bad[i]);
	xsetbv(1, 1);		// no XCR1 for a guest
	print("mbtest: xsetbv: %u of %u bad values refused with #GP, XCR0 %x\n",
	      fault_gp - gp, nbad + 1, (uint32_t) xgetbv());
	xsetbv(0, supported & 7);
	xcr0 = xgetbv();
	cpuid(0xD, 0, r);
	print("mbtest: fpu: XCR0 %x (leaf 0xD offers %x), area %s\n", (uint32_t) xcr0, supported,
	      r[1] == r[2] ? "size follows XCR0" : "SIZE WRONG");
	return xcr0;
}

/* The pattern of guest n: every byte of every register says n and where it is. */
static void
make_pattern(uint32_t n)
{
	for (int i = 0; i < NREGS; i++) {
		for (int j = 0; j < 32; j++)
			want_x[i][j] = (n * 0x40 + i * 0x20 + j) * 7 + n;
		want_st[i] = n * 1000000 + i * 1111 + 7;
	}
	want_mxcsr = 0x1F80 | ((n & 3) << 13);	// the rounding mode
}

/* Load the pattern: x87 st0-7, MXCSR, XMM0-7 (and YMM0-7's upper halves with avx). */
static void
load_regs(bool avx)
{
	uint8_t (*x)[32] = want_x;

	if (avx)
		asm volatile("vmovdqu 0(%0), %%ymm0\n\tvmovdqu 32(%0), %%ymm1\n\t"
			     "vmovdqu 64(%0), %%ymm2\n\tvmovdqu 96(%0), %%ymm3\n\t"
			     "vmovdqu 128(%0), %%ymm4\n\tvmovdqu 160(%0), %%ymm5\n\t"
			     "vmovdqu 192(%0), %%ymm6\n\tvmovdqu 224(%0), %%ymm7"
			     : : "r" (x) : "memory");
	else
		asm volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 32(%0), %%xmm1\n\t"
			     "movdqu 64(%0), %%xmm2\n\tmovdqu 96(%0), %%xmm3\n\t"
			     "movdqu 128(%0), %%xmm4\n\tmovdqu 160(%0), %%xmm5\n\t"
			     "movdqu 192(%0), %%xmm6\n\tmovdqu 224(%0), %%xmm7"
			     : : "r" (x) : "memory");
	asm volatile("ldmxcsr %0" : : "m" (want_mxcsr));
	asm volatile("fninit\n\t"
		     "fildl 0(%0)\n\tfildl 4(%0)\n\tfildl 8(%0)\n\tfildl 12(%0)\n\t"
		     "fildl 16(%0)\n\tfildl 20(%0)\n\tfildl 24(%0)\n\tfildl 28(%0)"
		     : : "r" (want_st) : "memory");
}

/*
 * Store the registers into x and st (the x87 stack is popped: st0
 * first, which was loaded last) and load the x87 ones again.  Returns
 * MXCSR.
 */
static uint32_t
store_regs(bool avx, uint8_t (*x)[32], int32_t *st)
{
	uint32_t mxcsr;

	if (avx)
		asm volatile("vmovdqu %%ymm0, 0(%0)\n\tvmovdqu %%ymm1, 32(%0)\n\t"
			     "vmovdqu %%ymm2, 64(%0)\n\tvmovdqu %%ymm3, 96(%0)\n\t"
			     "vmovdqu %%ymm4, 128(%0)\n\tvmovdqu %%ymm5, 160(%0)\n\t"
			     "vmovdqu %%ymm6, 192(%0)\n\tvmovdqu %%ymm7, 224(%0)"
			     : : "r" (x) : "memory");
	else
		asm volatile("movdqu %%xmm0, 0(%0)\n\tmovdqu %%xmm1, 32(%0)\n\t"
			     "movdqu %%xmm2, 64(%0)\n\tmovdqu %%xmm3, 96(%0)\n\t"
			     "movdqu %%xmm4, 128(%0)\n\tmovdqu %%xmm5, 160(%0)\n\t"
			     "movdqu %%xmm6, 192(%0)\n\tmovdqu %%xmm7, 224(%0)"
			     : : "r" (x) : "memory");
	asm volatile("stmxcsr %0" : "=m" (mxcsr));
	asm volatile("fistpl 28(%0)\n\tfistpl 24(%0)\n\tfistpl 20(%0)\n\tfistpl 16(%0)\n\t"
		     "fistpl 12(%0)\n\tfistpl 8(%0)\n\tfistpl 4(%0)\n\tfistpl 0(%0)"
		     : : "r" (st) : "memory");
	asm volatile("fninit\n\t"
		     "fildl 0(%0)\n\tfildl 4(%0)\n\tfildl 8(%0)\n\tfildl 12(%0)\n\t"
		     "fildl 16(%0)\n\tfildl 20(%0)\n\tfildl 24(%0)\n\tfildl 28(%0)"
		     : : "r" (want_st) : "memory");
	return mxcsr;
}

/* Whether the registers hold the pattern; else one line saying what differs. */
static bool
regs_intact(bool avx, uint32_t round)
{
	uint8_t got_x[NREGS][32];
	int32_t got_st[NREGS];
	uint32_t mxcsr = store_regs(avx, got_x, got_st);
	int len = avx ? 32 : 16;

	if (mxcsr != want_mxcsr) {
		print("mbtest: fpu: round %u: MXCSR %x, want %x\n", round, mxcsr, want_mxcsr);
		return false;
	}
	for (int i = 0; i < NREGS; i++) {
		if (got_st[i] != want_st[i]) {
			print("mbtest: fpu: round %u: st(%u) %u, want %u\n", round, 7 - i,
			      (uint32_t) got_st[i], (uint32_t) want_st[i]);
			return false;
		}
		for (int j = 0; j < len; j++)
			if (got_x[i][j] != want_x[i][j]) {
				print("mbtest: fpu: round %u: %s%u byte %u: %x, want %x\n", round,
				      j < 16 ? "xmm" : "ymm", i, j, got_x[i][j], want_x[i][j]);
				return false;
			}
	}
	return true;
}

/* The number after "fpu " in cmdline. */
static uint32_t
fpu_arg(const char *s)
{
	uint32_t n = 0;

	for (; *s; s++)
		if (s[0] == 'f' && s[1] == 'p' && s[2] == 'u' && s[3] == ' ') {
			for (s += 4; *s >= '0' && *s <= '9'; s++)
				n = n * 10 + (*s - '0');
			break;
		}
	return n;
}

/*
 * The "fpu N" mode (see the top); ticks counts the PIT's interrupts
 * (100 Hz, already running).  Does not return.
 */
void
fpu_test(const char *cmdline, volatile uint32_t *ticks)
{
	uint32_t n = fpu_arg(cmdline), r[4], end, round = 0;
	bool xsave, avx = false, ok = true;

	idt_set(6, fault_ud_stub);
	idt_set(13, fault_gp_stub);
	cpuid(0, 0, r);
	amd_cpu = r[1] == 0x68747541;		// "Auth"enticAMD
	print_by_hypercall = true;
	cpuid(1, 0, r);
	if ((xsave = fpu_on(r[2])))
		avx = (r[2] & AVX_BIT) && (check_xsave() & 6) == 6;
	else
		check_no_xsave(r[2]);
	make_pattern(n);
	load_regs(avx);
	print("mbtest: fpu %u: x87, MXCSR, XMM%s loaded; sleeping %u ticks\n", n,
	      avx ? ", YMM" : "", FPU_TICKS + 50 * n);
	asm volatile("sti");
	end = *ticks + FPU_TICKS + 50 * n;
	while (ok && *ticks < end) {
		asm volatile("hlt");
		cpuid(0, 0, r);
		hypercall(0x99, 0, 0);		// unknown: -E_INVAL
		ok = regs_intact(avx, ++round);
	}
	print("mbtest: fpu %u: %s after %u wakes\n", n,
	      ok ? "registers intact" : "registers CORRUPTED", round);
	asm volatile("outb %%al, $0x64" : : "a" (0xFE));	// reset
	for (;;)
		asm volatile("cli; hlt");
}
