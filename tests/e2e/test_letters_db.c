/*
 * The letters kept in the database, end to end (issue 18; docs/LETTERS.md):
 *   - the daemon renders letters of two agencies, one of them re-drafted when its delay reason
 *     arrives; the spool is then deleted;
 *   - `dunghen letters export` rebuilds it from the database alone, byte for byte (every file
 *     with the sha256 and size of letter_log or letter_version, modes 0640/0750, no file
 *     without its row), and a second export writes nothing; a period and an agency narrow it;
 *   - `dunghen letters get` by code and by number writes the same bytes (0640), --version the
 *     earlier draft; an unknown letter or bad options exit 2;
 *   - `dunghen letters import` on a database whose bytes were removed (a database from before
 *     migration 9) refuses a tampered file and names a missing one (exit 1, by path and letter
 *     number), stores the rest, and completes once the files are right.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "e2e_support.h"
#include "spool_check.h"
#include "tap.h"

enum { LETTERS = 6 };

struct setup {
  struct e2e_harness harness;
  char spool[PATH_MAX + 16];
  char config[8192];
};

/* Runs `dunghen ARGUMENTS` with --db; stdout and stderr in `output`; the exit status. */
static int dunghen(const struct setup *setup, char *output, size_t size, const char *arguments) {
  char command[4 * PATH_MAX];
  snprintf(command, sizeof command, "'%s' %s --db '%s' 2>&1", getenv("DUNGHEN_BINARY"), arguments,
           setup->harness.conninfo);
  output[0] = '\0';
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return -1;
  size_t got = fread(output, 1, size - 1, pipe);
  output[got] = '\0';
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool copy_agencies(const struct e2e_harness *harness) {
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char command[3 * PATH_MAX];
  snprintf(command, sizeof command, "cp '%s/rules/agencies.yaml' '%s/agencies.yaml'",
           source != NULL ? source : ".", harness->rules);
  return system(command) == 0;
}

static void query_text(const struct e2e_harness *harness, const char *sql, char *out, size_t size) {
  PGresult *result = PQexec(harness->db, sql);
  bool found = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 &&
               !PQgetisnull(result, 0, 0);
  snprintf(out, size, "%s", found ? PQgetvalue(result, 0, 0) : "");
  PQclear(result);
}

/* The sha256 of the file at `path` as sha256sum prints it, or "". */
static void file_sha256(const char *path, char *hex, size_t size) {
  char command[PATH_MAX + 32];
  snprintf(command, sizeof command, "sha256sum '%s' 2>/dev/null", path);
  hex[0] = '\0';
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return;
  if (fgets(hex, (int)size, pipe) != NULL)
    hex[strcspn(hex, " \n")] = '\0';
  pclose(pipe);
}

static void render_letters(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, setup->config, NULL), "the daemon starts"))
    return;
  e2e_db_exec(harness,
              "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh, "
              "dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) "
              "SELECT 'DB-' || g, '9.900001', "
              "CASE WHEN g %% 2 = 0 THEN 'DLK-SNNMT' ELSE 'DLK-TTPVHCC' END, "
              "'Lê Thị Lưu ' || g, '0661' || lpad(g::text, 8, '0'), 'xã Hòa Phú', 'thử nghiệm', "
              "'truc_tiep', now() - interval '30 days', 'dang_xu_ly' "
              "FROM generate_series(1, %d) AS g",
              LETTERS);
  tap_ok(e2e_db_wait_integer(harness, LETTERS, 30,
                             "SELECT count(*) FROM dunghen.letter_log WHERE state = 'rendered'"),
         "the daemon renders %d letters", LETTERS);
  e2e_db_exec(harness, "UPDATE onestop.ho_so SET ly_do_tre_han = 'Chờ kết quả xác minh'"
                       " WHERE ma_ho_so = 'DB-1'");
  tap_ok(e2e_db_wait_integer(harness, 1, 30,
                             "SELECT count(*) FROM dunghen.letter_log WHERE dossier_code = 'DB-1'"
                             " AND version = 2 AND state = 'rendered'"),
         "the delay reason re-drafts DB-1 as version 2");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "the daemon stops");
}

