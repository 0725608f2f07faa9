/*
 * vmctl: the host user's control of guests.
 *   vmctl list          each guest: env id, memory, state (halted: it
 *                       sleeps in HLT until input arrives), VM exits,
 *                       milliseconds since launch and inside the guest
 *                       (the kernel's clock: under Bochs, emulated time),
 *                       refused port accesses, and
 *                       which one holds the console input
 *   vmctl stop ENVID    destroy a guest (any env may stop a guest)
 *   vmctl focus ENVID   give the console input to a guest; typing
 *                       Ctrl-] gives it back to the host
 *   vmctl focus 0       give it back to the host now
 *   vmctl debug ENVID   the guest stops and waits for gdb on the host's
 *                       COM2 (make gdb-guest); gdb's detach lets it go
 *   vmctl next          give the console to the next guest after the
 *                       one holding it or that held it last (or to the
 *                       first), in env order
 *   vmctl screen [ID]   print a guest's 80x25 text screen (its memory
 *                       at 0xB8000; no ID: the guest that holds the
 *                       console or held it last)
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/vmm/textscreen.h>

#define MAXGUESTS	16

/* Print the guests, one line each. */
static void
list(void)
{
	static const char *const states[] = {
		"free", "dying", "runnable", "running", "waiting"
	};
	struct guest_info info[MAXGUESTS];
	int n = sys_guest_info(info, MAXGUESTS);

	if (n < 0) {
		cprintf("vmctl: %e\n", n);
		return;
	}
	if (n == 0) {
		cprintf("No guests.\n");
		return;
	}
	cprintf("guest     memory    state     exits       run ms    in guest  refused  console\n");
	for (int i = 0; i < n && i < MAXGUESTS; i++)
		cprintf("%08x  %4ld MiB  %-8s  %-10ld  %-8ld  %-8ld  %-7ld  %s\n",
		       info[i].env_id, (long) (info[i].mem_size >> 20),
		       info[i].halted ? "halted"
		       : info[i].status < 5 ? states[info[i].status] : "?",
		       (long) info[i].exits, (long) info[i].run_ms,
		       (long) info[i].in_guest_ms, (long) info[i].io_refused,
		       info[i].has_console ? "yes" : "");
}

static void
usage(void)
{
	cprintf("usage: vmctl list | stop ENVID | focus ENVID (0: the host) | debug ENVID | next"
		" | screen [ENVID]\n");
	exit();
}

/* The guest that holds the console or held it last; 0 if none did. */
static envid_t
last_console_guest(void)
{
	struct guest_info info[MAXGUESTS];
	int n = MIN(sys_guest_info(info, MAXGUESTS), MAXGUESTS);

	for (int i = 0; i < n; i++)
		if (info[i].has_console || info[i].had_console)
			return info[i].env_id;
	return 0;
}

/*
 * Print guest id's text screen: a line "--- screen of guest ID ---",
 * its 25 rows (text_screen_line: characters only, trailing blanks
 * trimmed), a line "---", all in one write so that no other output
 * comes between its lines.
 */
static void
screen(envid_t id)
{
	static uint8_t cells[TEXT_SCREEN_BYTES];
	static char out[64 + TEXT_SCREEN_ROWS * (TEXT_SCREEN_COLS + 1) + 8];
	int r, len;

	if ((r = sys_guest_read(id, TEXT_SCREEN_GPA, cells, sizeof(cells))) < 0) {
		cprintf("vmctl: screen %08x: %e\n", id, r);
		return;
	}
	len = snprintf(out, sizeof(out), "--- screen of guest %08x ---\n", id);
	for (int row = 0; row < TEXT_SCREEN_ROWS; row++) {
		len += text_screen_line(cells, row, out + len);
		out[len++] = '\n';
	}
	len += snprintf(out + len, sizeof(out) - len, "---\n");
	sys_cputs(out, len);
}

/* Give the console to guest id (0: the host) and say so. */
static void
focus(envid_t id)
{
	int r;

	if ((r = sys_guest_focus(id)) < 0)
		cprintf("vmctl: focus %08x: %e\n", id, r);
	else if (id)
		cprintf("vmctl: guest %08x has the console; Ctrl-] gives it back\n", id);
}

/*
 * The guest after the one holding the console or that held it last, or
 * the first; 0 if there is none.
 */
static envid_t
next_guest(void)
{
	struct guest_info info[MAXGUESTS];
	int n = sys_guest_info(info, MAXGUESTS);

	n = MIN(n, MAXGUESTS);
	for (int i = 0; i < n; i++)
		if (info[i].has_console || info[i].had_console)
			return info[(i + 1) % n].env_id;
	return n > 0 ? info[0].env_id : 0;
}

void
umain(int argc, char **argv)
{
	envid_t id;
	int r;

	if (argc < 2 || strcmp(argv[1], "list") == 0) {
		list();
		return;
	}
	if (argc == 2 && strcmp(argv[1], "screen") == 0) {
		if (!(id = last_console_guest()))
			cprintf("vmctl: screen: no guest has had the console\n");
		else
			screen(id);
		return;
	}
	if (argc == 2 && strcmp(argv[1], "next") == 0) {
		if (!(id = next_guest()))
			cprintf("No guests.\n");
		else
			focus(id);
		return;
	}
	if (argc != 3)
		usage();
	id = strtol(argv[2], NULL, 16);
	if (strcmp(argv[1], "stop") == 0) {
		if ((r = sys_guest_stop(id)) < 0)
			cprintf("vmctl: stop %08x: %e\n", id, r);
	} else if (strcmp(argv[1], "focus") == 0)
		focus(id);
	else if (strcmp(argv[1], "screen") == 0)
		screen(id);
	else if (strcmp(argv[1], "debug") == 0) {
		if ((r = sys_guest_debug(id, 0)) < 0)
			cprintf("vmctl: debug %08x: %e\n", id, r);
	}
	else
		usage();
}
