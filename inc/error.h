/* Error codes; system calls and library functions return them negated. */
#ifndef JOS_INC_ERROR_H
#define JOS_INC_ERROR_H

enum {
	E_UNSPECIFIED	= 1,	// no better code fits
	E_BAD_ENV,		// no such env, or not one the caller may touch
	E_INVAL,		// an argument is out of range
	E_NO_MEM,		// out of physical pages
	E_NO_FREE_ENV,		// all NENV slots are in use
	E_FAULT,		// a bad address
	E_NO_SYS,		// no such system call
	E_IPC_NOT_RECV,		// the target is not waiting in ipc_recv
	E_EOF,			// end of file came too early
	E_NO_DISK,		// the disk is full
	E_MAX_OPEN,		// the open-file table is full
	E_NOT_FOUND,		// no such file or block
	E_BAD_PATH,		// a malformed or too long path
	E_FILE_EXISTS,		// the file is there already
	E_NOT_EXEC,		// not a valid executable
	E_NOT_SUPP,		// the operation is not supported
	MAXERROR
};

#endif
