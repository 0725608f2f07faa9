// testspawn: spawn runs a good program and refuses files that are not
// valid ELF programs with -E_NOT_EXEC, leaving no env behind.

#include <inc/lib.h>
#include <inc/elf.h>

static char image[64 * 1024];	// a copy of /hello
static int image_size;

/* Write n bytes of data to a new file path. */
static void
put_file(const char *path, const void *data, int n)
{
	int fd, r;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC)) < 0)
		panic("create %s: %e", path, fd);
	if ((r = write(fd, data, n)) != n)
		panic("write %s: %e", path, r);
	close(fd);
}

/* Envs in use now. */
static int
count_envs(void)
{
	int i, n = 0;

	for (i = 0; i < NENV; i++)
		if (envs[i].env_status != ENV_FREE)
			n++;
	return n;
}

/* Spawn path and check that it fails with want. */
static void
expect_fail(const char *path, int want)
{
	int before = count_envs(), r;

	r = spawnl(path, path, (char *) NULL);
	if (r != want)
		panic("spawn %s: got %d (%e), wanted %e", path, r, r, want);
	if (count_envs() != before)
		panic("spawn %s left an env behind", path);
	cprintf("spawn %s: %e\n", path, r);
}

void
umain(int argc, char **argv)
{
	struct Elf *elf = (struct Elf *) image;
	struct Proghdr *ph;
	int fd, r;

	if ((r = spawnl("/hello", "hello", (char *) NULL)) < 0)
		panic("spawn /hello: %e", r);
	wait(r);
	cprintf("spawn of a good program is good\n");

	if ((fd = open("/hello", O_RDONLY)) < 0)
		panic("open /hello: %e", fd);
	image_size = readn(fd, image, sizeof image);
	close(fd);
	if (image_size <= 0 || image_size == sizeof image)
		panic("cannot read /hello into memory");

	expect_fail("/not-found", -E_NOT_FOUND);

	put_file("/notelf", "#!/bin/sh\necho this is not ELF\n", 30);
	expect_fail("/notelf", -E_NOT_EXEC);

	put_file("/empty", "", 0);
	expect_fail("/empty", -E_NOT_EXEC);

	elf->e_magic ^= 0xFF;
	put_file("/badmagic", image, image_size);
	elf->e_magic ^= 0xFF;
	expect_fail("/badmagic", -E_NOT_EXEC);

	put_file("/truncated", image, 600);
	expect_fail("/truncated", -E_NOT_EXEC);

	ph = (struct Proghdr *) (image + elf->e_phoff);
	while (ph->p_type != ELF_PROG_LOAD)
		ph++;
	ph->p_va = UTOP;
	put_file("/highseg", image, image_size);
	expect_fail("/highseg", -E_NOT_EXEC);

	remove("/notelf");
	remove("/empty");
	remove("/badmagic");
	remove("/truncated");
	remove("/highseg");
	cprintf("spawn refuses bad ELF files\n");
}
