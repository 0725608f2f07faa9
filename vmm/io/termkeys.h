/*
 * What is typed on the host's terminal, as key presses on a guest's
 * PS/2 keyboard (vmm/io/i8042.h).  A terminal sends characters and,
 * for keys that type none (arrows, Home, F1, ...), escape sequences;
 * it never says when a key goes up.  So a character is a key pressed
 * and released at once, and a key from an escape sequence is held
 * down for TERMKEYS_HOLD_NS after the guest has read its make code, as
 * if a finger stayed on it: games move while an arrow key is down.
 * A pure state machine; the caller passes the time.
 */
#ifndef JOS_VMM_IO_TERMKEYS_H
#define JOS_VMM_IO_TERMKEYS_H

#include <inc/types.h>
#include <vmm/io/i8042.h>

#define TERMKEYS_HOLD_NS	150000000ULL	// an arrow key stays down this long
#define TERMKEYS_ESC_NS		100000000ULL	// ESC alone this long: the Escape key
#define TERMKEYS_SEQ_MAX	8		// longest escape sequence kept

struct termkeys {
	char		seq[TERMKEYS_SEQ_MAX];	// escape sequence so far (from ESC)
	int		seq_len;		// 0: none
	uint64_t	seq_ns;			// when its ESC came
	uint8_t		held;			// make code of the key held down; 0: none
	bool		held_ext;		// it is an extended key (E0 prefix)
	bool		held_read;		// the guest has read its make code
	uint64_t	release_ns;		// when it goes up (once held_read)
};

void	termkeys_init(struct termkeys *t);
bool	termkeys_ready(const struct termkeys *t, const struct i8042 *k);
void	termkeys_byte(struct termkeys *t, struct i8042 *k, uint8_t c, uint64_t now);
void	termkeys_advance(struct termkeys *t, struct i8042 *k, uint64_t now);
uint64_t termkeys_deadline(const struct termkeys *t);
bool	termkeys_sequence(const char *seq, int len, uint8_t *code, bool *extended);

#endif
