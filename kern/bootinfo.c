/*
 * Copy the multiboot information block into kernel memory before the
 * page allocator reuses low memory, and answer questions about the
 * boot command line ("prog=hello exit").
 */
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/memlayout.h>
#include <inc/vmm/multiboot.h>
#include <kern/bootinfo.h>

struct mem_range mem_ranges[MAX_MEM_RANGES];
int n_mem_ranges;
char boot_cmdline[64];

#define PHYS(pa)	((void *) (KERNBASE + (uintptr_t) (pa)))

void
bootinfo_init(uint32_t magic, physaddr_t info_pa)
{
	struct multiboot_info *info = PHYS(info_pa);

	if (magic != MB_MAGIC)
		panic("booted without a multiboot block (magic %08x)", magic);
	if (info->flags & MB_FLAG_CMDLINE)
		strlcpy(boot_cmdline, PHYS(info->cmdline), sizeof(boot_cmdline));
	// A loader that gives none may have another way to tell (a guest's
	// monitor does): kern/bootinfo_loader.c, guest/pv_bootinfo.c.
	if (!(info->flags & MB_FLAG_MMAP))
		info = PHYS(bootinfo_memory_map(info_pa));
	if (!(info->flags & MB_FLAG_MMAP))
		panic("the boot loader gave no memory map");

	uintptr_t p = (uintptr_t) PHYS(info->mmap_addr);
	uintptr_t end = p + info->mmap_length;
	while (p < end && n_mem_ranges < MAX_MEM_RANGES) {
		struct multiboot_mmap_entry *e = (void *) p;
		mem_ranges[n_mem_ranges].base = e->base;
		mem_ranges[n_mem_ranges].length = e->length;
		mem_ranges[n_mem_ranges].type = e->type;
		n_mem_ranges++;
		p += e->size + sizeof(e->size);
	}
	if (n_mem_ranges == 0)
		panic("the boot loader's memory map is empty");
}

/*
 * Find token "key=value" on the command line.  Returns a pointer to a
 * static copy of the value, or NULL.
 */
const char *
cmdline_value(const char *key)
{
	static char value[sizeof(boot_cmdline)];
	int keylen = strlen(key);
	const char *p = boot_cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *tok = p;
		while (*p && *p != ' ')
			p++;
		if (p - tok > keylen && strncmp(tok, key, keylen) == 0 && tok[keylen] == '=') {
			int n = p - tok - keylen - 1;
			memmove(value, tok + keylen + 1, n);
			value[n] = '\0';
			return value;
		}
	}
	return NULL;
}

/* Whether the bare token flag is on the command line. */
bool
cmdline_has(const char *flag)
{
	int len = strlen(flag);
	const char *p = boot_cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *tok = p;
		while (*p && *p != ' ')
			p++;
		if (p - tok == len && strncmp(tok, flag, len) == 0)
			return true;
	}
	return false;
}
