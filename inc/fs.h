/* On-disk file system format and the file server's request protocol. */
#ifndef JOS_INC_FS_H
#define JOS_INC_FS_H

#include <inc/types.h>
#include <inc/mmu.h>

// A block is one page, so the block cache maps blocks as pages.
#define BLKSIZE		PGSIZE
#define BLKBITSIZE	(BLKSIZE * 8)

// Longest file name (one path component) with its NUL; keeps File aligned.
#define MAXNAMELEN	128

// Longest whole path with its NUL.
#define MAXPATHLEN	1024

// Block numbers held in a File itself, then in its one indirect block.
#define NDIRECT		10
#define NINDIRECT	(BLKSIZE / 4)

#define MAXFILESIZE	((NDIRECT + NINDIRECT) * BLKSIZE)

/*
 * A file or directory, on disk and in memory: exactly 256 bytes.
 * A block number of 0 means "no block allocated here".
 */
struct File {
	char f_name[MAXNAMELEN];
	off_t f_size;			// bytes
	uint32_t f_type;		// FTYPE_REG or FTYPE_DIR
	uint32_t f_direct[NDIRECT];
	uint32_t f_indirect;		// block holding NINDIRECT more block numbers
	uint8_t f_pad[256 - MAXNAMELEN - 8 - 4*NDIRECT - 4 - 4];
} __attribute__((packed));

// A directory block holds this many File entries.
#define BLKFILES	(BLKSIZE / sizeof(struct File))

#define FTYPE_REG	0
#define FTYPE_DIR	1

#define FS_MAGIC	0x4A0530AE

/* Block 1 of the disk. */
struct Super {
	uint32_t s_magic;		// FS_MAGIC
	uint32_t s_nblocks;		// blocks on the disk
	struct File s_root;		// the root directory
};

/* Request codes, sent as the IPC value with a union Fsipc page. */
enum {
	FSREQ_OPEN = 1,
	FSREQ_SET_SIZE,
	FSREQ_READ,		// answered with readRet on the same page
	FSREQ_WRITE,
	FSREQ_STAT,		// answered with statRet
	FSREQ_FLUSH,
	FSREQ_REMOVE,
	FSREQ_SYNC,
	FSREQ_WRITE_BLOCK,	// see below
	FSREQ_HELD		// answer: pages the server holds for its cache and open files
};

/*
 * FSREQ_WRITE_BLOCK writes a whole page of data, the request page
 * itself, at the file's offset (fd_offset in the shared Fd page) and
 * advances it; the answer is the count written.  Having no room for a
 * header, it carries the file id in the value: FSREQ_WRITE_BLOCK_VALUE.
 * A guest's disk driver (fs/hostdisk.c) writes one block per request.
 */
#define FSREQ_CODE(value)		((value) & 0xFF)
#define FSREQ_WRITE_BLOCK_VALUE(fileid)	(FSREQ_WRITE_BLOCK | ((uint32_t) (fileid) << 8))

union Fsipc {
	struct Fsreq_open {
		char req_path[MAXPATHLEN];
		int req_omode;
	} open;
	struct Fsreq_set_size {
		int req_fileid;
		off_t req_size;
	} set_size;
	struct Fsreq_read {
		int req_fileid;
		size_t req_n;
	} read;
	struct Fsret_read {
		char ret_buf[PGSIZE];
	} readRet;
	struct Fsreq_write {
		int req_fileid;
		size_t req_n;
		// req_n sits at offset 8 (after padding), so the data
		// fills the rest of the page from offset 16.
		char req_buf[PGSIZE - 2 * sizeof(size_t)];
	} write;
	struct Fsreq_stat {
		int req_fileid;
	} stat;
	struct Fsret_stat {
		char ret_name[MAXNAMELEN];
		off_t ret_size;
		int ret_isdir;
	} statRet;
	struct Fsreq_flush {
		int req_fileid;
	} flush;
	struct Fsreq_remove {
		char req_path[MAXPATHLEN];
	} remove;

	char _pad[PGSIZE];	// the union is exactly one page
};

#endif
