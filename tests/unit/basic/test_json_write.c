// SPDX-License-Identifier: MIT
/* The JSON writer: escapes, the fixed layout, and null/true/false. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "basic/json_write.h"
#include "unit.h"

/* What writing one string member gives. */
static char *one_string(const char *v)
{
	struct json j;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	json_start(&j, f, false);
	json_object_begin(&j, NULL);
	json_str(&j, "s", v);
	json_end(&j);
	fclose(f);
	return buf;
}

static const struct {
	const char *in, *out;
} escapes[] = {
    {"plain", "{\"s\": \"plain\"}\n"},
    {"", "{\"s\": \"\"}\n"},
    {"a\"b", "{\"s\": \"a\\\"b\"}\n"},
    {"a\\b", "{\"s\": \"a\\\\b\"}\n"},
    {"tab\there", "{\"s\": \"tab\\there\"}\n"},
    {"new\nline", "{\"s\": \"new\\nline\"}\n"},
    {"\x01\x1f\x7f", "{\"s\": \"\\u0001\\u001f\\u007f\"}\n"},
    {"r\rcr", "{\"s\": \"r\\u000dcr\"}\n"},
    /* UTF-8 passes through: JSON text is UTF-8. */
    {"caf\xc3\xa9", "{\"s\": \"caf\xc3\xa9\"}\n"},
    {NULL, "{\"s\": null}\n"},
};

/* Each layout: what a sequence of calls writes. */
static char *layout(int which)
{
	struct json j;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	switch (which) {
	case 0: /* empty top-level array, one per line */
		json_start(&j, f, true);
		json_array_begin(&j, NULL);
		json_end(&j);
		break;
	case 1: /* array of objects, one per line */
		json_start(&j, f, true);
		json_array_begin(&j, NULL);
		for (int i = 0; i < 2; i++) {
			json_object_begin(&j, NULL);
			json_int(&j, "n", i);
			json_bool(&j, "even", i % 2 == 0);
			json_end(&j);
		}
		json_end(&j);
		break;
	case 2: /* object, one member per line; nested on one line */
		json_start(&j, f, true);
		json_object_begin(&j, NULL);
		json_str(&j, "a", "x");
		json_object_begin(&j, "k");
		json_tristate(&j, "t", 1);
		json_tristate(&j, "f", 0);
		json_tristate(&j, "u", -1);
		json_end(&j);
		json_array_begin(&j, "l");
		json_str(&j, NULL, "p");
		json_int(&j, NULL, -5);
		json_end(&j);
		json_array_begin(&j, "e");
		json_end(&j);
		json_null(&j, "z");
		json_end(&j);
		break;
	default: /* compact top level */
		json_start(&j, f, false);
		json_object_begin(&j, NULL);
		json_int(&j, "big", 4294967295LL);
		json_null(&j, "none");
		json_end(&j);
		break;
	}
	fclose(f);
	return buf;
}

static const char *layouts[] = {
    "[]\n",
    "[\n  {\"n\": 0, \"even\": true},\n  {\"n\": 1, \"even\": false}\n]\n",
    "{\n  \"a\": \"x\",\n  \"k\": {\"t\": true, \"f\": false, \"u\": null},\n"
    "  \"l\": [\"p\", -5],\n  \"e\": [],\n  \"z\": null\n}\n",
    "{\"big\": 4294967295, \"none\": null}\n",
};

int main(void)
{
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		char *got = one_string(escapes[i].in);

		CHECK_STR(got, escapes[i].out, "escape case %zu", i);
		free(got);
	}
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		char *got = layout((int)i);

		CHECK_STR(got, layouts[i], "layout %zu", i);
		free(got);
	}
	return UNIT_DONE();
}
