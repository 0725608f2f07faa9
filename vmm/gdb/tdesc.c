/*
 * The target descriptions gdb reads with qXfer:features:read, and the
 * register layout of the g packet that follows from them: x86-64 for a
 * guest in long mode, i386 otherwise.  gdb's i386 and amd64 code wants
 * the feature org.gnu.gdb.i386.core whole, x87 registers included; the
 * monitor does not track the guest's x87 state, so those read as zeros
 * and writes to them are dropped.
 */
#include <vmm/gdb/rsp.h>

#define NOREG	(-1)		// an x87 register: no rsp_reg behind it

struct tdesc_reg {
	const char *name;
	int reg;		// enum rsp_reg, or NOREG
	int bits;
	const char *type;
};

#define X87_REGS \
	{ "st0", NOREG, 80, "i387_ext" }, { "st1", NOREG, 80, "i387_ext" }, \
	{ "st2", NOREG, 80, "i387_ext" }, { "st3", NOREG, 80, "i387_ext" }, \
	{ "st4", NOREG, 80, "i387_ext" }, { "st5", NOREG, 80, "i387_ext" }, \
	{ "st6", NOREG, 80, "i387_ext" }, { "st7", NOREG, 80, "i387_ext" }, \
	{ "fctrl", NOREG, 32, "int" }, { "fstat", NOREG, 32, "int" }, \
	{ "ftag", NOREG, 32, "int" }, { "fiseg", NOREG, 32, "int" }, \
	{ "fioff", NOREG, 32, "int" }, { "foseg", NOREG, 32, "int" }, \
	{ "fooff", NOREG, 32, "int" }, { "fop", NOREG, 32, "int" }

#define SEG_REGS \
	{ "cs", RSP_CS, 32, "int32" }, { "ss", RSP_SS, 32, "int32" }, \
	{ "ds", RSP_DS, 32, "int32" }, { "es", RSP_ES, 32, "int32" }, \
	{ "fs", RSP_FS, 32, "int32" }, { "gs", RSP_GS, 32, "int32" }

// gdb's amd64 register order.
static const struct tdesc_reg amd64_regs[] = {
	{ "rax", RSP_RAX, 64, "int64" }, { "rbx", RSP_RBX, 64, "int64" },
	{ "rcx", RSP_RCX, 64, "int64" }, { "rdx", RSP_RDX, 64, "int64" },
	{ "rsi", RSP_RSI, 64, "int64" }, { "rdi", RSP_RDI, 64, "int64" },
	{ "rbp", RSP_RBP, 64, "data_ptr" }, { "rsp", RSP_RSP, 64, "data_ptr" },
	{ "r8", RSP_R8, 64, "int64" }, { "r9", RSP_R9, 64, "int64" },
	{ "r10", RSP_R10, 64, "int64" }, { "r11", RSP_R11, 64, "int64" },
	{ "r12", RSP_R12, 64, "int64" }, { "r13", RSP_R13, 64, "int64" },
	{ "r14", RSP_R14, 64, "int64" }, { "r15", RSP_R15, 64, "int64" },
	{ "rip", RSP_RIP, 64, "code_ptr" }, { "eflags", RSP_RFLAGS, 32, "int32" },
	SEG_REGS, X87_REGS,
};

// gdb's i386 register order (eax ecx edx ebx esp ebp esi edi).
static const struct tdesc_reg i386_regs[] = {
	{ "eax", RSP_RAX, 32, "int32" }, { "ecx", RSP_RCX, 32, "int32" },
	{ "edx", RSP_RDX, 32, "int32" }, { "ebx", RSP_RBX, 32, "int32" },
	{ "esp", RSP_RSP, 32, "data_ptr" }, { "ebp", RSP_RBP, 32, "data_ptr" },
	{ "esi", RSP_RSI, 32, "int32" }, { "edi", RSP_RDI, 32, "int32" },
	{ "eip", RSP_RIP, 32, "code_ptr" }, { "eflags", RSP_RFLAGS, 32, "int32" },
	SEG_REGS, X87_REGS,
};

#define NELEM(a)	((int) (sizeof(a) / sizeof((a)[0])))

/* The layout for a guest that is (is64) or is not in long mode. */
static const struct tdesc_reg *
tdesc_regs(bool is64, int *n)
{
	*n = is64 ? NELEM(amd64_regs) : NELEM(i386_regs);
	return is64 ? amd64_regs : i386_regs;
}

/*
 * gdb's register n in the layout: *reg its rsp_reg (or -1: an x87
 * register), *size its bytes.  0, or -1 if there is no register n.
 */
int
rsp_reg_layout(bool is64, int n, int *reg, int *size)
{
	int count;
	const struct tdesc_reg *regs = tdesc_regs(is64, &count);

	if (n < 0 || n >= count)
		return -1;
	*reg = regs[n].reg;
	*size = regs[n].bits / 8;
	return 0;
}

/* Append string s to buf (of max bytes, at *len), cut at the end. */
static void
xml_put(char *buf, int max, int *len, const char *s)
{
	while (*s && *len < max - 1)
		buf[(*len)++] = *s++;
	buf[*len] = 0;
}

/* Append non-negative number v in decimal. */
static void
xml_put_dec(char *buf, int max, int *len, int v)
{
	char digits[12];
	int i = sizeof(digits) - 1;

	digits[i] = 0;
	do
		digits[--i] = '0' + v % 10;
	while ((v /= 10) && i > 0);
	xml_put(buf, max, len, digits + i);
}

/* The description of a layout, written once into buf. */
static int
tdesc_build(char *buf, int max, bool is64)
{
	int i, n, len = 0;
	const struct tdesc_reg *regs = tdesc_regs(is64, &n);

	xml_put(buf, max, &len, "<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
		"<architecture>");
	xml_put(buf, max, &len, is64 ? "i386:x86-64" : "i386");
	xml_put(buf, max, &len, "</architecture>\n<feature name=\"org.gnu.gdb.i386.core\">\n");
	for (i = 0; i < n; i++) {
		xml_put(buf, max, &len, "<reg name=\"");
		xml_put(buf, max, &len, regs[i].name);
		xml_put(buf, max, &len, "\" bitsize=\"");
		xml_put_dec(buf, max, &len, regs[i].bits);
		xml_put(buf, max, &len, "\" type=\"");
		xml_put(buf, max, &len, regs[i].type);
		xml_put(buf, max, &len, regs[i].reg == NOREG && regs[i].bits == 32
			? "\" group=\"float\"/>\n" : "\"/>\n");
	}
	xml_put(buf, max, &len, "</feature>\n</target>\n");
	return len;
}

/* The description gdb reads as target.xml, and its length. */
const char *
rsp_target_xml(bool is64, int *len)
{
	static char xml64[4096], xml32[4096];
	static int len64, len32;

	if (is64 && !len64)
		len64 = tdesc_build(xml64, sizeof(xml64), true);
	if (!is64 && !len32)
		len32 = tdesc_build(xml32, sizeof(xml32), false);
	*len = is64 ? len64 : len32;
	return is64 ? xml64 : xml32;
}
