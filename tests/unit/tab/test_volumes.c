// SPDX-License-Identifier: MIT
/* tab/volumes.c and kernel/mountinfo.c's pure parts: which volumes a directory
 * is on. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "kernel/mountinfo.h"
#include "tab/fscrypttab.h"
#include "tab/volumes.h"
#include "unit.h"

static const char table[] = "root / none -\n"
			    "data /data none -\n"
			    "data2 /data none -\n"
			    "deep /data/deep none -\n"
			    "prov none none -\n";

/* A mount_info as mount_of_path() would fill it. */
static struct mount_info mount_at(const char *path, const char *mountpoint)
{
	struct mount_info mi;

	memset(&mi, 0, sizeof(mi));
	strcpy(mi.path, path);
	strcpy(mi.mountpoint, mountpoint);
	return mi;
}

static const struct {
	const char *path, *mountpoint, *volume;
	int ret;
	const char *names; /* the volumes found, blank-separated */
	const char *unmounted;
} cases[] = {
    {"/data/x", "/data", NULL, 0, "data data2", NULL},
    {"/data", "/data", NULL, 0, "data data2", NULL},
    {"/etc", "/", NULL, 0, "root", NULL},
    /* /data is in the table but the path's mount is /: not mounted yet */
    {"/data/x", "/", NULL, -ENOTCONN, "", "data"},
    {"/data/deep/y", "/data", NULL, -ENOTCONN, "", "deep"},
    {"/data/deep/y", "/data/deep", NULL, 0, "deep", NULL},
    {"/srv", "/srv", NULL, -ENOENT, "", NULL},
    /* --volume: the name decides, even for provision-only entries */
    {"/srv", "/srv", "prov", 0, "prov", NULL},
    {"/data/x", "/", "data", 0, "data", NULL},
    {"/x", "/", "notintable", 0, "notintable", NULL},
};

static void test_resolve(void)
{
	struct fscrypttab tab;
	struct fsp_problem err = {0};

	CHECK(fscrypttab_parse(table, sizeof(table) - 1, "t", &tab, &err) == 0,
	      "the table parses");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mount_info mi =
		    mount_at(cases[i].path, cases[i].mountpoint);
		const struct tab_entry *unmounted = NULL;
		struct volume_set vs = {0};
		char names[256] = "";
		int r = resolve_volumes(cases[i].volume, &tab, &mi, &vs,
					&unmounted);

		for (size_t k = 0; r == 0 && k < vs.n; k++) {
			if (k)
				strcat(names, " ");
			strcat(names, vs.names[k]);
		}
		CHECK(r == cases[i].ret, "%s on %s%s%s: returns %d",
		      cases[i].path, cases[i].mountpoint,
		      cases[i].volume ? ", --volume " : "",
		      cases[i].volume ? cases[i].volume : "", cases[i].ret);
		CHECK_STR(names, cases[i].names, "%s on %s: the volumes",
			  cases[i].path, cases[i].mountpoint);
		if (cases[i].unmounted)
			CHECK(unmounted && strcmp(unmounted->name,
						  cases[i].unmounted) == 0,
			      "%s on %s: names %s as not mounted",
			      cases[i].path, cases[i].mountpoint,
			      cases[i].unmounted);
		if (r == 0 && cases[i].volume &&
		    strcmp(cases[i].volume, "notintable") == 0)
			CHECK(vs.entries[0] == NULL,
			      "a volume the table lacks has no entry");
		volume_set_free(&vs);
	}
	fscrypttab_free(&tab);
}

