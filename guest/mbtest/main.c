/*
 * mbtest: a small 32-bit multiboot kernel of our own, for the monitor's
 * tests (conf/tests/63-platform.sh).  It prints on COM1, polling the
 * line status register, what the loader gave it (flags, memory, the
 * memory map, command line, modules with their checksums, the loader's
 * name), reads the RTC, programs the PIC and the PIT at 100 Hz and
 * counts timer interrupts through its own IDT, and echoes what is typed
 * on COM1, taken by the receive interrupt.  With "hostile" on its
 * command line it writes nonsense
 * to the PIC, PIT, UART and RTC, then masks everything and halts; with
 * "fpu N" it checks that its FPU registers survive (fpu.c).
 */
#include <inc/types.h>
#include <inc/vmm/hypercall.h>

#define COM1		0x3F8
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define PIT_DIVISOR	11932		// 1193182 Hz / 100
#define VEC_BASE	0x20

extern void irq0(void), irq1(void), irq2(void), irq3(void), irq4(void), irq5(void),
	irq6(void), irq7(void), irq8(void), irq9(void), irq10(void), irq11(void),
	irq12(void), irq13(void), irq14(void), irq15(void);
void mbmain(uint32_t magic, const uint32_t *info);
void irq_handler(int irq);
void idt_set(int vector, void (*handler)(void));
void print(const char *fmt, ...);
bool has_word(const char *s, const char *word);
void fpu_test(const char *cmdline, volatile uint32_t *ticks);	// fpu.c

static volatile uint32_t ticks, spurious;
bool amd_cpu;			// the hypercall is VMMCALL
bool print_by_hypercall;	// lines go out by HC_CONSWRITE
static volatile uint8_t rx_ring[64];
static volatile uint32_t rx_head, rx_tail;
static uint64_t idt[256];
static uint64_t gdt[3] = { 0, 0x00CF9A000000FFFFULL, 0x00CF92000000FFFFULL };

static inline void
outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a" (v), "Nd" (port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a" (v) : "Nd" (port));
	return v;
}

/*
 * A hypercall (VMCALL, or VMMCALL on AMD) with number nr and RBX, RCX
 * b and c; its result.
 */
uint32_t
hypercall(uint32_t nr, uint32_t b, uint32_t c)
{
	if (amd_cpu)
		asm volatile("vmmcall" : "+a" (nr) : "b" (b), "c" (c) : "memory");
	else
		asm volatile("vmcall" : "+a" (nr) : "b" (b), "c" (c) : "memory");
	return nr;
}

/*
 * Print c: on COM1 once the transmitter can take it, or, once
 * print_by_hypercall is on, into a line that one HC_CONSWRITE prints
 * whole (two guests printing at once would cut into each other's lines
 * a character at a time).
 */
static void
putc(char c)
{
	static char line[96];		// longer lines go out in parts
	static uint32_t len;

	if (print_by_hypercall) {
		line[len++] = c;
		if (c == '\n' || len == sizeof(line)) {
			hypercall(HC_CONSWRITE, (uint32_t) line, len);
			len = 0;
		}
		return;
	}
	for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & LSR_THRE); i++)
		;
	outb(COM1, c);
}

static void
puts(const char *s)
{
	while (*s)
		putc(*s++);
}

/* v in base (10 or 16), at least width digits. */
static void
putnum(uint32_t v, int base, int width)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v || n < width);
	while (n)
		putc(buf[--n]);
}

/* A small printf: %u, %x (8 digits), %02u, %s, %c. */
void
print(const char *fmt, ...)
{
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 'u':
			putnum(__builtin_va_arg(ap, uint32_t), 10, 1);
			break;
		case 'x':
			putnum(__builtin_va_arg(ap, uint32_t), 16, 8);
			break;
		case '0':		// %02u
			fmt += 2;
			putnum(__builtin_va_arg(ap, uint32_t), 10, 2);
			break;
		case 's':
			puts(__builtin_va_arg(ap, const char *));
			break;
		case 'c':
			putc(__builtin_va_arg(ap, int));
			break;
		}
	}
	__builtin_va_end(ap);
}

