// SPDX-License-Identifier: MIT
/* apply --key: parsing VOLUME:SOURCE and applying it to a parsed table. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "shared/exit_code.h"
#include "tab/overrides.h"
#include "unit.h"

/* The rules the messages end with, as --key says them. */
#define VOLMSG                                                                 \
	": use 1-64 of A-Z a-z 0-9 _ . + @ -, not starting with '.' or '-'"
#define SRCMSG ": expected /PATH, file:PATH, fd:N, slots:PATH or none"

static const struct {
	const char *arg;
	int ret;
	const char *volume; /* on success */
	const char *source; /* on success; NULL for none */
	const char *err;    /* on failure */
} parse_cases[] = {
    {"root:/etc/keys/r.key", 0, "root", "/etc/keys/r.key", NULL},
    {"r:file:/k", 0, "r", "/k", NULL},
    {"r:file:rel", 0, "r", "rel", NULL},
    {"r:fd:3", 0, "r", "fd:3", NULL},
    {"r:none", 0, "r", NULL, NULL},
    {"r:-", 0, "r", NULL, NULL},
    {"a.b+c@d_e-f:/k", 0, "a.b+c@d_e-f", "/k", NULL},
    {"r:/a:b", 0, "r", "/a:b", NULL},
    {"r", -EINVAL, NULL, NULL, "'r': expected VOLUME:SOURCE"},
    {":/k", -EINVAL, NULL, NULL, "':/k': expected VOLUME:SOURCE"},
    {"r:", -EINVAL, NULL, NULL, "'r:': expected VOLUME:SOURCE"},
    {".r:/k", -EINVAL, NULL, NULL, "'.r:/k': invalid volume name '.r'" VOLMSG},
    {"a/b:/k", -EINVAL, NULL, NULL,
     "'a/b:/k': invalid volume name 'a/b'" VOLMSG},
    {"r:rel", -EINVAL, NULL, NULL, "'r:rel': invalid key source 'rel'" SRCMSG},
    {"r:slots:rel", -EINVAL, NULL, NULL,
     "'r:slots:rel': invalid key source 'slots:rel'" SRCMSG},
    {"r:fd:x", -EINVAL, NULL, NULL,
     "'r:fd:x': invalid key source 'fd:x'" SRCMSG},
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	     i++) {
		struct key_override ov;
		struct fsp_problem err = {0};
		char src[PATH_MAX + 8] = "";
		int r = key_override_parse(parse_cases[i].arg, &ov, &err);

		CHECK(r == parse_cases[i].ret, "parse '%s' returns %d",
		      parse_cases[i].arg, parse_cases[i].ret);
		if (r < 0) {
			CHECK_STR(err.text, parse_cases[i].err,
				  "parse '%s': message", parse_cases[i].arg);
			continue;
		}
		CHECK_STR(ov.volume, parse_cases[i].volume,
			  "parse '%s': volume", parse_cases[i].arg);
		CHECK(ov.has_source == (parse_cases[i].source != NULL),
		      "parse '%s': has a source or none", parse_cases[i].arg);
		if (ov.has_source) {
			key_source_format(&ov.source, src, sizeof(src));
			CHECK_STR(src, parse_cases[i].source,
				  "parse '%s': source", parse_cases[i].arg);
		}
	}
	{
		char name[80], arg[100];
		struct fsp_problem err = {0};
		struct key_override ov;

		memset(name, 'v', 64);
		name[64] = '\0';
		snprintf(arg, sizeof(arg), "%s:/k", name);
		CHECK(key_override_parse(arg, &ov, &err) == 0,
		      "a 64-character volume name is accepted");
		snprintf(arg, sizeof(arg), "v%s:/k", name);
		CHECK(key_override_parse(arg, &ov, &err) == -EINVAL &&
			  strstr(err.text, "longer than 64 characters"),
		      "a 65-character volume name is refused");
	}
}

