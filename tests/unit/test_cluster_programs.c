/*
 * demo/cluster.h's choice of the PostgreSQL server programs, on a fake tree: the override,
 * then `pg_config --bindir`, then the newest VERSION/bin by number, each place only when it
 * holds both initdb and postgres, executable; and the errors that name every place tried. No
 * PostgreSQL needs to be installed: the programs are empty shell scripts, pg_config a script.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo/cluster.h"
#include "tap.h"

static char root[64] = "/tmp/dunghen-programs-XXXXXX";

static void write_file(const char *path, const char *text, mode_t mode) {
  FILE *file = fopen(path, "w");
  if (file == NULL) {
    tap_diagnostic("cannot write %s: %s", path, strerror(errno));
    return;
  }
  fputs(text, file);
  fclose(file);
  chmod(path, mode);
}

/* ROOT/RELATIVE, made with its parents. */
static void make_directory(const char *relative) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", root, relative);
  for (char *slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
       slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    mkdir(path, 0755);
    *slash = '/';
  }
  mkdir(path, 0755);
}

/* A bin directory under ROOT with the named programs; `mode` for initdb (0644: not a program). */
static void make_bin(const char *relative, bool initdb, bool postgres, mode_t initdb_mode) {
  make_directory(relative);
  char path[512];
  if (initdb) {
    snprintf(path, sizeof path, "%s/%s/initdb", root, relative);
    write_file(path, "#!/bin/sh\nexit 0\n", initdb_mode);
  }
  if (postgres) {
    snprintf(path, sizeof path, "%s/%s/postgres", root, relative);
    write_file(path, "#!/bin/sh\nexit 0\n", 0755);
  }
}

/* ROOT/bin/NAME: a pg_config that prints `output` and exits with `status`. */
static void make_pg_config(const char *name, const char *output, int status) {
  char path[512], script[1024];
  snprintf(path, sizeof path, "%s/bin/%s", root, name);
  snprintf(script, sizeof script,
           "#!/bin/sh\n[ \"$1\" = --bindir ] || exit 9\nprintf '%s'\nexit %d\n", output, status);
  write_file(path, script, 0755);
}

static const char *at(const char *relative) {
  static char paths[8][512];
  static int next;
  char *path = paths[next++ % 8];
  snprintf(path, 512, "%s/%s", root, relative);
  return path;
}

/* Runs the search; the chosen directory, or "error: MESSAGE". */
static const char *choose(const char *override, const char *pg_config, const char *versions) {
  static char result[PATH_MAX + 2048];
  struct cluster_program_search search = {
      .override = override, .pg_config = pg_config, .versions_root = versions};
  char directory[PATH_MAX];
  struct error error;
  enum status status = cluster_find_programs(&search, directory, sizeof directory, &error);
  if (status == STATUS_OK)
    snprintf(result, sizeof result, "%s", directory);
  else
    snprintf(result, sizeof result, "error %d: %s", (int)status, error.message);
  return result;
}

static void build_tree(void) {
  make_directory("bin");
  /* versions: 2, 9.6, 10 and 15 complete; 16 without postgres (a client-only install); 17
   * with a non-executable initdb; names that are not versions are ignored even if complete. */
  make_bin("versions/2/bin", true, true, 0755);
  make_bin("versions/9.6/bin", true, true, 0755);
  make_bin("versions/10/bin", true, true, 0755);
  make_bin("versions/15/bin", true, true, 0755);
  make_bin("versions/16/bin", true, false, 0755);
  make_bin("versions/17/bin", true, true, 0644);
  make_bin("versions/99beta/bin", true, true, 0755);
  make_bin("versions/current/bin", true, true, 0755);
  make_directory("versions/18"); /* no bin at all */
  /* 9.10 is newer than 9.6, 10 newer than both: numbers, not text. */
  make_bin("dotted/9.6/bin", true, true, 0755);
  make_bin("dotted/9.10/bin", true, true, 0755);
  make_bin("dotted/9/bin", true, true, 0755);
  make_bin("incomplete/16/bin", true, false, 0755);
  make_directory("empty");
  make_bin("configured/bin", true, true, 0755);

  char printed[600];
  snprintf(printed, sizeof printed, "%s/configured/bin/\\n", root);
  make_pg_config("pg_config", printed, 0);
  snprintf(printed, sizeof printed, "%s/versions/16/bin\\n", root);
  make_pg_config("pg_config-client", printed, 0);
  make_pg_config("pg_config-failing", "", 3);
  make_pg_config("pg_config-relative", "usr/lib/postgresql/15/bin\\n", 0);
}

static void test_override(void) {
  tap_is_string(choose(at("versions/10/bin"), at("bin/pg_config"), at("versions")),
                at("versions/10/bin"), "an override is taken before pg_config and versions");
  tap_is_string(choose(at("versions/10/bin/"), NULL, NULL), at("versions/10/bin"),
                "an override's trailing slash is dropped");
  char expected[1024];
  snprintf(expected, sizeof expected, "error 1: DUNGHEN_PG_BINDIR=%s has no executable postgres",
           at("versions/16/bin"));
  tap_is_string(choose(at("versions/16/bin"), at("bin/pg_config"), at("versions")), expected,
                "an override without postgres is an error, not replaced by another place");
  snprintf(expected, sizeof expected, "error 1: DUNGHEN_PG_BINDIR=%s has no executable initdb",
           at("versions/17/bin"));
  tap_is_string(choose(at("versions/17/bin"), NULL, at("versions")), expected,
                "an override whose initdb is not executable is an error");
  tap_is_string(choose("", at("bin/pg_config"), at("versions")), at("configured/bin"),
                "an empty override counts as unset");
}