/* Whether word occurs in s. */
bool
has_word(const char *s, const char *word)
{
	for (; *s; s++) {
		int i = 0;
		while (word[i] && s[i] == word[i])
			i++;
		if (!word[i])
			return true;
	}
	return false;
}

/* Print the information block at info (the loader's view of us). */
static const char *
print_info(const uint32_t *info)
{
	uint32_t flags = info[0];
	const char *cmdline = "";

	print("mbtest: flags %x\n", flags);
	if (flags & (1 << 0))
		print("mbtest: mem_lower %u KiB, mem_upper %u KiB\n", info[1], info[2]);
	if (flags & (1 << 2)) {
		cmdline = (const char *) info[4];
		print("mbtest: cmdline \"%s\"\n", cmdline);
	}
	if (flags & (1 << 3)) {
		const uint32_t *m = (const uint32_t *) info[6];
		for (uint32_t i = 0; i < info[5]; i++, m += 4) {
			uint32_t sum = 0;
			for (const uint8_t *p = (const uint8_t *) m[0]; p < (const uint8_t *) m[1]; p++)
				sum = sum * 31 + *p;
			print("mbtest: module %u: %x-%x \"%s\" %u bytes, sum %x\n", i, m[0], m[1],
			      (const char *) m[2], m[1] - m[0], sum);
		}
	}
	if (flags & (1 << 6)) {
		const uint8_t *p = (const uint8_t *) info[12], *end = p + info[11];
		for (; p < end; p += *(const uint32_t *) p + 4) {
			const uint32_t *e = (const uint32_t *) p;
			print("mbtest: mmap %x%x +%x%x type %u\n", e[2], e[1], e[4], e[3], e[5]);
		}
	}
	if (flags & (1 << 9))
		print("mbtest: loader \"%s\"\n", (const char *) info[16]);
	if (flags & (1 << 12))
		print("mbtest: framebuffer %x type %u, %ux%u\n", info[22], ((const uint8_t *) info)[109],
		      info[25], info[26]);
	return cmdline;
}

static int
bcd(int v)
{
	return (v & 15) + (v >> 4) * 10;
}

