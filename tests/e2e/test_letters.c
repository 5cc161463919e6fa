/*
 * Letters in the daemon, end to end, against the private PostgreSQL of with-cluster and the
 * reference schema:
 *   - the letter of an overdue dossier is rendered by the daemon's letter thread: the PDF is at
 *     the recorded path, 0640 in 0750 directories, its sha256 and size match letter_log,
 *     pdftotext shows the applicant and the number, qpdf --check passes;
 *   - a spool that refuses files (a read-only tmpfs in a private mount namespace when root, else
 *     chmod 0550 on the agency directory) does not hold the letter back: it is rendered and kept
 *     in the database (the record; the spool is an export); /metrics and /healthz say the spool
 *     is behind; once the spool is writable again the daemon writes the file from the database,
 *     with the recorded sha256, and the letter kept its one number;
 *   - SIGKILL of the daemon during a burst of renders and a restart leave every row with its PDF
 *     and no PDF without its row, numbers 1..n per agency and year without gaps.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "e2e_support.h"
#include "spool_check.h"
#include "tap.h"

enum { BURST = 1200 };

struct setup {
  struct e2e_harness harness;
  char spool[PATH_MAX + 16];
  char config[8192];
  bool private_mount; /* the spool is a tmpfs of our own mount namespace */
};

static bool copy_agencies(const struct e2e_harness *harness) {
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char command[3 * PATH_MAX];
  snprintf(command, sizeof command, "cp '%s/rules/agencies.yaml' '%s/agencies.yaml'",
           source != NULL ? source : ".", harness->rules);
  return system(command) == 0;
}

/* As root, a private tmpfs for the spool, so that it can be made read-only (root ignores
 * permission bits); otherwise the spool is a plain directory and chmod does the refusing. */
static bool private_spool(const char *spool) {
  if (geteuid() != 0)
    return false;
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    tap_diagnostic("no private mount namespace (%s): using chmod", strerror(errno));
    return false;
  }
  if (mount("tmpfs", spool, "tmpfs", 0, "size=256m,mode=0755") != 0) {
    tap_diagnostic("cannot mount a tmpfs on the spool (%s): using chmod", strerror(errno));
    return false;
  }
  return true;
}

/* Makes the spool refuse (or accept again) new files; true when it worked. */
static bool spool_writable(const struct setup *setup, const char *agency_directory, bool writable) {
  if (!setup->private_mount)
    return chmod(agency_directory, writable ? 0750 : 0550) == 0;
  unsigned long flags = MS_REMOUNT | (writable ? 0 : MS_RDONLY);
  for (int attempt = 0; attempt < 200; attempt++) {
    if (mount("tmpfs", setup->spool, "tmpfs", flags, "size=256m") == 0)
      return true;
    if (errno != EBUSY) /* a file open for writing: the daemon is between two letters soon */
      break;
    e2e_sleep_seconds(0.01);
  }
  tap_diagnostic("remount %s: %s", setup->spool, strerror(errno));
  return false;
}

static void command_output(const char *command, char *output, size_t size) {
  output[0] = '\0';
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return;
  size_t got = fread(output, 1, size - 1, pipe);
  output[got] = '\0';
  pclose(pipe);
}

static bool insert_overdue(const struct e2e_harness *harness, const char *code,
                           const char *agency) {
  return e2e_db_exec(harness,
                     "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
                     "so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) VALUES "
                     "('%s', '9.900001', '%s', 'Nguyễn Văn Thử', '066123456789', 'xã Hòa Phú', "
                     "'thử nghiệm', 'truc_tiep', now() - interval '30 days', 'dang_xu_ly')",
                     code, agency);
}

static bool row_text(const struct e2e_harness *harness, const char *sql, int column, char *out,
                     size_t size) {
  PGresult *result = PQexec(harness->db, sql);
  bool found = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 &&
               !PQgetisnull(result, 0, column);
  snprintf(out, size, "%s", found ? PQgetvalue(result, 0, column) : "");
  PQclear(result);
  return found;
}

