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

// Block numbers held in a File itself, then in its one indirect block,
// then through its double-indirect block (NINDIRECT indirect blocks).
#define NDIRECT		10
#define NINDIRECT	(BLKSIZE / 4)

// The blocks a file can map: JOS's NDIRECT + NINDIRECT, then NINDIRECT^2.
#define MAXFILEBLOCKS	(NDIRECT + NINDIRECT + NINDIRECT * NINDIRECT)

// The largest size: the blocks above would hold 4 GiB, but f_size is a
// 32-bit off_t, so the limit is the last whole block below 2 GiB (and
// rounding a size up to whole blocks cannot overflow).
#define MAXFILESIZE	0x7FFFF000
_Static_assert((unsigned long long) MAXFILEBLOCKS * BLKSIZE >= MAXFILESIZE,
	       "the block map reaches MAXFILESIZE");

/*
 * A file or directory, on disk and in memory: exactly 256 bytes, laid
 * out as 64-bit JOS lays it, so that disks move between the two.
 * A block number of 0 means "no block allocated here".  The
 * double-indirect block lives in what JOS leaves as padding: JOS's own
 * files (4 MiB and less) have 0 there and look the same to both; the
 * rest of f_pad stays 0.
 */
struct File {
	char f_name[MAXNAMELEN];	// at 0
	off_t f_size;			// at 128: bytes
	uint32_t f_type;		// at 132: FTYPE_REG or FTYPE_DIR
	uint32_t f_direct[NDIRECT];	// at 136
	uint32_t f_indirect;		// at 176: block holding NINDIRECT more block numbers
	uint32_t f_double_indirect;	// at 180: block holding NINDIRECT indirect blocks
	uint8_t f_pad[256 - MAXNAMELEN - 4 - 4 - 4*NDIRECT - 4 - 4];
} __attribute__((packed));

// The disk format is an interface: fail the build, not the disk.
_Static_assert(sizeof(off_t) == 4, "off_t is 32 bits on disk");
_Static_assert(offsetof(struct File, f_name) == 0, "f_name at 0");
_Static_assert(offsetof(struct File, f_size) == 128, "f_size at 128");
_Static_assert(offsetof(struct File, f_type) == 132, "f_type at 132");
_Static_assert(offsetof(struct File, f_direct) == 136, "f_direct at 136");
_Static_assert(offsetof(struct File, f_indirect) == 176, "f_indirect at 176");
_Static_assert(offsetof(struct File, f_double_indirect) == 180, "f_double_indirect at 180");
_Static_assert(sizeof(struct File) == 256, "struct File is 256 bytes");

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

_Static_assert(offsetof(struct Super, s_root) == 8, "s_root at 8");

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