static int
cmos(int reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

/* Print the RTC's date and time, as register B says they are coded. */
static void
print_rtc(void)
{
	int regs[6] = { 9, 8, 7, 4, 2, 0 }, v[6];
	bool is_bcd = !(cmos(0x0B) & 0x04);

	while (cmos(0x0A) & 0x80)
		;
	for (int i = 0; i < 6; i++)
		v[i] = is_bcd ? bcd(cmos(regs[i])) : cmos(regs[i]);
	print("mbtest: rtc 20%02u-%02u-%02u %02u:%02u:%02u\n", v[0], v[1], v[2], v[3], v[4], v[5]);
}

/* Point IDT entry vector at handler: a 32-bit interrupt gate in code segment 0x08. */
void
idt_set(int vector, void (*handler)(void))
{
	uint32_t a = (uint32_t) handler;

	idt[vector] = (a & 0xFFFF) | (0x08ULL << 16) | (0x8EULL << 40)
		| ((uint64_t) (a >> 16) << 48);
}

/* Our own GDT (flat 32-bit code 0x08 and data 0x10) and an IDT for 0x20-0x2F. */
static void
setup_tables(void)
{
	void (*stubs[16])(void) = { irq0, irq1, irq2, irq3, irq4, irq5, irq6, irq7,
				     irq8, irq9, irq10, irq11, irq12, irq13, irq14, irq15 };
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;

	d.limit = sizeof(gdt) - 1;
	d.base = (uint32_t) gdt;
	asm volatile("lgdt %0\n\t"
		     "ljmp $0x08, $1f\n"
		     "1:\tmovw $0x10, %%ax\n\t"
		     "movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss\n\t"
		     "movw %%ax, %%fs; movw %%ax, %%gs" : : "m" (d) : "eax", "memory");
	for (int i = 0; i < 16; i++)
		idt_set(VEC_BASE + i, stubs[i]);
	d.limit = sizeof(idt) - 1;
	d.base = (uint32_t) idt;
	asm volatile("lidt %0" : : "m" (d));
}

/* The PIC pair at vectors 0x20 and 0x28, only the lines in mask open. */
static void
setup_pic(uint16_t open)
{
	outb(0x20, 0x11);
	outb(0xA0, 0x11);
	outb(0x21, VEC_BASE);
	outb(0xA1, VEC_BASE + 8);
	outb(0x21, 1 << 2);
	outb(0xA1, 2);
	outb(0x21, 0x01);
	outb(0xA1, 0x01);
	outb(0x21, ~open & 0xFF);
	outb(0xA1, ~open >> 8);
}

/* PIT channel 0, mode 2, with count. */
static void
setup_pit(uint16_t count)
{
	outb(0x43, 0x34);
	outb(0x40, count & 0xFF);
	outb(0x40, count >> 8);
}

/* COM1 at 115200 8N1, FIFO on, OUT2 on, the receive interrupt on. */
static void
setup_uart(void)
{
	outb(COM1 + 3, 0x80);
	outb(COM1 + 0, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);
	outb(COM1 + 2, 0x07);
	outb(COM1 + 4, 0x0B);
	outb(COM1 + 1, 0x01);
}

/* A PIC interrupt: count the timer, take COM1's bytes, EOI. */
void
irq_handler(int irq)
{
	if (irq == 0)
		ticks++;
	else if (irq == 4) {
		while (inb(COM1 + 5) & LSR_DR) {
			uint8_t c = inb(COM1);
			if (rx_head - rx_tail < sizeof(rx_ring))
				rx_ring[rx_head++ % sizeof(rx_ring)] = c;
		}
	} else
		spurious++;
	if (irq >= 8)
		outb(0xA0, 0x20);
	outb(0x20, 0x20);
}

/* Everything a guest should not do to its devices, then masked and halted. */
static void
hostile(void)
{
	uint16_t ports[] = { 0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1, 0x40, 0x41, 0x42, 0x43,
			     0x61, 0x70, 0x71, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF };
	uint32_t x = 12345;

	print("mbtest: hostile: nonsense to the devices, then masked and halted\n");
	for (int round = 0; round < 2000; round++)
		for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
			x = x * 1103515245 + 12345;
			outb(ports[i], x >> 16);
			(void) inb(ports[(i + round) % (sizeof(ports) / sizeof(ports[0]))]);
		}
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	for (;;)
		asm volatile("cli; hlt");
}

void
mbmain(uint32_t magic, const uint32_t *info)
{
	const char *cmdline;
	uint32_t shown = 0, t;

	print("mbtest: magic %x, info at %x\n", magic, (uint32_t) info);
	if (magic != 0x2BADB002) {
		print("mbtest: not started by a multiboot loader\n");
		return;
	}
	// The fpu mode prints only its own lines (two guests run it at once).
	cmdline = (info[0] & (1 << 2)) ? (const char *) info[4] : "";
	if (!has_word(cmdline, "fpu ")) {
		cmdline = print_info(info);
		print_rtc();
	}
	setup_tables();
	setup_uart();
	setup_pic((1 << 0) | (1 << 4));
	setup_pit(PIT_DIVISOR);
	if (has_word(cmdline, "hostile"))
		hostile();
	if (has_word(cmdline, "fpu "))
		fpu_test(cmdline, &ticks);
	print("mbtest: PIT at 100 Hz, waiting for ticks\n");
	asm volatile("sti");
	for (;;) {
		asm volatile("hlt");
		t = ticks;
		if (t / 100 > shown && shown < 3) {
			shown = t / 100;
			print("mbtest: ticks: %u\n", shown * 100);
			if (shown == 1)
				print("mbtest: type something\n");
		}
		while (rx_tail != rx_head) {
			uint8_t c = rx_ring[rx_tail++ % sizeof(rx_ring)];
			if (c == '\r' || c == '\n')
				print("mbtest: echo: newline\n");
			else
				print("mbtest: echo: %c\n", c);
		}
		if (spurious)
			print("mbtest: %u unexpected interrupts\n", spurious), spurious = 0;
	}
}
