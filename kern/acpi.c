/*
 * Finding the CPUs.  The firmware describes them in the ACPI MADT
 * (reached from the RSDP through the RSDT or XSDT), or on older
 * machines in the Intel MultiProcessor tables.  Either gives each
 * CPU's local APIC id and the local APICs' physical address.
 */
#include <inc/x86.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/cpu.h>
#include <kern/pmap.h>

#define BDA_EBDA_SEG	0x40E	// BIOS data area: segment of the extended BDA
#define BDA_BASE_KB	0x413	// BIOS data area: KiB of base memory
#define BIOS_ROM	0xE0000	// the BIOS area searched for the RSDP
#define BIOS_ROM_END	0x100000
#define DEFAULT_LAPIC	0xFEE00000
#define MAX_TABLE	0x10000	// larger "tables" are taken for garbage

/* ---- physical memory ---- */

// Tables outside the memory the kernel maps, mapped here once each.
static struct {
	physaddr_t pa;
	size_t len;
	uint8_t *va;
} views[8];
static int nviews;

/*
 * A kernel pointer to the len bytes at physical address pa.  Memory the
 * kernel manages is mapped at KERNBASE; tables beyond it (firmware data
 * at the top of RAM, say) get an MMIO mapping that is never removed.
 */
static void *
phys(physaddr_t pa, size_t len)
{
	if (pa + len <= npages * PGSIZE)
		return KADDR(pa);
	for (int i = 0; i < nviews; i++)
		if (pa >= views[i].pa && pa + len <= views[i].pa + views[i].len)
			return views[i].va + (pa - views[i].pa);
	uint8_t *va = mmio_map_region(pa, len);
	if (nviews < (int) (sizeof(views) / sizeof(views[0]))) {
		// Remember all of the pages just mapped.
		views[nviews].pa = ROUNDDOWN(pa, PGSIZE);
		views[nviews].len = ROUNDUP(pa + len, PGSIZE) - views[nviews].pa;
		views[nviews].va = va - PGOFF(pa);
		nviews++;
	}
	return va;
}

/* The byte sum of [p, p+len); firmware tables sum to 0. */
static uint8_t
sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s += b[i];
	return s;
}

/*
 * The first structure in physical [pa, pa+len) that starts at a 16-byte
 * boundary with the signature sig and whose first sumlen bytes sum to 0.
 */
static void *
scan(physaddr_t pa, size_t len, const char *sig, size_t sumlen)
{
	size_t siglen = strlen(sig);

	for (physaddr_t p = pa; p + sumlen <= pa + len; p += 16) {
		uint8_t *b = phys(p, sumlen);
		if (memcmp(b, sig, siglen) == 0 && sum(b, sumlen) == 0)
			return b;
	}
	return NULL;
}

/* The BIOS data area's 16-bit word at offset off. */
static physaddr_t
bda_word(size_t off)
{
	return *(uint16_t *) phys(off, 2);
}

/* ---- recording CPUs ---- */

static int cpus_ignored;	// CPUs found beyond NCPU

/* The initial APIC id of the CPU running this. */
static uint8_t
my_apic_id(void)
{
	uint32_t ebx;

	cpuid(1, NULL, &ebx, NULL, NULL);
	return ebx >> 24;
}

/*
 * Record an enabled CPU.  Past NCPU the rest are ignored, except that
 * the boot CPU always gets a place (the last one, if need be).
 */
static void
add_cpu(uint8_t apic_id)
{
	int i = ncpu;

	if (ncpu == NCPU) {
		cpus_ignored++;
		if (apic_id != my_apic_id())
			return;
		i = NCPU - 1;
	} else
		ncpu++;
	cpus[i].cpu_id = i;
	cpus[i].cpu_apic_id = apic_id;
}

/* ---- ACPI ---- */