static void test_apply(void)
{
	static const char text[] = "root / /r.key secret keyformat=hex\n"
				   "data /data none - nofail\n";
	static const char *const args[] = {"root:/o1",	"new:/n",    "root:/o2",
					   "idle:none", "data:fd:4", "gone:/g",
					   "gone:-"};
	enum { N = sizeof(args) / sizeof(args[0]) };
	static const enum override_result want[N] = {
	    OVERRIDE_SUPERSEDED, OVERRIDE_ADDED,    OVERRIDE_REPLACED,
	    OVERRIDE_IGNORED,	 OVERRIDE_REPLACED, OVERRIDE_SUPERSEDED,
	    OVERRIDE_IGNORED};
	struct key_override ov[N];
	enum override_result res[N];
	struct fscrypttab tab = {0};
	const struct tab_entry *e;
	struct fsp_problem err = {0};
	char src[PATH_MAX + 8];
	bool all = true;

	CHECK(fscrypttab_parse(text, sizeof(text) - 1, "t", &tab, &err) == 0,
	      "the table parses");
	for (size_t i = 0; i < N; i++)
		all &= key_override_parse(args[i], &ov[i], &err) == 0;
	CHECK(all, "the overrides parse");
	CHECK(fscrypttab_apply_overrides(&tab, ov, N, res) == 0,
	      "the overrides apply");
	for (size_t i = 0; i < N; i++)
		CHECK(res[i] == want[i], "--key %s: result %d (got %d)",
		      args[i], (int)want[i], (int)res[i]);
	CHECK(tab.n == 3, "one entry added (new), none for idle or gone");
	e = fscrypttab_find(&tab, "root");
	key_source_format(&e->source, src, sizeof(src));
	CHECK_STR(src, "/o2", "root: the last --key wins");
	CHECK(e->key_opts.format == KEY_FORMAT_HEX && e->n_dirs == 1 &&
		  e->has_mountpoint,
	      "root: its options, directories and mountpoint are kept");
	e = fscrypttab_find(&tab, "data");
	key_source_format(&e->source, src, sizeof(src));
	CHECK(e->has_source && e->nofail, "data: none replaced, nofail kept");
	CHECK_STR(src, "fd:4", "data: the new source");
	e = fscrypttab_find(&tab, "new");
	CHECK(e && !e->has_mountpoint && e->has_source && !e->nofail &&
		  e->n_dirs == 0 && e->line == 0 && e->key_opts.size == 64 &&
		  e->key_opts.format == KEY_FORMAT_AUTO,
	      "new: provision only, with the defaults");
	CHECK(e && e->password_timeout == 0 &&
		  fscrypttab_find(&tab, "data")->password_timeout == 90,
	      "password-timeout: none for new, nofail's 90 s for data");
	/* apply --password-timeout, after --key: every entry, added ones
	 * too, whatever the table said. */
	fscrypttab_set_password_timeout(&tab, 4);
	all = true;
	for (size_t i = 0; i < tab.n; i++)
		all &= tab.entries[i].password_timeout == 4 &&
		       tab.entries[i].has_password_timeout;
	CHECK(all, "--password-timeout 4 reaches all %zu entries", tab.n);
	fscrypttab_free(&tab);
}

static void test_exit_names(void)
{
	CHECK_STR(exit_code_name(0), "success", "exit 0 is success");
	CHECK_STR(exit_code_name(1), "not ready", "exit 1 has a name");
	CHECK_STR(exit_code_name(6), "key rejected", "exit 6 is key rejected");
	for (int i = 0; i <= FSP_EXIT_MAX; i++)
		CHECK(exit_code_name(i) && *exit_code_name(i),
		      "exit %d has a name", i);
	CHECK(exit_code_name(FSP_EXIT_MAX + 1) == NULL && !exit_code_name(-1) &&
		  !exit_code_name(127),
	      "codes the tool never gives have none");
}

int main(void)
{
	test_parse();
	test_apply();
	test_exit_names();
	return UNIT_DONE();
}