static void test_one_letter(struct setup *setup, struct e2e_daemon *daemon) {
  struct e2e_harness *harness = &setup->harness;
  insert_overdue(harness, "E2E-L1", "DLK-TTPVHCC");
  tap_ok(
      e2e_db_wait_integer(harness, 1, 15,
                          "SELECT count(*) FROM dunghen.letter_log WHERE dossier_code = 'E2E-L1' "
                          "AND state = 'rendered'"),
      "the daemon renders the letter of an overdue dossier");
  char path[PATH_MAX] = "", sha256[128] = "", bytes[32] = "";
  const char *sql = "SELECT path, sha256, bytes FROM dunghen.letter_log "
                    "WHERE dossier_code = 'E2E-L1'";
  row_text(harness, sql, 0, path, sizeof path);
  row_text(harness, sql, 1, sha256, sizeof sha256);
  row_text(harness, sql, 2, bytes, sizeof bytes);
  char expected_directory[PATH_MAX + 64];
  snprintf(expected_directory, sizeof expected_directory, "%s/DLK-TTPVHCC/", setup->spool);
  tap_ok(strncmp(path, expected_directory, strlen(expected_directory)) == 0 &&
             strstr(path, "/0001_E2E-L1.pdf") != NULL,
         "recorded at SPOOL/AGENCY/YEAR/0001_CODE.pdf (%s)", path);
  struct stat file, year, agency;
  char year_directory[PATH_MAX];
  snprintf(year_directory, sizeof year_directory, "%s", path);
  *strrchr(year_directory, '/') = '\0';
  tap_ok(stat(path, &file) == 0 && (file.st_mode & 07777) == 0640, "the PDF exists, mode 0640");
  tap_ok(stat(year_directory, &year) == 0 && (year.st_mode & 07777) == 0750 &&
             stat(expected_directory, &agency) == 0 && (agency.st_mode & 07777) == 0750,
         "in directories of mode 0750");
  tap_ok(spool_check_file_matches(path, sha256, atoll(bytes)),
         "its sha256 and size match letter_log");
  char command[PATH_MAX + 64], output[65536];
  snprintf(command, sizeof command, "pdftotext '%s' - 2>/dev/null", path);
  command_output(command, output, sizeof output);
  tap_contains(output, "Kính gửi: Nguyễn Văn Thử", "pdftotext shows the applicant");
  tap_contains(output, "Số: 01/PXL-TTPVHCC", "and the number");
  snprintf(command, sizeof command, "qpdf --check '%s' >/dev/null 2>&1", path);
  tap_is_integer(system(command), 0, "qpdf --check passes");
  char body[65536];
  e2e_sleep_seconds(0.2);
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_contains(body, "dunghen_letters{state=\"rendered\"} 1\n", "metrics: one letter rendered");
  tap_contains(body, "dunghen_letters_rendered_total 1\n", "metrics: rendered by this process");
  tap_contains(body, "dunghen_letter_spool_blocked 0\n", "metrics: the spool accepts files");
}

static void test_refusing_spool(struct setup *setup, struct e2e_daemon *daemon) {
  struct e2e_harness *harness = &setup->harness;
  char agency_directory[PATH_MAX + 64];
  snprintf(agency_directory, sizeof agency_directory, "%s/DLK-TTPVHCC", setup->spool);
  if (!tap_ok(spool_writable(setup, agency_directory, false), "the spool made read-only (%s)",
              setup->private_mount ? "read-only tmpfs" : "chmod 0550"))
    return;
  insert_overdue(harness, "E2E-L2", "DLK-TTPVHCC");
  char body[65536];
  tap_ok(e2e_daemon_wait_health(daemon, 503, body, sizeof body, 15), "/healthz turns 503");
  tap_ok(strncmp(body, "spool: ", 7) == 0, "and says why, starting with `spool: ` (%.*s)",
         (int)strcspn(body, "\n"), body);
  tap_contains(body, "1 letter file(s) behind, kept in the database",
               "and that the letter is kept in the database");
  tap_ok(e2e_db_wait_integer(harness, 1, 15,
                             "SELECT count(*) FROM dunghen.letter_log l JOIN dunghen.letter_pdf p"
                             " ON p.letter_id = l.id AND p.version = l.version"
                             " AND p.sha256 = l.sha256 WHERE l.dossier_code = 'E2E-L2'"
                             " AND l.state = 'rendered'"),
         "the letter is rendered all the same, its bytes in the database");
  char path[PATH_MAX] = "", sha256[128] = "", bytes[32] = "";
  const char *sql = "SELECT path, sha256, bytes FROM dunghen.letter_log "
                    "WHERE dossier_code = 'E2E-L2'";
  row_text(harness, sql, 0, path, sizeof path);
  row_text(harness, sql, 1, sha256, sizeof sha256);
  row_text(harness, sql, 2, bytes, sizeof bytes);
  tap_ok(access(path, F_OK) != 0, "its file is not in the spool yet (%s)", path);
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_contains(body, "dunghen_letter_spool_blocked 1\n", "metrics: the spool is blocked");
  tap_contains(body, "dunghen_letters{state=\"blocked\"} 1\n", "metrics: one file behind");
  tap_contains(body, "dunghen_letters{state=\"pending\"} 0\n", "metrics: no letter pending");
  e2e_sleep_seconds(1.5); /* a few retries while it stays read-only */
  tap_ok(e2e_daemon_log_count(daemon, "file(s) behind, kept in the database; retrying in") >= 2,
         "the letter thread retries the spool with a backoff");
  tap_ok(spool_writable(setup, agency_directory, true), "the spool made writable again");
  tap_ok(e2e_daemon_wait_health(daemon, 200, body, sizeof body, 40), "/healthz is 200 again");
  tap_ok(spool_check_file_matches(path, sha256, atoll(bytes)),
         "the daemon wrote the file from the database, with the recorded sha256 and size");
  tap_is_string(body, "ok\n", "and says ok");
  tap_is_integer(e2e_db_integer(harness, "SELECT number FROM dunghen.letter_log "
                                         "WHERE dossier_code = 'E2E-L2'"),
                 2, "with the number taken when it was queued");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log "
                                         "WHERE agency_code = 'DLK-TTPVHCC'"),
                 2, "and no second number");
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_contains(body, "dunghen_letter_spool_blocked 0\n", "metrics: the spool unblocked");
}