static void test_export(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char output[8192], arguments[3 * PATH_MAX];
  spool_check(harness->db, setup->spool, "the daemon's spool");
  char command[PATH_MAX + 32];
  snprintf(command, sizeof command, "rm -rf '%s'", setup->spool);
  tap_is_integer(system(command), 0, "the spool is deleted");
  snprintf(arguments, sizeof arguments, "letters export --out '%s'", setup->spool);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 0, "letters export: exit 0");
  tap_contains(output, "7 file(s) written, 0 already identical, 0 unavailable",
               "it writes every draft (%d letters, one earlier draft)", LETTERS);
  spool_check(harness->db, setup->spool, "the rebuilt spool");
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 0, "a second export: exit 0");
  tap_contains(output, "0 file(s) written, 7 already identical", "it writes nothing");
  char other[PATH_MAX + 32];
  snprintf(other, sizeof other, "%s/other", harness->directory);
  char today[16];
  query_text(harness,
             "SELECT to_char(created_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')"
             " FROM dunghen.letter_log ORDER BY id LIMIT 1",
             today, sizeof today);
  snprintf(arguments, sizeof arguments,
           "letters export --from %s --to %s --agency DLK-SNNMT --out '%s'", today, today, other);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 0,
                 "an export of one agency and day: exit 0");
  tap_contains(output, "3 file(s) written", "its three letters");
  snprintf(arguments, sizeof arguments,
           "letters export --from 2001-01-01 --to 2001-01-31 --out '%s'", other);
  dunghen(setup, output, sizeof output, arguments);
  tap_contains(output, "0 file(s) written, 0 already identical", "a period without letters");
  snprintf(arguments, sizeof arguments,
           "letters export --from 2001-02-30 --to 2001-03-01 "
           "--out '%s'",
           other);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 2, "a bad date: exit 2");
  tap_contains(output, "--from", "naming the option (%.*s)", (int)strcspn(output, "\n"), output);
}

static void test_get(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char output[8192], arguments[3 * PATH_MAX], by_code[PATH_MAX + 16], by_number[PATH_MAX + 16];
  snprintf(by_code, sizeof by_code, "%s/by-code.pdf", harness->directory);
  snprintf(by_number, sizeof by_number, "%s/by-number.pdf", harness->directory);
  snprintf(arguments, sizeof arguments, "letters get --code DB-3 --out '%s'", by_code);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 0, "letters get --code: exit 0");
  char number[16], year[16], recorded[80], got[80];
  query_text(harness, "SELECT number FROM dunghen.letter_log WHERE dossier_code = 'DB-3'", number,
             sizeof number);
  query_text(harness, "SELECT year FROM dunghen.letter_log WHERE dossier_code = 'DB-3'", year,
             sizeof year);
  query_text(harness, "SELECT sha256 FROM dunghen.letter_log WHERE dossier_code = 'DB-3'", recorded,
             sizeof recorded);
  file_sha256(by_code, got, sizeof got);
  tap_is_string(got, recorded, "the file has the sha256 of letter_log");
  struct stat status;
  tap_ok(stat(by_code, &status) == 0 && (status.st_mode & 07777) == 0640, "mode 0640");
  char check[PATH_MAX + 64];
  snprintf(check, sizeof check, "qpdf --check '%s' >/dev/null 2>&1", by_code);
  tap_is_integer(system(check), 0, "qpdf --check passes on it");
  snprintf(arguments, sizeof arguments,
           "letters get --agency DLK-TTPVHCC --year %s --number %s --out '%s'", year, number,
           by_number);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 0,
                 "letters get --agency --year --number: exit 0");
  file_sha256(by_number, got, sizeof got);
  tap_is_string(got, recorded, "the same bytes by number");
  snprintf(arguments, sizeof arguments, "letters get --code DB-1 --version 1 --out '%s'", by_code);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 0, "--version 1: exit 0");
  query_text(harness,
             "SELECT v.sha256 FROM dunghen.letter_version v JOIN dunghen.letter_log l"
             " ON l.id = v.letter_id WHERE l.dossier_code = 'DB-1' AND v.version = 1",
             recorded, sizeof recorded);
  file_sha256(by_code, got, sizeof got);
  tap_is_string(got, recorded, "the earlier draft, with the sha256 of letter_version");
  snprintf(arguments, sizeof arguments, "letters get --code NO-SUCH --out '%s'", by_code);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 2, "an unknown letter: exit 2");
  tap_contains(output, "no rendered letter for dossier NO-SUCH", "and says which");
  tap_is_integer(dunghen(setup, output, sizeof output, "letters get --code DB-3"), 2,
                 "no --out: exit 2");
  tap_contains(output, "get needs --out FILE", "and says so");
  tap_is_integer(dunghen(setup, output, sizeof output, "letters fetch"), 2,
                 "an unknown action: exit 2");
}

