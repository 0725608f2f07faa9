/*
 * Host-side tests of the terminal's bytes as key presses
 * (vmm/io/termkeys.c) against the 8042 model: characters pressed and
 * released at once, escape sequences to set 1 extended codes, a held
 * key going up after its time, the Escape key alone, unknown sequences
 * dropped, and the pacing that termkeys_ready gives.
 */
#include <vmm/io/termkeys.h>
#include <vmm/test/devtest.h>

#define MS	1000000ULL

#define in(k, port)	DEV_IN(i8042_io, k, port)

/* Read every byte the guest would get now into out; how many. */
static int
drain(struct i8042 *k, uint8_t *out, int max)
{
	int n = 0;

	while (n < max && (in(k, 0x64) & 0x01))
		out[n++] = in(k, 0x60);
	return n;
}

/* Feed the string s at time now, as the platform does: a byte when ready. */
static void
feed(struct termkeys *t, struct i8042 *k, const char *s, uint64_t now)
{
	for (; *s; s++)
		termkeys_byte(t, k, (uint8_t) *s, now);
}

/* Whether the guest now reads exactly the n bytes want. */
static bool
reads(struct i8042 *k, const uint8_t *want, int n)
{
	uint8_t got[32];
	int m = drain(k, got, 32);

	if (m != n)
		return false;
	for (int i = 0; i < n; i++)
		if (got[i] != want[i])
			return false;
	return true;
}

static void
setup(struct termkeys *t, struct i8042 *k)
{
	i8042_init(k, NULL, NULL);
	termkeys_init(t);
}

/* The sequence table: every cursor key in both modes, editing and F keys. */
static void
test_sequences(void)
{
	uint8_t code;
	bool ext;

	CHECK(termkeys_sequence("[D", 2, &code, &ext) && code == 0x4B && ext);
	CHECK(termkeys_sequence("[C", 2, &code, &ext) && code == 0x4D && ext);
	CHECK(termkeys_sequence("[A", 2, &code, &ext) && code == 0x48 && ext);
	CHECK(termkeys_sequence("[B", 2, &code, &ext) && code == 0x50 && ext);
	CHECK(termkeys_sequence("OD", 2, &code, &ext) && code == 0x4B && ext);
	CHECK(termkeys_sequence("OC", 2, &code, &ext) && code == 0x4D && ext);
	CHECK(termkeys_sequence("[5~", 3, &code, &ext) && code == 0x49 && ext);
	CHECK(termkeys_sequence("[6~", 3, &code, &ext) && code == 0x51 && ext);
	CHECK(termkeys_sequence("[3~", 3, &code, &ext) && code == 0x53 && ext);
	CHECK(termkeys_sequence("OP", 2, &code, &ext) && code == 0x3B && !ext);
	CHECK(termkeys_sequence("[21~", 4, &code, &ext) && code == 0x44 && !ext);
	CHECK(!termkeys_sequence("[", 1, &code, &ext));
	CHECK(!termkeys_sequence("[1;5C", 5, &code, &ext));	// ctrl-right: unknown
	CHECK(!termkeys_sequence("[C~", 3, &code, &ext));
	CHECK(!termkeys_sequence("", 0, &code, &ext));
}

/* Characters: make and break at once, with shift; the keyboard is ready after. */
static void
test_characters(void)
{
	struct termkeys t;
	struct i8042 k;

	setup(&t, &k);
	CHECK(termkeys_ready(&t, &k));
	feed(&t, &k, " ", 0);
	CHECK(!termkeys_ready(&t, &k));		// the guest has not read it
	CHECK(reads(&k, (uint8_t[]) { 0x39, 0xB9 }, 2));
	CHECK(termkeys_ready(&t, &k));
	feed(&t, &k, "A", 0);
	CHECK(reads(&k, (uint8_t[]) { 0x2A, 0x1E, 0x9E, 0xAA }, 4));
	feed(&t, &k, "\r", 0);
	CHECK(reads(&k, (uint8_t[]) { 0x1C, 0x9C }, 2));
	feed(&t, &k, "\x80", 0);			// no key types it
	CHECK(reads(&k, NULL, 0));
	CHECK(termkeys_deadline(&t) == 0);
}