static void test_pg_config(void) {
  tap_is_string(choose(NULL, at("bin/pg_config"), at("versions")), at("configured/bin"),
                "pg_config --bindir is taken before the newest version (its slash dropped)");
  tap_is_string(choose(NULL, at("bin/pg_config-client"), at("versions")), at("versions/15/bin"),
                "pg_config's directory without postgres: the newest complete version");
  tap_is_string(choose(NULL, at("bin/pg_config-failing"), at("versions")), at("versions/15/bin"),
                "a failing pg_config: the newest complete version");
  tap_is_string(choose(NULL, at("bin/no-such-pg_config"), at("versions")), at("versions/15/bin"),
                "no pg_config: the newest complete version");
}

static void test_versions(void) {
  tap_is_string(choose(NULL, NULL, at("versions")), at("versions/15/bin"),
                "15 over 10, 9.6 and 2; 16 (no postgres), 17 (initdb not executable), 18 (no "
                "bin) and names that are not versions are passed over");
  tap_is_string(choose(NULL, NULL, at("dotted")), at("dotted/9.10/bin"),
                "9.10 is newer than 9.6 and 9 (numbers, not text)");
}

static void test_errors(void) {
  char expected[2048];
  snprintf(expected, sizeof expected,
           "error 1: PostgreSQL's server programs (initdb, postgres) not found: %s: not found; "
           "%s/VERSION/bin: no version installed (install postgresql, or set DUNGHEN_PG_BINDIR)",
           at("bin/no-such-pg_config"), at("empty"));
  tap_is_string(choose(NULL, at("bin/no-such-pg_config"), at("empty")), expected,
                "nothing anywhere: the error names pg_config and the versions directory");
  snprintf(expected, sizeof expected,
           "error 1: PostgreSQL's server programs (initdb, postgres) not found: %s --bindir: %s "
           "has no postgres; %s/VERSION/bin: no version has initdb and postgres (install "
           "postgresql, or set DUNGHEN_PG_BINDIR)",
           at("bin/pg_config-client"), at("versions/16/bin"), at("incomplete"));
  tap_is_string(choose(NULL, at("bin/pg_config-client"), at("incomplete")), expected,
                "incomplete directories: the error says which program each lacks");
  snprintf(expected, sizeof expected,
           "error 1: PostgreSQL's server programs (initdb, postgres) not found: %s --bindir "
           "failed (exit 3); %s: No such file or directory (install postgresql, or set "
           "DUNGHEN_PG_BINDIR)",
           at("bin/pg_config-failing"), at("nowhere"));
  tap_is_string(choose(NULL, at("bin/pg_config-failing"), at("nowhere")), expected,
                "a failing pg_config and a missing versions directory");
  snprintf(expected, sizeof expected,
           "error 1: PostgreSQL's server programs (initdb, postgres) not found: %s --bindir "
           "printed no absolute path; %s/VERSION/bin: no version installed (install postgresql, "
           "or set DUNGHEN_PG_BINDIR)",
           at("bin/pg_config-relative"), at("empty"));
  tap_is_string(choose(NULL, at("bin/pg_config-relative"), at("empty")), expected,
                "pg_config printing a relative path is not trusted");
}

/* cluster_programs(): the environment's override, and pg_config found through $PATH. */
static void test_environment(void) {
  char *saved_path = getenv("PATH") != NULL ? strdup(getenv("PATH")) : NULL;
  char *saved_override =
      getenv("DUNGHEN_PG_BINDIR") != NULL ? strdup(getenv("DUNGHEN_PG_BINDIR")) : NULL;
  char directory[PATH_MAX];
  struct error error;

  setenv("DUNGHEN_PG_BINDIR", at("versions/9.6/bin"), 1);
  enum status status = cluster_programs(directory, sizeof directory, &error);
  tap_is_string(status == STATUS_OK ? directory : error.message, at("versions/9.6/bin"),
                "cluster_programs() takes $DUNGHEN_PG_BINDIR");
  setenv("DUNGHEN_PG_BINDIR", at("versions/16/bin"), 1);
  status = cluster_programs(directory, sizeof directory, &error);
  tap_contains(status == STATUS_OK ? directory : error.message, "DUNGHEN_PG_BINDIR=",
               "a $DUNGHEN_PG_BINDIR without the programs is an error naming it");

  unsetenv("DUNGHEN_PG_BINDIR");
  char path[1024];
  snprintf(path, sizeof path, "%s:%s", at("bin"), saved_path != NULL ? saved_path : "/usr/bin");
  setenv("PATH", path, 1);
  status = cluster_programs(directory, sizeof directory, &error);
  tap_is_string(status == STATUS_OK ? directory : error.message, at("configured/bin"),
                "cluster_programs() runs the pg_config found through $PATH");

  if (saved_path != NULL)
    setenv("PATH", saved_path, 1);
  if (saved_override != NULL)
    setenv("DUNGHEN_PG_BINDIR", saved_override, 1);
  free(saved_path);
  free(saved_override);
}

int main(void) {
  if (mkdtemp(root) == NULL) {
    tap_ok(false, "mkdtemp: %s", strerror(errno));
    return tap_finish();
  }
  build_tree();
  test_override();
  test_pg_config();
  test_versions();
  test_errors();
  test_environment();
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", root);
  if (system(command) != 0)
    tap_diagnostic("could not remove %s", root);
  return tap_finish();
}
