/*
 * String and memory routines for the kernel and the user library.
 * Plain C; the memory routines move eight bytes at a time when both
 * pointers (and the length) allow it.
 */

#include <inc/string.h>

/*
 * Keep gcc from turning the byte loops below back into calls to
 * memset/memcpy, which would recurse.
 */
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Length of the NUL-terminated string s. */
int
strlen(const char *s)
{
	int n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Length of s, but look at no more than size bytes. */
int
strnlen(const char *s, size_t size)
{
	int n = 0;

	while ((size_t) n < size && s[n] != '\0')
		n++;
	return n;
}

/* Copy src, NUL included, to dst; returns dst. */
char *
strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++) != '\0')
		;
	return dst;
}

/* Append src to dst; returns dst. */
char *
strcat(char *dst, const char *src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

/*
 * Copy at most size bytes of src to dst, filling the rest of the size
 * bytes with NULs.  dst is not NUL-terminated if src is size or longer.
 */
char *
strncpy(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		dst[i] = *src;
		if (*src != '\0')
			src++;
	}
	return dst;
}

/*
 * Copy src into the size-byte buffer dst, always NUL-terminating when
 * size > 0.  Returns the number of bytes copied, NUL excluded.
 */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	while (n + 1 < size && src[n] != '\0') {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
	return n;
}

/* Compare two strings as unsigned bytes: <0, 0 or >0. */
int
strcmp(const char *s1, const char *s2)
{
	while (*s1 != '\0' && *s1 == *s2) {
		s1++;
		s2++;
	}
	return (int) (unsigned char) *s1 - (int) (unsigned char) *s2;
}

/* strcmp limited to the first size bytes. */
int
strncmp(const char *s1, const char *s2, size_t size)
{
	for (; size > 0; size--, s1++, s2++) {
		if (*s1 != *s2)
			return (int) (unsigned char) *s1 - (int) (unsigned char) *s2;
		if (*s1 == '\0')
			return 0;
	}
	return 0;
}

/* First occurrence of c in s, or NULL (c may not be NUL). */
char *
strchr(const char *s, char c)
{
	for (; *s != '\0'; s++)
		if (*s == c)
			return (char *) s;
	return NULL;
}

/* First occurrence of c in s, or the address of s's terminating NUL. */
char *
strfind(const char *s, char c)
{
	for (; *s != '\0'; s++)
		if (*s == c)
			break;
	return (char *) s;
}

/* Fill len bytes at dst with the byte c; returns dst. */
NO_LIBCALLS void *
memset(void *dst, int c, size_t len)
{
	unsigned char *p = dst;
	uint64_t word;

	if (((uintptr_t) p & 7) == 0 && (len & 7) == 0) {
		word = (unsigned char) c;
		word |= word << 8;
		word |= word << 16;
		word |= word << 32;
		for (; len > 0; len -= 8, p += 8)
			*(uint64_t *) p = word;
		return dst;
	}
	for (; len > 0; len--)
		*p++ = (unsigned char) c;
	return dst;
}

/* Copy len bytes from src to dst; the two may overlap.  Returns dst. */
NO_LIBCALLS void *
memmove(void *dst, const void *src, size_t len)
{
	const unsigned char *s = src;
	unsigned char *d = dst;
	int aligned = (((uintptr_t) s | (uintptr_t) d | len) & 7) == 0;

	if (s < d && s + len > d) {
		// Overlap with dst above src: copy from the end down.
		s += len;
		d += len;
		if (aligned)
			for (; len > 0; len -= 8) {
				s -= 8;
				d -= 8;
				*(uint64_t *) d = *(const uint64_t *) s;
			}
		else
			while (len-- > 0)
				*--d = *--s;
	} else {
		if (aligned)
			for (; len > 0; len -= 8, s += 8, d += 8)
				*(uint64_t *) d = *(const uint64_t *) s;
		else
			while (len-- > 0)
				*d++ = *s++;
	}
	return dst;
}

/* Copy len bytes; kept overlap-safe by going through memmove. */
void *
memcpy(void *dst, const void *src, size_t len)
{
	return memmove(dst, src, len);
}

/* Compare len bytes as unsigned values: <0, 0 or >0. */
int
memcmp(const void *s1, const void *s2, size_t len)
{
	const unsigned char *a = s1, *b = s2;

	for (; len > 0; len--, a++, b++)
		if (*a != *b)
			return (int) *a - (int) *b;
	return 0;
}

/* First byte equal to c in the len bytes at s, or s + len if none. */
void *
memfind(const void *s, int c, size_t len)
{
	const unsigned char *p = s, *end = p + len;

	for (; p < end; p++)
		if (*p == (unsigned char) c)
			break;
	return (void *) p;
}

/*
 * Parse an integer in the given base (0 picks 8 for a leading "0",
 * 16 for "0x", else 10), after optional blanks and a sign.  If endptr is
 * not NULL it gets the address of the first unparsed character.
 */
long
strtol(const char *s, char **endptr, int base)
{
	int neg = 0, digit;
	long val = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+')
		s++;
	else if (*s == '-') {
		neg = 1;
		s++;
	}

	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	} else if (base == 0 && s[0] == '0') {
		s++;
		base = 8;
	} else if (base == 0)
		base = 10;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			digit = *s - '0';
		else if (*s >= 'a' && *s <= 'z')
			digit = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'Z')
			digit = *s - 'A' + 10;
		else
			break;
		if (digit >= base)
			break;
		val = val * base + digit;
	}

	if (endptr)
		*endptr = (char *) s;
	return neg ? -val : val;
}
