/*
 * vmm, the user-level half of the monitor (user/vmm/): what its files
 * share.
 *   main.c    the program: build the guest, run it, wait, report
 *   bootcfg.c vmm's options and .boot files (pure)
 *   loader.c  the JOS guest: kernel ELF64, boot code, boot arguments
 *   multiboot.c  multiboot v1 headers and information block (pure)
 *   mbload.c  a multiboot kernel and its modules into a guest
 *   bzimage.c a Linux bzImage's setup header, checked (pure)
 *   linuxboot.c  Linux's layout and zero page (pure)
 *   linuxload.c  a Linux kernel and its initrd into a guest
 *   disk.c    the guest's disk file, and what the file server holds
 *   wait.c    waiting for the guest, in the background once the host
 *             has the console again
 */
#ifndef JOS_USER_VMM_VMM_H
#define JOS_USER_VMM_VMM_H

#include <inc/lib.h>

#define GUEST_KERNEL	"/vmm/kernel"
#define GUEST_BOOT	"/vmm/boot"

// loader.c
int	open_guest_file(const char *path, off_t *size);
int	map_in_guest(envid_t guest, uintptr_t gpa, size_t memsz,
		     int fd, size_t filesz, off_t fileoffset);
int	copy_guest_kern_gpa(envid_t guest, int fd, off_t size, uint64_t mem_size,
			    uint32_t *entry);
int	map_bootargs(envid_t guest, uint32_t entry, const char *cmdline);

// mbload.c
struct mb_kernel;
int	read_fd(void *arg, uint64_t off, void *buf, uint32_t n);
int	map_bytes(envid_t guest, uint64_t paddr, uint64_t memsz, int fd, uint64_t offset,
		  uint64_t filesz);
int	refuse(const char *path, const char *why);
int	mb_check_kernel(const char *path, int fd, off_t size, uint64_t mem_size,
			struct mb_kernel *k);
int	mb_load(envid_t guest, uint64_t mem_size, const char *path, int fd,
		const struct mb_kernel *k, int nmods, char **modpath, const char *cmdline);

// linuxload.c
struct bzimage;
struct lx_layout;
bool	lx_is_bzimage(int fd, off_t size);
int	lx_check_kernel(const char *path, int fd, off_t size, uint64_t mem_size,
			struct bzimage *bz);
int	lx_load(envid_t guest, uint64_t mem_size, const char *path, int kfd,
		const struct bzimage *bz, const char *initrd, int ifd, off_t isize,
		const char *cmdline, struct lx_layout *l);

// disk.c
bool	add_disk(char *cmdline, size_t len, envid_t guest, char *disk);
void	remove_disk(const char *disk);
void	report_held(int64_t before, int64_t after, int held_before, int held_after);

// wait.c
void	wait_for_guest(envid_t guest);

#endif
