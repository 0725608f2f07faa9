// Parent and child pass a page back and forth with IPC, each writing a
// message in it for the other.

#include <inc/lib.h>

#define TEMP_ADDR	((char *) 0xa00000)
#define TEMP_ADDR_CHILD	((char *) 0xb00000)

// The labs' messages, which their grader looks for.
static const char *str1 = "hello child environment! how are you?";
static const char *str2 = "hello parent environment! I'm good.";

void
umain(int argc, char **argv)
{
	envid_t who;
	int r;

	if ((who = fork()) == 0) {
		ipc_recv(&who, TEMP_ADDR_CHILD, 0);
		cprintf("%x got message : %s\n", who, TEMP_ADDR_CHILD);
		if (strncmp(TEMP_ADDR_CHILD, str1, strlen(str1)) == 0)
			cprintf("child received correct message\n");

		memcpy(TEMP_ADDR_CHILD, str2, strlen(str2) + 1);
		ipc_send(who, 0, TEMP_ADDR_CHILD, PTE_P | PTE_W | PTE_U);
		return;
	}

	if ((r = sys_page_alloc(thisenv->env_id, TEMP_ADDR, PTE_P | PTE_W | PTE_U)) < 0)
		panic("sys_page_alloc: %e", r);
	memcpy(TEMP_ADDR, str1, strlen(str1) + 1);
	ipc_send(who, 0, TEMP_ADDR, PTE_P | PTE_W | PTE_U);

	ipc_recv(&who, TEMP_ADDR, 0);
	cprintf("%x got message : %s\n", who, TEMP_ADDR);
	if (strncmp(TEMP_ADDR, str2, strlen(str2)) == 0)
		cprintf("parent received correct message\n");
}