static void test_paths(void)
{
	static const struct {
		const char *dir, *path;
		bool in;
	} in_cases[] = {
	    {"/", "/anything", true},	{"/data", "/data", true},
	    {"/data", "/data/x", true}, {"/data", "/datax", false},
	    {"/data", "/dat", false},	{"/data/x", "/data", false},
	};
	static const struct {
		const char *root, *path, *want;
	} join_cases[] = {
	    {"/", "/data", "/data"},
	    {"/sysroot", "/", "/sysroot"},
	    {"/sysroot", "/data", "/sysroot/data"},
	    {"/sysroot/", "/data", "/sysroot/data"},
	    {"/sysroot//", "/", "/sysroot"},
	};
	char buf[PATH_MAX], tiny[8];

	for (size_t i = 0; i < sizeof(in_cases) / sizeof(in_cases[0]); i++)
		CHECK(path_in_dir(in_cases[i].dir, in_cases[i].path) ==
			  in_cases[i].in,
		      "path_in_dir(%s, %s) is %s", in_cases[i].dir,
		      in_cases[i].path, in_cases[i].in ? "true" : "false");
	for (size_t i = 0; i < sizeof(join_cases) / sizeof(join_cases[0]);
	     i++) {
		int r = path_join_root(join_cases[i].root, join_cases[i].path,
				       buf, sizeof(buf));

		CHECK(r == 0, "path_join_root(%s, %s) succeeds",
		      join_cases[i].root, join_cases[i].path);
		CHECK_STR(buf, join_cases[i].want, "path_join_root(%s, %s)",
			  join_cases[i].root, join_cases[i].path);
	}
	CHECK(path_join_root("/sysroot", "/data", tiny, sizeof(tiny)) ==
		  -ENAMETOOLONG,
	      "path_join_root: a result too long is -ENAMETOOLONG");
}

/* The real /proc of the machine the tests run on. */
static void test_mounts(void)
{
	struct mount_info mi;

	CHECK(mount_of_path("/proc/self/status", &mi) == 0 &&
		  strcmp(mi.mountpoint, "/proc") == 0 &&
		  strcmp(mi.fstype, "proc") == 0,
	      "/proc/self/status is on the proc mount at /proc");
	CHECK(path_is_mountpoint("/proc") == 1, "/proc is a mountpoint");
	CHECK(path_is_mountpoint("/proc/self") == 0,
	      "/proc/self (a directory of it) is not one");
	CHECK(mount_of_path("/no/such/path", &mi) == -ENOENT,
	      "a path that does not exist: -ENOENT");
}

/* Which volume a key source lies on: the one to unlock first. */
static void test_key_source_volume(void)
{
	static const char t[] = "root / /etc/k/root.key secret initramfs\n"
				"data /data slots:/etc/data.slots vault\n"
				"deep /data/deep slots:/data/deep.slots -\n"
				"home /home slots:/data/deep/k/home.slots -\n"
				"self /self /self/plain.key -\n"
				"dataish /datax /data/k.key -\n"
				"none /n none -\n";
	static const struct {
		const char *volume, *file, *on;
	} want[] = {
	    {"root", "/etc/k/root.key", NULL}, /* on / : never a volume */
	    {"data", "/etc/data.slots", NULL},
	    {"deep", "/data/deep.slots", "data"},
	    {"home", "/data/deep/k/home.slots", "deep"}, /* the closest */
	    {"self", "/self/plain.key", NULL},		 /* its own mount */
	    {"dataish", "/data/k.key", "data"},
	    {"none", NULL, NULL},
	};
	struct fscrypttab tab;
	struct fsp_problem err = {0};

	CHECK(fscrypttab_parse(t, sizeof(t) - 1, "t", &tab, &err) == 0,
	      "the key-source table parses");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct tab_entry *e = &tab.entries[i];
		const struct tab_entry *on = key_source_volume(&tab, e);
		const char *file = key_source_file(e);

		CHECK_STR(file ? file : "-", want[i].file ? want[i].file : "-",
			  "%s: the key source's file", want[i].volume);
		CHECK_STR(on ? on->name : "-", want[i].on ? want[i].on : "-",
			  "%s: the volume that file is on", want[i].volume);
	}
	fscrypttab_free(&tab);
}

int main(void)
{
	test_key_source_volume();
	test_resolve();
	test_paths();
	test_mounts();
	return UNIT_DONE();
}
