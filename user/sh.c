// sh: the shell.
//
//   sh [-dix] [SCRIPT]
//
// Reads command lines from SCRIPT or the standard input and runs them.
// A line holds commands separated by ';' (run one after the other) or
// '&' (not waited for); '#' at the start of a word begins a comment.
// A command is words (a "double-quoted" part may hold blanks), with
// '< FILE' and '> FILE' redirections and '|' pipes.  The prompt "$ " is
// shown only when the input is the console (or with -i); -x prints each
// command as "# COMMAND" before it runs; -d prints debugging output.

#include <inc/lib.h>

#define MAXARGS		32
#define SYMBOLS		"<>|;&"

static int debug;
static int echocmds;

/* Is c a blank that separates words? */
static bool
isblank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The next token of the command at *ps: a word (returns 'w', the word
 * copied to *out, which then moves past it), one of the symbols "<>|",
 * or 0 at the end (or at a comment).
 */
static int
gettoken(const char **ps, char **out, char **word)
{
	const char *s = *ps;
	char *o = *out;

	while (isblank(*s))
		s++;
	if (*s == '\0' || *s == '#') {
		*ps = s;
		return 0;
	}
	if (strchr(SYMBOLS, *s)) {
		*ps = s + 1;
		return *s;
	}
	*word = o;
	while (*s && !isblank(*s) && !strchr(SYMBOLS, *s)) {
		if (*s == '"') {
			for (s++; *s && *s != '"'; )
				*o++ = *s++;
			if (*s == '"')
				s++;
		} else
			*o++ = *s++;
	}
	*o++ = '\0';
	*ps = s;
	*out = o;
	return 'w';
}

/*
 * Make descriptor fd (just opened) into descriptor target.
 */
static void
move_fd(int fd, int target)
{
	if (fd != target) {
		dup(fd, target);
		close(fd);
	}
}

/*
 * Run one command (a pipeline with redirections) and exit; called in a
 * child of the shell, so redirections change only this child.  At a
 * '|', a child takes the rest of the pipeline with the pipe as its
 * input, and we run the left part with the pipe as our output.
 */
static void
runcmd(const char *s)
{
	char words[1024], *out = words, *w;
	const char *argv[MAXARGS + 1];
	envid_t pipe_child = 0, child;
	int argc, fd, p[2], r, t;

again:
	argc = 0;
	for (;;) {
		t = gettoken(&s, &out, &w);
		switch (t) {
		case 'w':
			if (argc == MAXARGS) {
				cprintf("sh: too many arguments\n");
				exit();
			}
			argv[argc++] = w;
			break;

		case '<':
		case '>':
			if (gettoken(&s, &out, &w) != 'w') {
				cprintf("sh: syntax error: %c not followed by a word\n", t);
				exit();
			}
			if (t == '<')
				fd = open(w, O_RDONLY);
			else
				fd = open(w, O_WRONLY | O_CREAT | O_TRUNC);
			if (fd < 0) {
				cprintf("sh: open %s: %e\n", w, fd);
				exit();
			}
			move_fd(fd, t == '<' ? 0 : 1);
			break;

		case '|':
			if ((r = pipe(p)) < 0) {
				cprintf("sh: pipe: %e\n", r);
				exit();
			}
			if (debug)
				cprintf("sh: pipe %d %d\n", p[0], p[1]);
			if ((r = fork()) < 0) {
				cprintf("sh: fork: %e\n", r);
				exit();
			}
			if (r == 0) {
				close(p[1]);
				move_fd(p[0], 0);
				goto again;
			}
			pipe_child = r;
			close(p[0]);
			move_fd(p[1], 1);
			goto runit;

		case 0:
			goto runit;

		default:
			cprintf("sh: syntax error at %c\n", t);
			exit();
		}
	}

runit:
	if (argc == 0) {
		if (pipe_child || debug)
			cprintf("sh: empty command\n");
	} else {
		argv[argc] = NULL;
		if (debug) {
			cprintf("[%08x] spawn", thisenv->env_id);
			for (t = 0; t < argc; t++)
				cprintf(" %s", argv[t]);
			cprintf("\n");
		}
		child = spawn(argv[0], argv);
		// A bare name that is no program here may be one in /bin
		// (vmm lives there: /vmm is the guest's directory).
		if (child < 0 && !strchr(argv[0], '/')) {
			char path[MAXPATHLEN];
			envid_t binchild;
			snprintf(path, sizeof(path), "/bin/%s", argv[0]);
			if ((binchild = spawn(path, (const char **) argv)) >= 0)
				child = binchild;
		}
		if (child < 0)
			cprintf("sh: %s: %e\n", argv[0], child);
		// Our copies of the descriptors would keep pipes open.
		close_all();
		if (child >= 0)
			wait(child);
	}
	close_all();
	if (pipe_child)
		wait(pipe_child);
	exit();
}

/*
 * Run every command of line: split at ';' and '&' (outside quotes),
 * each in a child, waited for unless it ended with '&'.
 */
static void
runline(char *line)
{
	char *s = line, *start;
	bool quoted = false, background;
	envid_t r;

	while (*s) {
		start = s;
		for (; *s; s++) {
			if (*s == '"')
				quoted = !quoted;
			else if (!quoted && (*s == ';' || *s == '&'))
				break;
			else if (!quoted && *s == '#' && (s == line || isblank(s[-1])))
				s += strlen(s) - 1;	// a comment: to the end
		}
		background = (*s == '&');
		if (*s)
			*s++ = '\0';

		while (isblank(*start))
			start++;
		if (*start == '\0' || *start == '#')
			continue;
		if (echocmds)
			printf("# %s\n", start);
		if ((r = fork()) < 0) {
			cprintf("sh: fork: %e\n", r);
			return;
		}
		if (r == 0)
			runcmd(start);
		if (debug)
			cprintf("[%08x] started %08x%s\n", thisenv->env_id, r,
				background ? " in the background" : "");
		if (!background)
			wait(r);
	}
}

/* Print the usage line and exit. */
static void
usage(void)
{
	cprintf("usage: sh [-dix] [command-file]\n");
	exit();
}

void
umain(int argc, char **argv)
{
	struct Argstate args;
	int r, interactive = '?';
	char *line;

	binaryname = "sh";
	argstart(&argc, argv, &args);
	while ((r = argnext(&args)) >= 0)
		switch (r) {
		case 'd':
			debug++;
			break;
		case 'i':
			interactive = 1;
			break;
		case 'x':
			echocmds = 1;
			break;
		default:
			usage();
		}

	if (argc > 2)
		usage();
	if (argc == 2) {
		close(0);
		if ((r = open(argv[1], O_RDONLY)) < 0)
			panic("open %s: %e", argv[1], r);
		if (r != 0)
			panic("open %s: got descriptor %d, not 0", argv[1], r);
	}
	if (interactive == '?')
		interactive = iscons(0);

	for (;;) {
		line = readline(interactive ? "$ " : NULL);
		if (line == NULL) {
			if (debug)
				cprintf("sh: end of input\n");
			exit();
		}
		runline(line);
	}
}