/* An arrow: E0 make, held until HOLD after the guest read it, then E0 break. */
static void
test_held_arrow(void)
{
	struct termkeys t;
	struct i8042 k;
	uint64_t t0 = 5 * MS;

	setup(&t, &k);
	feed(&t, &k, "\x1b[C", t0);
	CHECK(!termkeys_ready(&t, &k));
	termkeys_advance(&t, &k, t0 + 500 * MS);	// not read yet: still down
	CHECK(termkeys_deadline(&t) == 0);
	CHECK(reads(&k, (uint8_t[]) { 0xE0, 0x4D }, 2));
	termkeys_advance(&t, &k, t0 + 600 * MS);	// read now: the hold starts
	CHECK(termkeys_deadline(&t) == t0 + 600 * MS + TERMKEYS_HOLD_NS);
	CHECK(!termkeys_ready(&t, &k));			// held: the next key waits
	termkeys_advance(&t, &k, t0 + 600 * MS + TERMKEYS_HOLD_NS - 1);
	CHECK(reads(&k, NULL, 0));
	termkeys_advance(&t, &k, t0 + 600 * MS + TERMKEYS_HOLD_NS);
	CHECK(reads(&k, (uint8_t[]) { 0xE0, 0xCD }, 2));
	CHECK(termkeys_ready(&t, &k));
	CHECK(termkeys_deadline(&t) == 0);

	// Left in application mode, then a key typed while it is held
	// (the platform waits for ready; this must still keep the order).
	feed(&t, &k, "\x1bOD", t0);
	feed(&t, &k, "x", t0);
	CHECK(reads(&k, (uint8_t[]) { 0xE0, 0x4B, 0xE0, 0xCB, 0x2D, 0xAD }, 6));
	termkeys_advance(&t, &k, t0 + 10 * TERMKEYS_HOLD_NS);
	CHECK(reads(&k, NULL, 0));
}

/* ESC alone is the Escape key once no sequence follows; unknown ones vanish. */
static void
test_escape(void)
{
	struct termkeys t;
	struct i8042 k;

	setup(&t, &k);
	feed(&t, &k, "\x1b", 0);
	CHECK(termkeys_ready(&t, &k));
	CHECK(termkeys_deadline(&t) == TERMKEYS_ESC_NS);
	termkeys_advance(&t, &k, TERMKEYS_ESC_NS - 1);
	CHECK(reads(&k, NULL, 0));
	termkeys_advance(&t, &k, TERMKEYS_ESC_NS);
	CHECK(reads(&k, (uint8_t[]) { 0x01, 0x81 }, 2));

	feed(&t, &k, "\x1bq", 0);			// ESC, then q
	CHECK(reads(&k, (uint8_t[]) { 0x01, 0x81, 0x10, 0x90 }, 4));
	feed(&t, &k, "\x1b[1;5C", 0);			// ctrl-right: dropped whole
	CHECK(reads(&k, NULL, 0));
	CHECK(termkeys_ready(&t, &k) && termkeys_deadline(&t) == 0);
	feed(&t, &k, "\x1b[123456789~", 0);		// too long: dropped whole
	feed(&t, &k, "a", 0);
	CHECK(reads(&k, (uint8_t[]) { 0x1E, 0x9E }, 2));
	feed(&t, &k, "\x1b[\x01", 0);			// a control byte ends it
	CHECK(reads(&k, NULL, 0));
	feed(&t, &k, "\x1b[", 0);			// cut short: ESC, then '['
	termkeys_advance(&t, &k, TERMKEYS_ESC_NS);
	CHECK(reads(&k, (uint8_t[]) { 0x01, 0x81, 0x1A, 0x9A }, 4));
}

/* A keyboard that does not scan takes nothing, and nothing stays held. */
static void
test_not_scanning(void)
{
	struct termkeys t;
	struct i8042 k;
	uint32_t v = 0xF5;

	setup(&t, &k);
	CHECK(i8042_io(&k, 0x60, 1, true, &v) == 0);	// disable scanning
	CHECK(reads(&k, (uint8_t[]) { 0xFA }, 1));
	feed(&t, &k, "\x1b[D", 0);
	CHECK(reads(&k, NULL, 0));
	CHECK(termkeys_ready(&t, &k));
}

int
main(void)
{
	test_sequences();
	test_characters();
	test_held_arrow();
	test_escape();
	test_not_scanning();
	return hosttest_report("termkeys_test");
}
