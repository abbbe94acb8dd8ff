// SPDX-License-Identifier: MIT
/* A small pull reader for JSON (see basic/json_read.h). */
#include "basic/json_read.h"

#include <string.h>

void json_read_start(struct json_read *j, const char *text, size_t len)
{
	j->p = text;
	j->end = text + len;
	j->failed = false;
}

bool json_read_fail(struct json_read *j)
{
	j->failed = true;
	return false;
}

static void white(struct json_read *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool digit(const struct json_read *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

bool json_read_expect(struct json_read *j, char c)
{
	white(j);
	if (j->failed || j->p == j->end || *j->p != c)
		return json_read_fail(j);
	j->p++;
	return true;
}

bool json_read_next(struct json_read *j, char close, bool *first)
{
	white(j);
	if (j->failed || j->p == j->end)
		return json_read_fail(j);
	if (*first) {
		*first = false;
		if (*j->p != close)
			return true;
	} else if (*j->p == ',') {
		j->p++;
		return true; /* a value must follow: "[1,]" fails there */
	} else if (*j->p != close) {
		return json_read_fail(j);
	}
	j->p++;
	return false;
}

/* One byte of a string's decoded text, kept while buf has room. */
static void put(char *buf, size_t cap, size_t *n, unsigned c)
{
	if (buf && *n + 1 < cap)
		buf[*n] = (char)c;
	(*n)++;
}

static bool hex4(struct json_read *j, uint32_t *v)
{
	*v = 0;
	if (j->end - j->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		unsigned c = (unsigned char)*j->p++ | 0x20, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* After "\u": a code point (a surrogate pair joined) as UTF-8. NUL is
 * refused: it would end the C string early. */
static bool unicode(struct json_read *j, char *buf, size_t cap, size_t *n)
{
	static const unsigned char lead[] = {0x00, 0xc0, 0xe0, 0xf0};
	uint32_t cp, lo;
	unsigned extra;

	if (!hex4(j, &cp) || cp == 0 || (cp >= 0xdc00 && cp < 0xe000))
		return false;
	if (cp >= 0xd800 && cp < 0xdc00) {
		if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
			return false;
		j->p += 2;
		if (!hex4(j, &lo) || lo < 0xdc00 || lo >= 0xe000)
			return false;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	extra = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
	put(buf, cap, n, lead[extra] | cp >> (6 * extra));
	while (extra--)
		put(buf, cap, n, 0x80 | (cp >> (6 * extra) & 0x3f));
	return true;
}

static bool escape(struct json_read *j, char *buf, size_t cap, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;

	if (j->p == j->end)
		return false;
	if (*j->p == 'u') {
		j->p++;
		return unicode(j, buf, cap, n);
	}
	hit = memchr(from, *j->p, sizeof(from) - 1);
	if (!hit)
		return false;
	j->p++;
	put(buf, cap, n, (unsigned char)to[hit - from]);
	return true;
}

long json_read_string(struct json_read *j, char *buf, size_t cap)
{
	size_t n = 0;

	if (!json_read_expect(j, '"'))
		return -1;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20 || (c == '\\' && !escape(j, buf, cap, &n))) {
			json_read_fail(j);
			return -1;
		}
		if (c != '\\')
			put(buf, cap, &n, c);
	}
	if (j->p == j->end) {
		json_read_fail(j);
		return -1;
	}
	j->p++;
	if (buf && cap)
		buf[n < cap ? n : cap - 1] = '\0';
	return (long)n;
}

/* Past a number; *whole when it has no sign, fraction or exponent. */
static bool number(struct json_read *j, bool *whole)
{
	*whole = true;
	if (j->p < j->end && *j->p == '-') {
		j->p++;
		*whole = false;
	}
	if (!digit(j))
		return json_read_fail(j);
	if (*j->p++ != '0')
		while (digit(j))
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		*whole = false;
		if (!digit(j))
			return json_read_fail(j);
		while (digit(j))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		*whole = false;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!digit(j))
			return json_read_fail(j);
		while (digit(j))
			j->p++;
	}
	return true;
}

bool json_read_uint(struct json_read *j, uint32_t max, uint32_t *v)
{
	const char *start;
	uint64_t n = 0;
	bool whole;

	white(j);
	start = j->p;
	if (j->failed || !number(j, &whole) || !whole)
		return json_read_fail(j);
	/* Checked at each digit, so n stays far below 2^64. */
	for (const char *p = start; p < j->p; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > max)
			return json_read_fail(j);
	}
	*v = (uint32_t)n;
	return true;
}

static bool literal(struct json_read *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
		return false;
	j->p += n;
	return true;
}

static bool skip(struct json_read *j, unsigned depth)
{
	bool first = true, whole;
	char c;

	white(j);
	if (j->failed || j->p == j->end || depth >= JSON_READ_MAX_DEPTH)
		return json_read_fail(j);
	c = *j->p;
	if (c == '"')
		return json_read_string(j, NULL, 0) >= 0;
	if (c == '-' || digit(j))
		return number(j, &whole);
	if (c != '{' && c != '[')
		return literal(j, "true") || literal(j, "false") ||
		       literal(j, "null") || json_read_fail(j);
	j->p++;
	while (json_read_next(j, c == '{' ? '}' : ']', &first))
		if ((c == '{' && (json_read_string(j, NULL, 0) < 0 ||
				  !json_read_expect(j, ':'))) ||
		    !skip(j, depth + 1))
			return false;
	return !j->failed;
}

bool json_read_skip(struct json_read *j)
{
	return skip(j, 0);
}

bool json_read_done(struct json_read *j)
{
	white(j);
	return !j->failed && j->p == j->end;
}
