/*
 * Tiny real-mode test guests and the checks around them, shared by the
 * monitor's test programs (user/vmmtest.c, user/vmevil.c,
 * user/eptcheck.c; lib/tinyguest.c).
 *
 * A tiny guest has TINYGUEST_MEM bytes of memory.  Its code is staged
 * at TINYGUEST_CODE_VA and runs at GUEST_BOOT_GPA (read and execute
 * only); the page at TINYGUEST_SHARED_VA is the guest's page at
 * TINYGUEST_SHARED_GPA, where it leaves its results.  A third page,
 * TINYGUEST_SPARE_VA, is the test's own.  Guest code, written as
 * assembly text, names a byte of the shared page TG_SHARED(offset),
 * an address inside itself TG_CODE(label, start), and a hypercall
 * number HC_STR(HC_...) (inc/vmm/hypercall.h).
 */
#ifndef JOS_INC_VMM_TINYGUEST_H
#define JOS_INC_VMM_TINYGUEST_H

#include <inc/types.h>
#include <inc/env.h>
#include <inc/memlayout.h>
#include <inc/vmm/hypercall.h>
#include <inc/vmm/layout.h>

#define TINYGUEST_MEM		0x400000	// 4 MiB
#define TINYGUEST_SHARED_GPA	0x8000
#define TINYGUEST_SPARE_GPA	0x9000		// a page no tiny guest maps itself
#define TINYGUEST_CODE_VA	((void *) UTEMP)
#define TINYGUEST_SHARED_VA	((volatile uint8_t *) (UTEMP + PGSIZE))
#define TINYGUEST_SPARE_VA	((void *) (UTEMP + 2 * PGSIZE))

#define TG_SHARED(off)		HC_STR(TINYGUEST_SHARED_GPA) "+" HC_STR(off)
#define TG_CODE(label, start)	"(" #label "-" #start "+" HC_STR(GUEST_BOOT_GPA) ")"
#define TG_DONE			0xffc		// shared byte: TG_DONE_MAGIC once finished
#define TG_DONE_MAGIC		0x5a

// lib/tinyguest.c
void	tinyguest_begin(const char *prog);
bool	tinyguest_supported(void);
envid_t	tinyguest_load(const char *code, const char *end);
envid_t	tinyguest_start(const char *code, const char *end);
int32_t	tinyguest_result(int off);
bool	tinyguest_wait(int off, uint8_t value, unsigned ms);
struct guest_info;
bool	tinyguest_wait_halted(envid_t guest, unsigned ms, struct guest_info *gi);

// The checks: each failure prints one line "PROG: WHAT: got G, want W".
extern int expect_failures;
void	expect(int64_t got, int64_t want, const char *what);
void	expect_true(bool ok, const char *what);
void	expect_report(void);

#endif
