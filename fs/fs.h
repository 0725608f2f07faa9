/* The file server's own declarations (not seen by clients). */
#ifndef JOS_FS_FS_H
#define JOS_FS_FS_H

#include <inc/fs.h>
#include <inc/lib.h>

#define SECTSIZE	512			// bytes per disk sector
#define BLKSECTS	(BLKSIZE / SECTSIZE)	// sectors per block

/*
 * The disk is mapped, block by block on demand, into this window of the
 * server's address space; so a disk holds at most DISKSIZE bytes.
 */
#define DISKMAP		0x10000000
#define DISKSIZE	0xC0000000

/* Where the server keeps the Fd pages it shares with clients. */
#define FILEVA		0xE0000000

extern struct Super *super;	// the super block, in the cache
extern uint32_t *bitmap;	// the free-block bitmap, in the cache

/* ide.c */
bool	ide_probe_disk1(void);
void	ide_set_disk(int diskno);
uint32_t ide_nsectors(void);
int	ide_read(uint32_t secno, void *dst, size_t nsecs);
int	ide_write(uint32_t secno, const void *src, size_t nsecs);

/* hostdisk.c (a guest's disk, in place of ide.c) */
void	hostdisk_args(int argc, char **argv);

/* bc.c */
void	*diskaddr(uint32_t blockno);
bool	va_is_mapped(void *va);
bool	va_is_dirty(void *va);
void	flush_block(void *addr);
void	bc_init(void);

/* fs.c */
int	fs_init(void);
int	file_get_block(struct File *f, uint32_t file_blockno, char **pblk);
int	file_create(const char *path, struct File **f, int type);
int	file_open(const char *path, struct File **f);
ssize_t	file_read(struct File *f, void *buf, size_t count, off_t offset);
ssize_t	file_write(struct File *f, const void *buf, size_t count, off_t offset);
int	file_set_size(struct File *f, off_t newsize);
void	file_flush(struct File *f);
int	file_remove(const char *path);
void	fs_sync(void);

int	block_is_free(uint32_t blockno);
int	alloc_block(void);
void	free_block(uint32_t blockno);

/* test.c */
void	fs_test(void);

/* serv.c */
void	serve_init(void);

#endif