static void test_import(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char output[16384], arguments[3 * PATH_MAX], command[4 * PATH_MAX];
  e2e_db_exec(harness, "DELETE FROM dunghen.letter_pdf");
  char tampered[PATH_MAX], missing[PATH_MAX], tampered_number[16];
  query_text(harness, "SELECT path FROM dunghen.letter_log WHERE dossier_code = 'DB-2'", tampered,
             sizeof tampered);
  query_text(harness, "SELECT number FROM dunghen.letter_log WHERE dossier_code = 'DB-2'",
             tampered_number, sizeof tampered_number);
  query_text(harness,
             "SELECT v.path FROM dunghen.letter_version v JOIN dunghen.letter_log l"
             " ON l.id = v.letter_id WHERE l.dossier_code = 'DB-1'",
             missing, sizeof missing);
  snprintf(command, sizeof command,
           "cp '%s' '%s/tampered.keep' && printf x >> '%s' && mv '%s' '%s/missing.keep'", tampered,
           harness->directory, tampered, missing, harness->directory);
  tap_is_integer(system(command), 0, "one file tampered with, one removed");
  snprintf(arguments, sizeof arguments, "letters import --spool '%s'", setup->spool);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 1,
                 "letters import: exit 1 when files are wrong");
  char expected[2 * PATH_MAX];
  snprintf(expected, sizeof expected, "mismatch: %s (letter %s of DLK-SNNMT in ", tampered,
           tampered_number);
  tap_contains(output, expected, "it names the tampered file and its letter number");
  snprintf(expected, sizeof expected, "missing: %s (letter 1 of DLK-TTPVHCC in ", missing);
  tap_contains(output, expected, "and the missing earlier draft");
  tap_contains(output, "5 letter(s) stored from", "it stores the other five");
  tap_ok(strstr(output, "Lê Thị") == NULL, "no personal data in its output");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_pdf"), 5,
                 "the tampered bytes are not stored");
  snprintf(command, sizeof command, "mv '%s/tampered.keep' '%s' && mv '%s/missing.keep' '%s'",
           harness->directory, tampered, harness->directory, missing);
  tap_is_integer(system(command), 0, "the right files are back");
  snprintf(arguments, sizeof arguments, "letters import --config '%s/import.yaml'",
           harness->directory);
  tap_is_integer(dunghen(setup, output, sizeof output, arguments), 0,
                 "letters import (the config's spool): exit 0");
  tap_contains(output, "2 letter(s) stored from", "it stores the last two");
  tap_is_integer(
      e2e_db_integer(harness, "SELECT count(*) FROM (SELECT id AS letter_id, version, sha256,"
                              " bytes FROM dunghen.letter_log UNION ALL SELECT letter_id, version,"
                              " sha256, bytes FROM dunghen.letter_version) d"
                              " WHERE NOT EXISTS (SELECT 1 FROM dunghen.letter_pdf p"
                              " WHERE p.letter_id = d.letter_id AND p.version = d.version"
                              " AND p.sha256 = d.sha256 AND octet_length(p.pdf) = d.bytes)"),
      0, "every draft has its bytes again, with its recorded sha256 and size");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  static struct setup setup;
  struct e2e_harness *harness = &setup.harness;
  if (!tap_ok(e2e_setup(harness, conninfo) && copy_agencies(harness),
              "database migrated, reference schema and agencies in"))
    return tap_finish();
  snprintf(setup.spool, sizeof setup.spool, "%s/spool", harness->directory);
  mkdir(setup.spool, 0755);
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  snprintf(setup.config, sizeof setup.config,
           "paths:\n  letters: %s/letters\n  spool: %s\nsync:\n  poll_interval: 3600\n",
           source != NULL ? source : ".", setup.spool);
  char import_config[PATH_MAX + 32];
  snprintf(import_config, sizeof import_config, "%s/import.yaml", harness->directory);
  FILE *file = fopen(import_config, "w");
  if (file != NULL) {
    fputs(setup.config, file);
    fclose(file);
  }
  render_letters(&setup);
  test_export(&setup);
  test_get(&setup);
  test_import(&setup);
  e2e_teardown(harness);
  return tap_finish();
}
