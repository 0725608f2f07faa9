/* Environments. */
#include <inc/string.h>
#include <kern/env.h>

struct Env *envs;

/* An embedded program, from the table obj/kern/userprogs.S makes. */
struct user_program_entry {
	const char *name;
	const uint8_t *start;
	const uint8_t *end;
};
extern const struct user_program_entry user_programs[];

const uint8_t *
user_program(const char *name, size_t *size)
{
	for (const struct user_program_entry *p = user_programs; p->name; p++)
		if (strcmp(p->name, name) == 0) {
			*size = p->end - p->start;
			return p->start;
		}
	return NULL;
}