struct rsdp {
	char signature[8];	// "RSD PTR "
	uint8_t checksum;	// over the first 20 bytes
	char oem_id[6];
	uint8_t revision;	// 0: ACPI 1.0, which ends here
	uint32_t rsdt;
	uint32_t length;	// the whole structure (ACPI 2.0 and later)
	uint64_t xsdt;
	uint8_t xchecksum;	// over length bytes
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	uint32_t length;	// with this header
	uint8_t revision;
	uint8_t checksum;	// over length bytes
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

struct madt {
	struct sdt_header h;	// "APIC"
	uint32_t lapic_addr;
	uint32_t flags;
	uint8_t entries[];	// each: type, length, body
} __attribute__((packed));

#define MADT_LAPIC		0	// a CPU's local APIC
#define MADT_LAPIC_OVERRIDE	5	// a 64-bit local APIC address
#define MADT_LAPIC_ENABLED	0x1

struct madt_lapic {
	uint8_t type, length;
	uint8_t acpi_id;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_lapic_override {
	uint8_t type, length;
	uint16_t reserved;
	uint64_t addr;
} __attribute__((packed));

/* The RSDP: in the first KiB of the extended BIOS data area, or the BIOS area. */
static struct rsdp *
find_rsdp(void)
{
	physaddr_t ebda = bda_word(BDA_EBDA_SEG) << 4;
	struct rsdp *r = NULL;

	if (ebda)
		r = scan(ebda, 1024, "RSD PTR ", 20);
	if (!r)
		r = scan(BIOS_ROM, BIOS_ROM_END - BIOS_ROM, "RSD PTR ", 20);
	return r;
}

/* The table at pa if it is sane and its checksum holds, else NULL. */
static struct sdt_header *
map_table(physaddr_t pa)
{
	struct sdt_header *h;

	if (pa == 0)
		return NULL;
	h = phys(pa, sizeof(*h));
	if (h->length < sizeof(*h) || h->length > MAX_TABLE)
		return NULL;
	h = phys(pa, h->length);
	if (sum(h, h->length) != 0) {
		cprintf("ACPI: bad checksum in table %.4s at %lx\n", h->signature, pa);
		return NULL;
	}
	return h;
}

/* The MADT, found through the XSDT (ACPI 2.0+) or the RSDT; NULL if none. */
static struct madt *
find_madt(void)
{
	struct rsdp *r = find_rsdp();
	struct sdt_header *root = NULL, *t;
	size_t width;

	if (!r)
		return NULL;
	if (r->revision >= 2 && r->xsdt && sum(r, r->length) == 0)
		root = map_table(r->xsdt);
	if (root && memcmp(root->signature, "XSDT", 4) == 0)
		width = 8;
	else {
		root = map_table(r->rsdt);
		if (!root || memcmp(root->signature, "RSDT", 4) != 0)
			return NULL;
		width = 4;
	}

	for (size_t off = sizeof(*root); off + width <= root->length; off += width) {
		uint8_t *entry = (uint8_t *) root + off;
		physaddr_t pa = width == 8 ? *(uint64_t *) entry : *(uint32_t *) entry;
		if ((t = map_table(pa)) && memcmp(t->signature, "APIC", 4) == 0
		    && t->length >= sizeof(struct madt))
			return (struct madt *) t;
	}
	return NULL;
}

/* Record the enabled CPUs the MADT lists; false if there is no MADT. */
static bool
acpi_cpus(void)
{
	struct madt *m = find_madt();
	uint8_t *e, *end;

	if (!m)
		return false;
	lapicaddr = m->lapic_addr;
	end = (uint8_t *) m + m->h.length;
	for (e = m->entries; e + 2 <= end && e[1] >= 2 && e + e[1] <= end; e += e[1]) {
		if (e[0] == MADT_LAPIC && e[1] >= sizeof(struct madt_lapic)) {
			struct madt_lapic *l = (struct madt_lapic *) e;
			if (l->flags & MADT_LAPIC_ENABLED)
				add_cpu(l->apic_id);
		} else if (e[0] == MADT_LAPIC_OVERRIDE
			   && e[1] >= sizeof(struct madt_lapic_override))
			lapicaddr = ((struct madt_lapic_override *) e)->addr;
	}
	return ncpu > 0;
}

/* ---- Intel MultiProcessor specification 1.4 ---- */

struct mp_pointer {
	char signature[4];	// "_MP_"
	uint32_t config;	// physical address of the configuration table
	uint8_t length;		// in 16-byte units: 1
	uint8_t specrev;
	uint8_t checksum;	// over length * 16 bytes
	uint8_t type;		// nonzero: a default configuration, no table
	uint8_t imcrp;		// bit 7: the IMCR is present (PIC mode)
	uint8_t reserved[3];
} __attribute__((packed));

struct mp_config {
	char signature[4];	// "PCMP"
	uint16_t length;	// with this header, without the extension
	uint8_t version;	// 1 or 4
	uint8_t checksum;	// over length bytes
	char product[20];
	uint32_t oem_table;
	uint16_t oem_length;
	uint16_t entries;
	uint32_t lapic_addr;
	uint16_t xlength;
	uint8_t xchecksum;
	uint8_t reserved;
	uint8_t entry[];	// processors (20 bytes), then buses, I/O APICs, interrupts (8 bytes)
} __attribute__((packed));

#define MP_PROC		0
#define MP_PROC_ENABLED	0x01

struct mp_proc {
	uint8_t type;
	uint8_t apic_id;
	uint8_t version;
	uint8_t flags;
	uint8_t signature[4];
	uint32_t features;
	uint8_t reserved[8];
} __attribute__((packed));

/*
 * The MP floating pointer: in the first KiB of the extended BIOS data
 * area, else the last KiB of base memory, else the BIOS ROM.
 */
static struct mp_pointer *
find_mp_pointer(void)
{
	physaddr_t ebda = bda_word(BDA_EBDA_SEG) << 4;
	size_t n = sizeof(struct mp_pointer);
	struct mp_pointer *p = NULL;

	if (ebda)
		p = scan(ebda, 1024, "_MP_", n);
	if (!p && bda_word(BDA_BASE_KB) > 0)
		p = scan(bda_word(BDA_BASE_KB) * 1024 - 1024, 1024, "_MP_", n);
	if (!p)
		p = scan(0xF0000, 0x10000, "_MP_", n);
	return p;
}

/* Record the enabled CPUs the MP tables list; false if there are none. */
static bool
mp_table_cpus(void)
{
	struct mp_pointer *p = find_mp_pointer();
	struct mp_config *c;
	uint8_t *e, *end;

	if (!p || p->type != 0 || p->config == 0)
		return false;
	c = phys(p->config, sizeof(*c));
	if (memcmp(c->signature, "PCMP", 4) != 0 || c->length < sizeof(*c)
	    || c->length > MAX_TABLE)
		return false;
	c = phys(p->config, c->length);
	if (sum(c, c->length) != 0 || (c->version != 1 && c->version != 4))
		return false;

	lapicaddr = c->lapic_addr;
	end = (uint8_t *) c + c->length;
	e = c->entry;
	for (int i = 0; i < c->entries && e < end; i++) {
		if (e[0] == MP_PROC) {
			struct mp_proc *proc = (struct mp_proc *) e;
			if (proc->flags & MP_PROC_ENABLED)
				add_cpu(proc->apic_id);
			e += sizeof(struct mp_proc);
		} else if (e[0] <= 4)
			e += 8;
		else {
			cprintf("SMP: unknown MP table entry type %d\n", e[0]);
			break;
		}
	}

	if (p->imcrp & 0x80) {
		// PIC mode: the 8259A bypasses the APICs.  Route it through
		// the boot CPU's LINT0 instead (virtual wire mode).
		cprintf("SMP: Setting IMCR to switch from PIC mode to symmetric I/O mode\n");
		outb(0x22, 0x70);		// select the IMCR
		outb(0x23, inb(0x23) | 1);	// mask external interrupts
	}
	return ncpu > 0;
}

/* ---- all together ---- */

/*
 * Fill cpus[] with the CPUs the firmware reports (from the ACPI MADT,
 * else the MP tables, else just this one), set ncpu and lapicaddr.  The
 * boot CPU becomes cpus[0] (CPU 0), whatever its place in the tables.
 * lapicaddr stays 0 if the CPU has no local APIC at all.  (The guest
 * kernel, which has no firmware tables, links guest/pv_cpus.c instead.)
 */
void
mp_init(void)
{
	uint8_t me = my_apic_id();
	uint32_t edx;
	int i;

	ncpu = 0;
	if (!acpi_cpus() && !mp_table_cpus()) {
		cprintf("SMP: no ACPI or MP tables; using one CPU\n");
		add_cpu(me);
		lapicaddr = DEFAULT_LAPIC;
	}

	for (i = 0; i < ncpu; i++)
		if (cpus[i].cpu_apic_id == me)
			break;
	if (i == ncpu) {
		cprintf("SMP: this CPU (APIC id %d) is not in the tables; using one CPU\n", me);
		ncpu = 0;
		add_cpu(me);
		i = 0;
	}
	// Swap only the ids: trap_init has set up cpus[0]'s task state already.
	cpus[i].cpu_apic_id = cpus[0].cpu_apic_id;
	cpus[0].cpu_apic_id = me;
	bootcpu = &cpus[0];
	bootcpu->cpu_status = CPU_STARTED;

	cpuid(1, NULL, NULL, NULL, &edx);
	if (!(edx & (1 << 9))) {
		cprintf("SMP: this CPU has no local APIC; using one CPU\n");
		lapicaddr = 0;
		ncpu = 1;
	}

	if (cpus_ignored)
		cprintf("SMP: %d CPU(s) beyond NCPU = %d ignored\n", cpus_ignored, NCPU);
	cprintf("SMP: CPU %d found %d CPU(s)\n", bootcpu->cpu_id, ncpu);
}
