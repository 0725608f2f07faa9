// testpath: bad paths are refused with -E_BAD_PATH: a path of
// MAXPATHLEN characters or more, a name of MAXNAMELEN or more, and a
// request whose path the server finds without an end.

#include <inc/lib.h>

static char path[MAXPATHLEN + 16];
static union Fsipc req __attribute__((aligned(PGSIZE)));

/* Panic with what failed unless r is what we wanted. */
static void
check(const char *what, int r, int want)
{
	if (r != want)
		panic("%s: got %d (%e), wanted %d", what, r, r, want);
}

/* Send req to the file server as request type; its answer. */
static int
raw_request(int type)
{
	envid_t fs = ipc_find_env(ENV_TYPE_FS);

	ipc_send(fs, type, &req, PTE_P | PTE_W | PTE_U);
	return ipc_recv(NULL, NULL, NULL);
}

void
umain(int argc, char **argv)
{
	int fd, i;

	// A path of exactly MAXPATHLEN characters has no room for its NUL.
	path[0] = '/';
	for (i = 1; i < MAXPATHLEN; i++)
		path[i] = (i % 64 == 0) ? '/' : 'a';
	path[MAXPATHLEN] = '\0';
	check("open of a too long path", open(path, O_RDONLY | O_CREAT), -E_BAD_PATH);
	check("remove of a too long path", remove(path), -E_BAD_PATH);
	path[MAXPATHLEN - 1] = '\0';
	check("open of a long path that does not exist", open(path, O_RDONLY),
	      -E_NOT_FOUND);
	cprintf("long paths are refused\n");

	// Names: MAXNAMELEN - 1 characters fit, MAXNAMELEN do not.
	path[0] = '/';
	memset(path + 1, 'n', MAXNAMELEN);
	path[1 + MAXNAMELEN] = '\0';
	check("create of a too long name", open(path, O_RDWR | O_CREAT), -E_BAD_PATH);
	check("open of a too long name", open(path, O_RDONLY), -E_BAD_PATH);
	path[MAXNAMELEN] = '\0';
	if ((fd = open(path, O_RDWR | O_CREAT)) < 0)
		panic("create of a %d-character name: %e", MAXNAMELEN - 1, fd);
	check("write", write(fd, "ok", 2), 2);
	close(fd);
	check("remove", remove(path), 0);
	cprintf("long names are refused\n");

	// The server must not trust the client to end the path.
	memset(req.open.req_path, 'x', sizeof req.open.req_path);
	req.open.req_omode = O_RDONLY;
	check("raw open without a NUL", raw_request(FSREQ_OPEN), -E_BAD_PATH);
	memset(req.remove.req_path, 'x', sizeof req.remove.req_path);
	check("raw remove without a NUL", raw_request(FSREQ_REMOVE), -E_BAD_PATH);
	check("bad request code", raw_request(99), -E_INVAL);
	cprintf("the server checks paths\n");
	cprintf("testpath: all tests passed\n");
}