/* `dunghen once` renders what its pass queued. */
static void test_once(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char config_path[PATH_MAX + 32], command[3 * PATH_MAX], output[4096];
  snprintf(config_path, sizeof config_path, "%s/once.yaml", harness->directory);
  FILE *file = fopen(config_path, "w");
  if (file != NULL) {
    fputs(setup->config, file);
    fclose(file);
  }
  insert_overdue(harness, "E2E-ONCE", "DLK-SNNMT");
  snprintf(command, sizeof command, "'%s' once --config '%s' --db '%s' --rules '%s' 2>&1",
           getenv("DUNGHEN_BINARY"), config_path, harness->conninfo, harness->rules);
  command_output(command, output, sizeof output);
  tap_contains(output, "1 letters queued", "dunghen once queues the letter");
  tap_contains(output, "letters: 1 rendered, 0 failed into ", "and renders it");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log WHERE "
                                         "dossier_code = 'E2E-ONCE' AND state = 'rendered' AND "
                                         "number = 1"),
                 1, "number 1 of its agency, recorded as rendered");
}

/* ---- the spool tree against letter_log ---- */

static void test_kill_during_burst(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, setup->config, NULL), "a daemon for the burst"))
    return;
  long long before = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log");
  e2e_db_exec(harness,
              "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh, "
              "dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) "
              "SELECT 'E2E-K' || lpad(g::text, 5, '0'), '9.900001', "
              "CASE WHEN g %% 3 = 0 THEN 'DLK-SNNMT' ELSE 'DLK-TTPVHCC' END, "
              "'Trần Thị Bão ' || g, '0661' || lpad(g::text, 8, '0'), 'xã Hòa Phú', 'thử nghiệm', "
              "'truc_tiep', now() - interval '30 days', 'dang_xu_ly' "
              "FROM generate_series(1, %d) AS g",
              BURST);
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT (count(*) FILTER (WHERE state = 'rendered') >= %lld + 100)::int "
           "FROM dunghen.letter_log",
           before);
  tap_ok(e2e_db_wait_integer(harness, 1, 30, sql), "the burst is being rendered");
  kill(daemon.pid, SIGKILL);
  tap_is_integer(e2e_daemon_stop(&daemon, SIGKILL, 10), 128 + SIGKILL, "SIGKILL in the middle");
  long long pending =
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log WHERE state = 'pending'");
  tap_ok(pending > 0, "letters were still pending when it died (%lld)", pending);
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log"), before + BURST,
                 "every letter of the burst was queued");
  struct e2e_daemon again;
  if (!tap_ok(e2e_daemon_start(&again, harness, setup->config, NULL), "the daemon restarts"))
    return;
  tap_ok(e2e_db_wait_integer(harness, 0, 60,
                             "SELECT count(*) FROM dunghen.letter_log WHERE state <> 'rendered'"),
         "after the restart every letter is rendered");
  tap_is_integer(e2e_daemon_stop(&again, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  spool_check(setup->harness.db, setup->spool, "after the kill");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM (SELECT agency_code, year FROM "
                                         "dunghen.letter_log GROUP BY agency_code, year HAVING "
                                         "min(number) <> 1 OR max(number) <> count(*) "
                                         "OR count(DISTINCT number) <> count(*)) AS broken"),
                 0, "numbers run 1..n per agency and year, without gaps or repeats");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(DISTINCT path) FROM dunghen.letter_log"),
                 before + BURST, "one file per letter");
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
  setup.private_mount = private_spool(setup.spool);
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  snprintf(setup.config, sizeof setup.config,
           "paths:\n  letters: %s/letters\n  spool: %s\nsync:\n  poll_interval: 3600\n",
           source != NULL ? source : ".", setup.spool);
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, setup.config, NULL), "the daemon starts")) {
    e2e_teardown(harness);
    return tap_finish();
  }
  tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "the daemon becomes ready");
  test_one_letter(&setup, &daemon);
  test_refusing_spool(&setup, &daemon);
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  test_once(&setup);
  test_kill_during_burst(&setup);
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  if (setup.private_mount)
    umount2(setup.spool, MNT_DETACH);
  e2e_teardown(harness);
  return result;
}
