// SPDX-License-Identifier: MIT
/* The JSON reader: strings and their escapes, numbers, skipping, and the
 * text it refuses. */
#define _GNU_SOURCE
#include <string.h>

#include "basic/json_read.h"
#include "unit.h"

static long one_string(const char *text, char *buf, size_t cap)
{
	struct json_read j;
	long n;

	json_read_start(&j, text, strlen(text));
	n = json_read_string(&j, buf, cap);
	return json_read_done(&j) ? n : -2;
}

static void test_strings(void)
{
	char buf[16];

	CHECK(one_string("\"abc\"", buf, sizeof(buf)) == 3 &&
		  !strcmp(buf, "abc"),
	      "a plain string");
	CHECK(one_string(" \"a\\\"b\\\\c\\/\\n\" ", buf, sizeof(buf)) == 7 &&
		  !strcmp(buf, "a\"b\\c/\n"),
	      "escapes decoded");
	CHECK(one_string("\"\\u00e9\\u20ac\"", buf, sizeof(buf)) == 5 &&
		  !strcmp(buf, "\xc3\xa9\xe2\x82\xac"),
	      "\\u as UTF-8");
	CHECK(one_string("\"\\ud83d\\ude00\"", buf, sizeof(buf)) == 4 &&
		  !strcmp(buf, "\xf0\x9f\x98\x80"),
	      "a surrogate pair joined");
	CHECK(one_string("\"0123456789abcdefXYZ\"", buf, sizeof(buf)) == 19 &&
		  strlen(buf) == 15,
	      "cut at the buffer, its whole length told");
	CHECK(one_string("\"abc\"", NULL, 0) == 3, "passed with no buffer");
	CHECK(one_string("\"\\u0000\"", buf, sizeof(buf)) == -2,
	      "\\u0000 refused");
	CHECK(one_string("\"\\ude00\"", buf, sizeof(buf)) == -2,
	      "a lone low surrogate refused");
	CHECK(one_string("\"\\ud83d\"", buf, sizeof(buf)) == -2,
	      "a lone high surrogate refused");
	CHECK(one_string("\"a\nb\"", buf, sizeof(buf)) == -2,
	      "a raw control character refused");
	CHECK(one_string("\"\\x\"", buf, sizeof(buf)) == -2,
	      "an unknown escape refused");
	CHECK(one_string("\"abc", buf, sizeof(buf)) == -2, "an unended string");
}

static bool one_uint(const char *text, uint32_t max, uint32_t *v)
{
	struct json_read j;

	json_read_start(&j, text, strlen(text));
	return json_read_uint(&j, max, v) && json_read_done(&j);
}

static void test_numbers(void)
{
	uint32_t v = 0;

	CHECK(one_uint("23", 23, &v) && v == 23, "a whole number up to max");
	CHECK(one_uint("0", 23, &v) && v == 0, "zero");
	CHECK(!one_uint("24", 23, &v), "past max");
	CHECK(!one_uint("9", 5, &v), "one digit past max");
	CHECK(!one_uint("99999999999999999999999", 23, &v), "far past max");
	CHECK(!one_uint("-1", 23, &v), "a sign");
	CHECK(!one_uint("1.5", 23, &v) && !one_uint("1e1", 23, &v),
	      "a fraction or an exponent");
	CHECK(!one_uint("011", 23, &v), "a leading zero");
}

static bool skips(const char *text)
{
	struct json_read j;

	json_read_start(&j, text, strlen(text));
	return json_read_skip(&j) && json_read_done(&j);
}

static void test_skip(void)
{
	char deep[64] = "", *p = deep;

	CHECK(
	    skips("{\"a\": [1, -2.5e+3, true, false, null, \"]\"], \"b\": {}}"),
	    "any value skipped");
	CHECK(!skips("[1,]") && !skips("[,1]") && !skips("{\"a\" 1}") &&
		  !skips("{1: 2}") && !skips("[1 2]") && !skips("tru") &&
		  !skips("[") && !skips("01") && !skips("1."),
	      "malformed JSON refused");
	for (int i = 0; i <= JSON_READ_MAX_DEPTH; i++)
		*p++ = '[';
	for (int i = 0; i <= JSON_READ_MAX_DEPTH; i++)
		*p++ = ']';
	CHECK(!skips(deep), "nesting past %d refused", JSON_READ_MAX_DEPTH);
	deep[JSON_READ_MAX_DEPTH] = ' ';
	deep[JSON_READ_MAX_DEPTH + 1] = ' ';
	CHECK(skips(deep), "nesting of %d read", JSON_READ_MAX_DEPTH);
}

int main(void)
{
	test_strings();
	test_numbers();
	test_skip();
	return UNIT_DONE();
}
