/*
 * E-mail delivery end to end (issue #9): the daemon against the private PostgreSQL of
 * with-cluster, Debian's msmtp as its `sendmail` (-C RC -t -i) and a real SMTP server on
 * loopback (tests/mail/smtp_sink.py, aiosmtpd), which stores and decodes what arrives:
 *   - with mail off, the outbox takes no rows (dunghen.mail_switch);
 *   - an overdue dossier's escalations and letter reach the addresses of their roles
 *     (rules/agencies.yaml), one message per event and address, with the Vietnamese subject,
 *     sender name and body decoded exactly, lines within 78 characters, the letter's PDF
 *     attached byte for byte (from the database: the spool is deleted before one goes out);
 *     delivery_log, /metrics and /healthz agree; no address and no
 *     applicant name in the daemon's log;
 *   - a letter taken back signed (`letters take-signed`, signed by podofosign with a throw-away
 *     key) while its messages wait for a refusing server: they go out with the signed file
 *     attached (the sha256 of dunghen.letter_signed), not the issued one;
 *   - a server that refuses (451) and then accepts: retries, /healthz "ok; mail failing",
 *     then every message exactly once;
 *   - SIGKILL while the server refuses, and SIGKILL in the middle of a stream of sends, then a
 *     restart: every message arrives, under the same Message-ID, none twice (at most the one
 *     in flight at the kill, whose repeat carries the same Message-ID);
 *   - a digest role: one message listing the dossiers instead of one each;
 *   - a broken mail wording on SIGHUP is refused, located, and the daemon runs on;
 *   - the scheduled report (issue 17), with `reports: {enabled, period: month, roles:
 *     [provincial_office]}` and the daemon's clock moved: nothing on the Saturday after the
 *     month closed, then one dunghen.report_run on its first working day however many daemons
 *     run (two at once, then a restart), its PDF valid (qpdf) with the title and period
 *     (pdftotext), one outbox row, and one message to the provincial office (whose address two
 *     agencies give) with the PDF attached.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_support.h"
#include "spool_check.h"
#include "tap.h"

enum { MAX_MESSAGES = 2048 };

struct received {
  char message_id[256];
  char rcpt[256];
  char from[256];
  char subject[512];
  char attachment_sha256[80];
  char attachment_type[64];
  int max_line;
  char *body;
};

struct setup {
  struct e2e_harness harness;
  char spool[PATH_MAX + 16];
  char smtp[PATH_MAX + 16];
  char config[8192];
  pid_t sink;
  struct received *messages;
  size_t count;
};

/* ---- the SMTP server ---- */

static bool start_sink(struct setup *setup) {
  snprintf(setup->smtp, sizeof setup->smtp, "%s/smtp", setup->harness.directory);
  mkdir(setup->smtp, 0755);
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char script[PATH_MAX + 64];
  snprintf(script, sizeof script, "%s/tests/mail/smtp_sink.py", source != NULL ? source : ".");
  setup->sink = fork();
  if (setup->sink == 0) {
    execl("/usr/bin/python3", "/usr/bin/python3", script, setup->smtp, (char *)NULL);
    _exit(127);
  }
  char port_path[PATH_MAX + 32], port[32] = "";
  snprintf(port_path, sizeof port_path, "%s/port", setup->smtp);
  for (int i = 0; i < 200 && port[0] == '\0'; i++) {
    e2e_read_text_file(port_path, port, sizeof port);
    if (port[0] == '\0')
      e2e_sleep_seconds(0.05);
  }
  if (port[0] == '\0')
    return false;
  char rc_path[PATH_MAX + 32];
  snprintf(rc_path, sizeof rc_path, "%s/msmtprc", setup->smtp);
  FILE *rc = fopen(rc_path, "w");
  if (rc == NULL)
    return false;
  fprintf(rc,
          "defaults\nauth off\ntls off\naccount default\nhost 127.0.0.1\nport %d\n"
          "from dunghen@example.org\n",
          atoi(port));
  fclose(rc);
  chmod(rc_path, 0600);
  const char *source_root = source != NULL ? source : ".";
  snprintf(setup->config, sizeof setup->config,
           "paths:\n  letters: %s/letters\n  spool: %s\nsync:\n  poll_interval: 3600\n"
           "mail:\n  enabled: true\n  from: dunghen@example.org\n"
           "  from_name: Hệ thống Đúng hẹn\n  sendmail: /usr/bin/msmtp\n"
           "  arguments: [-C, %s, -t, -i]\n  timeout: 20\n  attempts: 100\n"
           "  retry_first: 1\n  retry_limit: 1\n",
           source_root, setup->spool, rc_path);
  return true;
}

static void refuse(const struct setup *setup, bool on) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/refuse", setup->smtp);
  if (on) {
    FILE *file = fopen(path, "w");
    if (file != NULL)
      fclose(file);
  } else {
    unlink(path);
  }
}

/* ---- what arrived ---- */

static void field(const char *text, const char *key, char *out, size_t size) {
  char needle[64];
  snprintf(needle, sizeof needle, "\n%s: ", key);
  out[0] = '\0';
  const char *at = strstr(text, needle);
  if (at == NULL && strncmp(text, needle + 1, strlen(needle) - 1) == 0)
    at = text - 1;
  if (at == NULL)
    return;
  at += strlen(needle);
  size_t length = strcspn(at, "\n");
  snprintf(out, size, "%.*s", (int)length, at);
}

static int compare_names(const void *left, const void *right) {
  return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Reads every N.txt the server wrote (in arrival order) into setup->messages. */
static void read_messages(struct setup *setup) {
  for (size_t i = 0; i < setup->count; i++)
    free(setup->messages[i].body);
  setup->count = 0;
  char directory[PATH_MAX + 32];
  snprintf(directory, sizeof directory, "%s/messages", setup->smtp);
  DIR *listing = opendir(directory);
  if (listing == NULL)
    return;
  char *names[MAX_MESSAGES];
  size_t count = 0;
  struct dirent *entry;
  while ((entry = readdir(listing)) != NULL && count < MAX_MESSAGES) {
    size_t length = strlen(entry->d_name);
    if (length > 4 && strcmp(entry->d_name + length - 4, ".txt") == 0)
      names[count++] = strdup(entry->d_name);
  }
  closedir(listing);
  qsort(names, count, sizeof *names, compare_names);
  static char text[1 << 20];
  for (size_t i = 0; i < count; i++) {
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", directory, names[i]);
    e2e_read_text_file(path, text, sizeof text);
    struct received *message = &setup->messages[setup->count++];
    memset(message, 0, sizeof *message);
    field(text, "message-id", message->message_id, sizeof message->message_id);
    field(text, "rcpt", message->rcpt, sizeof message->rcpt);
    field(text, "from", message->from, sizeof message->from);
    field(text, "subject", message->subject, sizeof message->subject);
    field(text, "attachment-sha256", message->attachment_sha256, sizeof message->attachment_sha256);
    field(text, "attachment-type", message->attachment_type, sizeof message->attachment_type);
    char number[32];
    field(text, "max-line", number, sizeof number);
    message->max_line = atoi(number);
    const char *body = strstr(text, "\nbody:\n");
    message->body = strdup(body != NULL ? body + 7 : "");
    free(names[i]);
  }
}

static int arrived(const struct setup *setup, const char *message_id) {
  int count = 0;
  char bracketed[300];
  snprintf(bracketed, sizeof bracketed, "<%s>", message_id);
  for (size_t i = 0; i < setup->count; i++)
    count += strcmp(setup->messages[i].message_id, bracketed) == 0;
  return count;
}

static const struct received *find(const struct setup *setup, const char *message_id) {
  char bracketed[300];
  snprintf(bracketed, sizeof bracketed, "<%s>", message_id);
  for (size_t i = 0; i < setup->count; i++)
    if (strcmp(setup->messages[i].message_id, bracketed) == 0)
      return &setup->messages[i];
  return NULL;
}

/* Every delivery of `where` (an SQL condition on d) arrived: counts of missing and doubled. */
static void count_arrivals(struct setup *setup, const char *where, int *rows, int *missing,
                           int *doubled) {
  read_messages(setup);
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT message_id FROM dunghen.delivery_log d WHERE state = 'sent' AND %s", where);
  PGresult *result = PQexec(setup->harness.db, sql);
  *rows = PQntuples(result);
  *missing = *doubled = 0;
  for (int row = 0; row < *rows; row++) {
    int count = arrived(setup, PQgetvalue(result, row, 0));
    *missing += count == 0;
    *doubled += count > 1;
    if (count != 1)
      tap_diagnostic("%s arrived %d times", PQgetvalue(result, row, 0), count);
  }
  PQclear(result);
}

/* `expected` deliveries matched `where`, each arrived exactly once (by Message-ID). */
static void check_exactly_once(struct setup *setup, const char *where, int expected,
                               const char *label) {
  int rows, missing, doubled;
  count_arrivals(setup, where, &rows, &missing, &doubled);
  tap_ok(rows == expected && missing == 0 && doubled == 0,
         "%s: each exactly once, by Message-ID (%d rows, %d missing, %d twice)", label, rows,
         missing, doubled);
}

static bool insert_overdue(const struct e2e_harness *harness, const char *codes_sql,
                           const char *agency) {
  return e2e_db_exec(harness,
                     "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
                     "so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai, "
                     "ly_do_tre_han) SELECT code, '9.900001', '%s', 'Nguyễn Văn Thử', "
                     "'066123456789', 'xã Hòa Phú', 'thử nghiệm', 'truc_tiep', "
                     "now() - interval '30 days', 'dang_xu_ly', 'Chờ kết quả xác minh' "
                     "FROM unnest(%s) AS code",
                     agency, codes_sql);
}

/* Waits until the dossiers of `like` have `expected` deliveries, all sent. */
static bool wait_sent(const struct e2e_harness *harness, const char *like, int expected,
                      double timeout) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FILTER (WHERE state = 'sent') * 1000 + count(*) "
           "FROM dunghen.delivery_log WHERE dossier_code LIKE '%s'",
           like);
  return e2e_db_wait_integer(harness, (long long)expected * 1001, timeout, sql);
}

static bool row_text(const struct e2e_harness *harness, const char *sql, char *out, size_t size) {
  PGresult *result = PQexec(harness->db, sql);
  bool found = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) >= 1 &&
               !PQgetisnull(result, 0, 0);
  snprintf(out, size, "%s", found ? PQgetvalue(result, 0, 0) : "");
  PQclear(result);
  return found;
}

/* The addresses (sorted, comma-joined) that `level` of `code` was delivered to. */
static void addresses_of(const struct e2e_harness *harness, const char *code, const char *level,
                         char *out, size_t size) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT string_agg(address, ',' ORDER BY address) FROM dunghen.delivery_log "
           "WHERE dossier_code = '%s' AND level = '%s'",
           code, level);
  row_text(harness, sql, out, size);
}

/* ---- the tests ---- */

static void test_mail_off(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  struct e2e_daemon daemon;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char config[2048];
  snprintf(config, sizeof config,
           "paths:\n  letters: %s/letters\n  spool: %s\nsync:\n  poll_interval: 3600\n",
           source != NULL ? source : ".", setup->spool);
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "a daemon with mail off starts"))
    return;
  insert_overdue(harness, "ARRAY['E2E-OFF']", "DLK-TTPVHCC");
  tap_ok(
      e2e_db_wait_integer(harness, 1, 20,
                          "SELECT count(*) FROM dunghen.letter_log WHERE dossier_code = 'E2E-OFF' "
                          "AND state = 'rendered'"),
      "mail off: the overdue dossier still gets its escalations and letter");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.outbox"), 0,
                 "mail off: the outbox takes no rows");
  tap_is_integer(e2e_db_integer(harness, "SELECT enabled::int FROM dunghen.mail_switch"), 0,
                 "mail off: dunghen.mail_switch says so");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
}

static void check_recipients(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char got[1024];
  addresses_of(harness, "E2E-M1", "apology", got, sizeof got);
  tap_is_string(got,
                "giamdoc@ttpvhcc.example.org,motcua@ttpvhcc.example.org,"
                "tiepnhan@ttpvhcc.example.org,xuly@ttpvhcc.example.org",
                "the letter goes to signer, handling agency (two addresses) and one-stop unit");
  addresses_of(harness, "E2E-M1", "overdue", got, sizeof got);
  tap_is_string(got, "giamdoc@ttpvhcc.example.org", "overdue goes to the agency head");
  addresses_of(harness, "E2E-M1", "long_overdue", got, sizeof got);
  tap_is_string(got, "kiemsoattthc@vpubnd.example.org",
                "long overdue goes to the provincial office");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.delivery_log WHERE "
                                         "dossier_code = 'E2E-M1' AND role = 'signer' AND "
                                         "level = 'apology'"),
                 1, "an address in two roles of one event gets one message (the first role)");
}

static void check_contents(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char message_id[256], sha256[80];
  row_text(harness,
           "SELECT message_id FROM dunghen.delivery_log WHERE dossier_code = 'E2E-M1' "
           "AND level = 'overdue'",
           message_id, sizeof message_id);
  const struct received *overdue = find(setup, message_id);
  if (!tap_ok(overdue != NULL, "the overdue message arrived (%s)", message_id))
    return;
  tap_is_string(overdue->rcpt, "giamdoc@ttpvhcc.example.org", "to the agency head");
  tap_is_string(overdue->subject, "[Đúng hẹn] Hồ sơ quá hạn: hồ sơ E2E-M1",
                "the Vietnamese subject decodes exactly");
  tap_is_string(overdue->from, "Hệ thống Đúng hẹn <dunghen@example.org>", "and the sender's name");
  tap_contains(overdue->body, "Kính gửi: Thủ trưởng cơ quan, đơn vị,", "the body greets the role");
  tap_contains(overdue->body,
               "Hồ sơ E2E-M1 (thủ tục: Thủ tục thử nghiệm nhanh) của Nguyễn "
               "Văn Thử, tiếp nhận lúc",
               "and names the dossier, procedure and applicant");
  tap_contains(overdue->body, "Việc cần làm: Chỉ đạo giải quyết ngay hồ sơ đã quá hạn",
               "and says what to do");
  row_text(harness,
           "SELECT message_id FROM dunghen.delivery_log WHERE dossier_code = 'E2E-M1' "
           "AND level = 'apology' AND address = 'motcua@ttpvhcc.example.org'",
           message_id, sizeof message_id);
  row_text(harness, "SELECT sha256 FROM dunghen.letter_log WHERE dossier_code = 'E2E-M1'", sha256,
           sizeof sha256);
  const struct received *letter = find(setup, message_id);
  if (!tap_ok(letter != NULL, "the letter's message arrived"))
    return;
  tap_is_string(letter->subject, "[Đúng hẹn] Phiếu xin lỗi số 02/PXL-TTPVHCC: hồ sơ E2E-M1",
                "its subject names the letter's number (01 went to E2E-OFF)");
  tap_is_string(letter->attachment_type, "application/pdf", "it carries a PDF");
  tap_is_string(letter->attachment_sha256, sha256,
                "byte-identical to the spooled letter (sha256 of letter_log)");
  char path[PATH_MAX], bytes[32];
  row_text(harness, "SELECT path FROM dunghen.letter_log WHERE dossier_code = 'E2E-M1'", path,
           sizeof path);
  row_text(harness, "SELECT bytes FROM dunghen.letter_log WHERE dossier_code = 'E2E-M1'", bytes,
           sizeof bytes);
  tap_ok(spool_check_file_matches(path, letter->attachment_sha256, atoll(bytes)),
         "and to the file in the spool");
  tap_contains(letter->body, "Lý do: Chờ kết quả xác minh", "the body gives the delay reason");
  int longest = 0;
  for (size_t i = 0; i < setup->count; i++)
    longest = setup->messages[i].max_line > longest ? setup->messages[i].max_line : longest;
  tap_ok(longest > 0 && longest <= 78, "no line of any message passes 78 characters (%d)", longest);
}

static void test_delivery(struct setup *setup, struct e2e_daemon *daemon) {
  struct e2e_harness *harness = &setup->harness;
  insert_overdue(harness, "ARRAY['E2E-M1']", "DLK-TTPVHCC");
  tap_ok(wait_sent(harness, "E2E-M1", 6, 30),
         "six deliveries for the overdue dossier, all sent (letter x4, overdue, long overdue)");
  check_exactly_once(setup, "dossier_code = 'E2E-M1'", 6, "the overdue dossier's messages");
  check_recipients(setup);
  check_contents(setup);
  char body[65536];
  e2e_sleep_seconds(0.3);
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_contains(body, "dunghen_mail_sent_total 6\n", "metrics: six sent by this process");
  tap_contains(body, "dunghen_mail_deliveries{state=\"sent\"} 6\n", "metrics: six in the log");
  tap_contains(body, "dunghen_mail_failing 0\n", "metrics: not failing");
  e2e_http_get(daemon->port, "/healthz", body, sizeof body);
  tap_is_string(body, "ok\n", "/healthz: ok");
}

/* The apology message of `code` to the one-stop unit, version `version` of the letter. */
static const struct received *apology_message(struct setup *setup, const char *code, int nth) {
  char sql[512], message_id[256];
  snprintf(sql, sizeof sql,
           "SELECT message_id FROM dunghen.delivery_log WHERE dossier_code = '%s' AND "
           "level = 'apology' AND address = 'motcua@ttpvhcc.example.org' ORDER BY id "
           "OFFSET %d LIMIT 1",
           code, nth);
  row_text(&setup->harness, sql, message_id, sizeof message_id);
  read_messages(setup);
  return find(setup, message_id);
}

/* No reason: the signer is told; the reason arrives: the re-draft is mailed, with its PDF. */
static void test_reason_missing(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  insert_overdue(harness, "ARRAY['E2E-N1']", "DLK-TTPVHCC");
  e2e_db_exec(harness, "UPDATE onestop.ho_so SET ly_do_tre_han = NULL WHERE ma_ho_so = 'E2E-N1'");
  tap_ok(wait_sent(harness, "E2E-N1", 6, 30), "a dossier without a reason: its six messages");
  const struct received *first = apology_message(setup, "E2E-N1", 0);
  if (tap_ok(first != NULL, "its letter's message arrived"))
    tap_contains(first->body,
                 "Lý do: chưa được ghi nhận. Phiếu xin lỗi để trống dòng lý do: người ký cần "
                 "ghi rõ lý do chậm trễ",
                 "the message tells the signer that the reason is missing");
  e2e_db_exec(harness, "UPDATE onestop.ho_so SET ly_do_tre_han = 'Chờ ý kiến của Sở Xây dựng' "
                       "WHERE ma_ho_so = 'E2E-N1'");
  tap_ok(wait_sent(harness, "E2E-N1", 10, 30),
         "the reason arrives: the re-draft goes to the letter's four recipients");
  const struct received *second = apology_message(setup, "E2E-N1", 1);
  char sha256[80];
  row_text(harness, "SELECT sha256 FROM dunghen.letter_log WHERE dossier_code = 'E2E-N1'", sha256,
           sizeof sha256);
  if (tap_ok(second != NULL, "the re-draft's message arrived")) {
    tap_contains(second->body, "Lý do: Chờ ý kiến của Sở Xây dựng", "with the reason");
    tap_is_string(second->attachment_sha256, sha256, "and the new draft attached");
    tap_ok(first == NULL || strcmp(first->attachment_sha256, sha256) != 0, "not the first draft");
  }
}

/* A letter signed while its messages wait: they attach the signed file (issue 20). */
static void test_signed_letter(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  refuse(setup, true);
  insert_overdue(harness, "ARRAY['E2E-S1']", "DLK-SNNMT");
  tap_ok(e2e_db_wait_integer(harness, 1, 30,
                             "SELECT (count(*) = 3 AND min(attempts) >= 1)::int FROM "
                             "dunghen.delivery_log WHERE dossier_code = 'E2E-S1'"
                             " AND level = 'apology'"),
         "signed letter: its three letter messages wait for the refusing server");
  const char *d = harness->directory;
  char command[8 * PATH_MAX];
  snprintf(command, sizeof command,
           "cd '%s' && printf 'log:\n  level: info\n' > signing.yaml &&"
           " openssl req -x509 -newkey rsa:2048 -nodes -keyout signer.key -out signer.pem"
           " -days 30 -subj '/CN=Nguyen Van Ky/O=SNNMT' >/dev/null 2>&1 &&"
           " '%s' letters get --code E2E-S1 --out issued.pdf --db '%s' >/dev/null &&"
           " podofosign -in issued.pdf -out signed.pdf -cert signer.pem -pkey signer.key"
           " -digest sha256 -field-name head_signature -field-use-existing >/dev/null 2>&1 &&"
           " '%s' letters take-signed --code E2E-S1 --in signed.pdf --config signing.yaml"
           " --db '%s' >/dev/null",
           d, getenv("DUNGHEN_BINARY"), harness->conninfo, getenv("DUNGHEN_BINARY"),
           harness->conninfo);
  tap_is_integer(system(command), 0, "signed letter: signed with podofosign and taken back");
  char signed_sha256[80], issued_sha256[80];
  row_text(harness,
           "SELECT s.sha256 FROM dunghen.letter_signed s JOIN dunghen.letter_log l"
           " ON l.id = s.letter_id WHERE l.dossier_code = 'E2E-S1' AND l.state = 'signed'",
           signed_sha256, sizeof signed_sha256);
  row_text(harness, "SELECT sha256 FROM dunghen.letter_log WHERE dossier_code = 'E2E-S1'",
           issued_sha256, sizeof issued_sha256);
  /* A message built before the commit may still be on its way to the (refusing) server: let
   * every delivery fail once more after that attempt, so the next one is built afterwards. */
  long long attempts = e2e_db_integer(harness, "SELECT max(attempts) FROM dunghen.delivery_log"
                                               " WHERE dossier_code = 'E2E-S1'");
  char retried[256];
  snprintf(retried, sizeof retried,
           "SELECT (min(attempts) >= %lld)::int FROM dunghen.delivery_log"
           " WHERE dossier_code = 'E2E-S1'",
           attempts + 2);
  tap_ok(e2e_db_wait_integer(harness, 1, 30, retried),
         "signed letter: every delivery was tried again after the take-back");
  refuse(setup, false);
  tap_ok(wait_sent(harness, "E2E-S1", 5, 30), "signed letter: the server accepts, all five sent");
  read_messages(setup);
  int attached = 0;
  for (int nth = 0; nth < 3; nth++) {
    char sql[512], message_id[256];
    snprintf(sql, sizeof sql,
             "SELECT message_id FROM dunghen.delivery_log WHERE dossier_code = 'E2E-S1'"
             " AND level = 'apology' ORDER BY id OFFSET %d LIMIT 1",
             nth);
    row_text(harness, sql, message_id, sizeof message_id);
    const struct received *message = find(setup, message_id);
    attached += message != NULL && signed_sha256[0] != '\0' &&
                strcmp(message->attachment_sha256, signed_sha256) == 0 &&
                strcmp(message->attachment_sha256, issued_sha256) != 0;
  }
  tap_is_integer(attached, 3, "signed letter: each message attaches the signed file (%s)",
                 signed_sha256);
}

static void test_refusing_server(struct setup *setup, struct e2e_daemon *daemon) {
  struct e2e_harness *harness = &setup->harness;
  refuse(setup, true);
  insert_overdue(harness, "ARRAY['E2E-R1']", "DLK-SNNMT");
  tap_ok(e2e_db_wait_integer(harness, 1, 30,
                             "SELECT (count(*) = 5 AND min(attempts) >= 2)::int FROM "
                             "dunghen.delivery_log WHERE dossier_code = 'E2E-R1'"),
         "a refusing server: every delivery is tried again (attempts >= 2)");
  char body[65536], error[1024];
  bool healthy = e2e_daemon_wait_health(daemon, 200, body, sizeof body, 5);
  tap_ok(healthy && strncmp(body, "ok; mail failing: ", 18) == 0,
         "/healthz stays 200 and says mail is failing (%.*s)", (int)strcspn(body, "\n"), body);
  tap_ok(strchr(body, '@') == NULL, "without an address");
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_contains(body, "dunghen_mail_failing 1\n", "metrics: failing");
  tap_ok(strstr(body, "dunghen_mail_attempt_failures_total 0\n") == NULL,
         "metrics: failed attempts counted");
  row_text(harness,
           "SELECT last_error FROM dunghen.delivery_log WHERE dossier_code = 'E2E-R1' "
           "AND state = 'pending' LIMIT 1",
           error, sizeof error);
  tap_contains(error, "451", "delivery_log.last_error keeps the server's answer (%s)", error);
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.delivery_log "
                                         "WHERE dossier_code = 'E2E-R1' AND state = 'sent'"),
                 0, "nothing marked sent meanwhile");
  /* The database is the letters' record: the mail attaches the PDF from there, so it goes out
   * whole with the spool gone. */
  char command[PATH_MAX + 32];
  snprintf(command, sizeof command, "rm -rf '%s'", setup->spool);
  tap_is_integer(system(command), 0, "the spool is deleted before the letter goes out");
  refuse(setup, false);
  tap_ok(wait_sent(harness, "E2E-R1", 5, 30),
         "the server accepts again: all five sent (DLK-SNNMT: letter x3, overdue, long overdue)");
  char message_id[256], sha256[80];
  row_text(harness,
           "SELECT message_id FROM dunghen.delivery_log WHERE dossier_code = 'E2E-R1' "
           "AND level = 'apology' ORDER BY id LIMIT 1",
           message_id, sizeof message_id);
  row_text(harness, "SELECT sha256 FROM dunghen.letter_log WHERE dossier_code = 'E2E-R1'", sha256,
           sizeof sha256);
  read_messages(setup);
  const struct received *letter = find(setup, message_id);
  tap_ok(letter != NULL && strcmp(letter->attachment_sha256, sha256) == 0,
         "the letter is attached from the database, byte-identical (sha256 of letter_log)");
  check_exactly_once(setup, "dossier_code = 'E2E-R1'", 5, "refused, then accepted");
  tap_ok(e2e_daemon_wait_health(daemon, 200, body, sizeof body, 5) && strcmp(body, "ok\n") == 0,
         "/healthz: ok again");
}

/* True while a sendmail the test's daemon started (msmtp with the test's rc file) still runs.
 * A daemon killed with SIGKILL leaves its msmtp behind (systemd would kill the whole unit); an
 * orphan still talking to the sink would deliver its message once the sink accepts again, and
 * the restarted daemon would send it a second time. */
static bool sendmail_running(const struct setup *setup) {
  char rc_path[PATH_MAX + 32];
  snprintf(rc_path, sizeof rc_path, "%s/msmtprc", setup->smtp);
  DIR *processes = opendir("/proc");
  if (processes == NULL)
    return false;
  bool found = false;
  struct dirent *entry;
  while (!found && (entry = readdir(processes)) != NULL) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
      continue;
    char path[300], command[4096];
    snprintf(path, sizeof path, "/proc/%s/cmdline", entry->d_name);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
      continue;
    size_t length = fread(command, 1, sizeof command - 1, file);
    fclose(file);
    for (size_t i = 0; i < length; i++)
      command[i] = command[i] == '\0' ? ' ' : command[i];
    command[length] = '\0';
    found = strstr(command, "msmtp") != NULL && strstr(command, rc_path) != NULL;
  }
  closedir(processes);
  return found;
}

static void test_kill_while_refused(struct setup *setup, struct e2e_daemon *daemon) {
  struct e2e_harness *harness = &setup->harness;
  refuse(setup, true);
  insert_overdue(harness, "ARRAY['E2E-KR1','E2E-KR2','E2E-KR3']", "DLK-TTPVHCC");
  tap_ok(e2e_db_wait_integer(harness, 1, 30,
                             "SELECT (count(*) = 18 AND min(attempts) >= 1)::int FROM "
                             "dunghen.delivery_log WHERE dossier_code LIKE 'E2E-KR%'"),
         "three more overdue dossiers: 18 deliveries tried while the server refuses");
  kill(daemon->pid, SIGKILL);
  tap_is_integer(e2e_daemon_stop(daemon, SIGKILL, 10), 128 + SIGKILL, "SIGKILL");
  double until = e2e_monotonic_now() + 30;
  while (sendmail_running(setup) && e2e_monotonic_now() < until)
    e2e_sleep_seconds(0.05);
  tap_ok(!sendmail_running(setup), "the killed daemon's sendmail has finished (refused)");
  refuse(setup, false);
  if (!tap_ok(e2e_daemon_start(daemon, harness, setup->config, NULL), "the daemon restarts"))
    return;
  tap_ok(wait_sent(harness, "E2E-KR%", 18, 40), "after the restart all 18 are sent");
  check_exactly_once(setup, "dossier_code LIKE 'E2E-KR%'", 18, "killed while refused");
}

static void test_kill_while_sending(struct setup *setup, struct e2e_daemon *daemon) {
  struct e2e_harness *harness = &setup->harness;
  read_messages(setup);
  size_t before = setup->count;
  insert_overdue(harness,
                 "ARRAY(SELECT 'E2E-KS' || lpad(g::text, 2, '0') FROM generate_series(1, 15) g)",
                 "DLK-TTPVHCC");
  double until = e2e_monotonic_now() + 60;
  while (e2e_monotonic_now() < until) {
    read_messages(setup);
    if (setup->count >= before + 20)
      break;
    e2e_sleep_seconds(0.02);
  }
  tap_ok(setup->count >= before + 20, "a stream of 90 messages is on its way (%zu arrived)",
         setup->count - before);
  kill(daemon->pid, SIGKILL);
  tap_is_integer(e2e_daemon_stop(daemon, SIGKILL, 10), 128 + SIGKILL, "SIGKILL in the middle");
  long long unsent = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.delivery_log "
                                             "WHERE state <> 'sent'");
  long long outbox = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.outbox o WHERE "
                                             "expanded_at IS NULL");
  tap_ok(unsent + outbox > 0, "work was left when it died (%lld deliveries, %lld outbox rows)",
         unsent, outbox);
  if (!tap_ok(e2e_daemon_start(daemon, harness, setup->config, NULL), "the daemon restarts"))
    return;
  tap_ok(wait_sent(harness, "E2E-KS%", 90, 60), "after the restart all 90 are sent");
  int rows, missing, doubled;
  count_arrivals(setup, "dossier_code LIKE 'E2E-KS%'", &rows, &missing, &doubled);
  tap_ok(rows == 90 && missing == 0, "none lost (%d rows, %d missing)", rows, missing);
  tap_ok(doubled <= 1,
         "none twice but at most the one in flight at the kill, under its same Message-ID (%d)",
         doubled);
}

static void test_digest(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char config[8192];
  snprintf(config, sizeof config,
           "%s  digest_roles: [provincial_office]\n  digest_levels: [long_overdue]\n"
           "  digest_period: 2\n",
           setup->config);
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "a daemon with a digest role"))
    return;
  insert_overdue(harness, "ARRAY['E2E-D1','E2E-D2','E2E-D3']", "DLK-TTPVHCC");
  tap_ok(e2e_db_wait_integer(harness, 1, 30,
                             "SELECT count(*) FROM dunghen.delivery_log WHERE kind = 'digest' "
                             "AND state = 'sent'"),
         "one digest is sent");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.delivery_log WHERE "
                                         "dossier_code LIKE 'E2E-D%%' AND level = 'long_overdue' "
                                         "AND state = 'digested'"),
                 3, "the three long-overdue items went into it");
  char message_id[256];
  row_text(harness, "SELECT message_id FROM dunghen.delivery_log WHERE kind = 'digest'", message_id,
           sizeof message_id);
  read_messages(setup);
  const struct received *digest = find(setup, message_id);
  if (tap_ok(digest != NULL, "the digest arrived once (%d)", arrived(setup, message_id))) {
    tap_is_string(digest->rcpt, "kiemsoattthc@vpubnd.example.org", "to the provincial office");
    tap_is_string(digest->subject, "[Đúng hẹn] 3 hồ sơ: quá hạn nhiều ngày",
                  "its subject counts the dossiers");
    tap_ok(strstr(digest->body, "- E2E-D1: Thủ tục thử nghiệm nhanh") != NULL &&
               strstr(digest->body, "- E2E-D2: ") != NULL &&
               strstr(digest->body, "- E2E-D3: ") != NULL,
           "its body lists the three dossiers");
    tap_ok(strstr(digest->body, "Nguyễn Văn Thử") == NULL, "without the applicants' names");
  }
  tap_ok(e2e_db_wait_integer(harness, 15, 30,
                             "SELECT count(*) FROM dunghen.delivery_log WHERE "
                             "dossier_code LIKE 'E2E-D%' AND state = 'sent'"),
         "the others go one by one (letter x4 and overdue for each of the three)");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
}

/* The mail wording is checked on SIGHUP like the letter templates: a broken file is refused,
 * located, and the old wording stays. */
static void test_reload(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char letters[PATH_MAX + 32], command[4 * PATH_MAX], config[8192];
  snprintf(letters, sizeof letters, "%s/letters", harness->directory);
  snprintf(command, sizeof command, "cp -r '%s/letters' '%s'", source != NULL ? source : ".",
           letters);
  if (!tap_ok(system(command) == 0, "a letters directory of our own"))
    return;
  const char *after = strstr(setup->config, "\n  spool: ");
  snprintf(config, sizeof config, "paths:\n  letters: %s%s", letters, after != NULL ? after : "");
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "a daemon on that directory"))
    return;
  tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "it becomes ready");
  snprintf(command, sizeof command,
           "sed -i 's/{dossier_code}\"$/{dossier_cod}\"/' '%s/mail-escalation.yaml'", letters);
  tap_ok(system(command) == 0, "a placeholder of mail-escalation.yaml misspelt");
  kill(daemon.pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(&daemon, "reload failed", 1, 10), "SIGHUP: the reload is refused");
  char line[4096] = "", expected[PATH_MAX + 128];
  e2e_daemon_log_line(&daemon, "reload failed", line, sizeof line);
  snprintf(expected, sizeof expected,
           "%s/mail-escalation.yaml:15:43: unknown placeholder {dossier_cod} (did you mean "
           "{dossier_code}?)",
           letters);
  tap_contains(line, expected, "and says where");
  char body[4096];
  tap_ok(e2e_http_get(daemon.port, "/healthz", body, sizeof body) == 200,
         "the daemon runs on with the old wording");
  snprintf(command, sizeof command,
           "sed -i 's/{dossier_cod}\"$/{dossier_code}\"/' '%s/mail-escalation.yaml'", letters);
  tap_ok(system(command) == 0, "the file mended");
  kill(daemon.pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(&daemon, "reload: config and rules from", 1, 10),
         "SIGHUP: the reload is taken");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
}

/* ---- the scheduled report ---- */

static const char report_section[] =
    "reports:\n  enabled: true\n  period: month\n  roles: [provincial_office]\n";

static bool start_at(struct setup *setup, struct e2e_daemon *daemon, char *now_variable) {
  char config[8192];
  snprintf(config, sizeof config, "%s%s", setup->config, report_section);
  char *environment[] = {now_variable, NULL};
  return e2e_daemon_start(daemon, &setup->harness, config, environment);
}

/* The messages whose subject is the report's, and the last of them. */
static int report_arrivals(struct setup *setup, const struct received **last) {
  read_messages(setup);
  int count = 0;
  *last = NULL;
  for (size_t i = 0; i < setup->count; i++)
    if (strncmp(setup->messages[i].subject, "Báo cáo tiến độ", strlen("Báo cáo tiến độ")) == 0) {
      count++;
      *last = &setup->messages[i];
    }
  return count;
}

/* The stored PDF into `path`: false when there is none. */
static bool save_report_pdf(const struct e2e_harness *harness, const char *path) {
  PGresult *result =
      PQexecParams(harness->db, "SELECT pdf FROM dunghen.report_run", 0, NULL, NULL, NULL, NULL, 1);
  bool saved = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1;
  FILE *file = saved ? fopen(path, "wb") : NULL;
  saved = file != NULL && fwrite(PQgetvalue(result, 0, 0), 1, (size_t)PQgetlength(result, 0, 0),
                                 file) == (size_t)PQgetlength(result, 0, 0);
  if (file != NULL)
    saved = fclose(file) == 0 && saved;
  PQclear(result);
  return saved;
}

static void check_report_pdf(struct setup *setup) {
  char path[PATH_MAX + 32], command[2 * PATH_MAX], output[65536] = "";
  snprintf(path, sizeof path, "%s/report.pdf", setup->harness.directory);
  if (!tap_ok(save_report_pdf(&setup->harness, path), "the stored PDF"))
    return;
  snprintf(command, sizeof command, "qpdf --check '%s' >/dev/null 2>&1", path);
  tap_is_integer(system(command), 0, "passes qpdf --check");
  snprintf(command, sizeof command, "pdftotext '%s' - 2>/dev/null", path);
  FILE *pipe = popen(command, "r");
  if (pipe != NULL) {
    size_t length = fread(output, 1, sizeof output - 1, pipe);
    output[length] = '\0';
    pclose(pipe);
  }
  tap_contains(output, "BÁO CÁO TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
               "pdftotext shows the title");
  tap_contains(output, "từ ngày 01/12/2026 đến ngày 31/12/2026", "and the month");
  tap_contains(output, "Số: 01/BC-TTPVHCC", "and its number, the issuer's first of 2027");
}

static void check_report_message(struct setup *setup) {
  const struct received *message = NULL;
  tap_ok(e2e_db_wait_integer(&setup->harness, 1, 30,
                             "SELECT count(*) FROM dunghen.delivery_log WHERE kind = 'report' "
                             "AND state = 'sent'"),
         "the report's one delivery is sent");
  tap_is_integer(report_arrivals(setup, &message), 1, "one message arrived");
  if (message == NULL)
    return;
  tap_is_string(message->rcpt, "kiemsoattthc@vpubnd.example.org",
                "to the provincial office's address (given by two agencies, mailed once)");
  tap_is_string(message->subject, "Báo cáo tiến độ giải quyết hồ sơ TTHC tháng 12/2026",
                "its subject names the month");
  char sha256[80] = "";
  row_text(&setup->harness, "SELECT sha256 FROM dunghen.report_run", sha256, sizeof sha256);
  tap_is_string(message->attachment_sha256, sha256, "the stored PDF is attached, byte for byte");
  tap_is_string(message->attachment_type, "application/pdf", "as a PDF");
  tap_contains(message->body, "báo cáo số 01/BC-TTPVHCC", "the body names the report");
  tap_contains(message->body, "tỷ lệ đúng hạn", "and gives the on-time share");
  tap_ok(message->max_line <= 78, "lines within 78 characters (%d)", message->max_line);
}

static int report_rows(const struct setup *setup) {
  return (int)e2e_db_integer(&setup->harness, "SELECT count(*) FROM dunghen.report_run");
}

/* An issuer agencies.yaml does not list stops the start, located in the config; a reload
 * takes the section like the rest of the config. */
static void test_report_config(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char config[8192], errors[4096], notifications[1024], expected[PATH_MAX + 256];
  snprintf(config, sizeof config, "%s%s  issuer: DLK-NOWHERE\n", setup->config, report_section);
  tap_is_integer(e2e_daemon_run_refused(harness, "bad-issuer", config, errors, sizeof errors,
                                        notifications, sizeof notifications),
                 2, "an unknown issuer: the daemon refuses to start (exit status 2)");
  int line = 1;
  for (const char *at = config; *at != '\0'; at++)
    line += *at == '\n';
  snprintf(expected, sizeof expected,
           "%s/bad-issuer.yaml:%d:11: reports.issuer: no agency 'DLK-NOWHERE' in %s/agencies.yaml",
           harness->directory, line - 1, harness->rules);
  tap_contains(errors, expected, "and says where and why");
  static char saturday[] = "DUNGHEN_NOW=2027-01-02T10:00";
  char *environment[] = {saturday, NULL};
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, setup->config, environment),
              "a daemon without reports"))
    return;
  char body[65536];
  e2e_daemon_wait_health(&daemon, 200, body, sizeof body, 20);
  e2e_http_get(daemon.port, "/metrics", body, sizeof body);
  tap_contains(body, "dunghen_reports_enabled 0\n", "/metrics: reports off");
  snprintf(config, sizeof config, "http:\n  address: 127.0.0.1\n  port: %d\n%s%s", daemon.port,
           setup->config, report_section);
  FILE *file = fopen(daemon.config_path, "w");
  if (file != NULL) {
    fputs(config, file);
    fclose(file);
  }
  kill(daemon.pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(&daemon, "report: next one due at 2027-01-04T07:00:00+07:00", 1, 20),
         "SIGHUP with reports on: the report thread waits for Monday 4/1/2027");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
}

static void test_report_schedule(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  test_report_config(setup);
  /* December 2026 closes on Thursday 31/12; 1/1/2027 is a holiday, then a weekend: due on
   * Monday 4/1/2027 at 07:00. */
  static char saturday[] = "DUNGHEN_NOW=2027-01-02T10:00";
  static char monday[] = "DUNGHEN_NOW=2027-01-04T08:00";
  static char later[] = "DUNGHEN_NOW=2027-01-04T09:30";
  struct e2e_daemon first, second;
  if (!tap_ok(start_at(setup, &first, saturday), "a daemon on Saturday 2/1/2027, reports on"))
    return;
  tap_ok(e2e_daemon_wait_log(&first, "report: next one due at 2027-01-04T07:00:00+07:00", 1, 20),
         "it waits for Monday 4/1/2027 07:00");
  tap_is_integer(report_rows(setup), 0, "on the Saturday nothing is stored");
  tap_is_integer(e2e_daemon_stop(&first, SIGTERM, 20), 0, "SIGTERM: exit status 0");

  bool both = start_at(setup, &first, monday) && start_at(setup, &second, monday);
  if (!tap_ok(both, "two daemons at once on Monday 4/1/2027 08:00"))
    return;
  tap_ok(
      e2e_daemon_wait_log(&first, "report: next one due at 2027-02-01T07:00:00+07:00", 1, 60) &&
          e2e_daemon_wait_log(&second, "report: next one due at 2027-02-01T07:00:00+07:00", 1, 60),
      "both have settled December and wait for January's (due Monday 1/2/2027)");
  tap_is_integer(report_rows(setup), 1, "one report_run row");
  tap_is_integer(e2e_daemon_log_count(&first, "report: month 2026-12-01..2026-12-31 by agency "
                                              "stored as number 01/2027 of DLK-TTPVHCC") +
                     e2e_daemon_log_count(&second, "report: month 2026-12-01..2026-12-31 by "
                                                   "agency stored as number 01/2027 of "
                                                   "DLK-TTPVHCC"),
                 1, "stored by one of them, logged once");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.report_run WHERE "
                                         "period_kind = 'month' AND period_from = '2026-12-01' "
                                         "AND period_to = '2026-12-31' AND grouping = 'agency' "
                                         "AND issuer = 'DLK-TTPVHCC' AND number = 1 AND "
                                         "year = 2027 AND report_day = '2027-01-04' AND "
                                         "bytes = length(pdf) AND json LIKE '{%%'"),
                 1, "for December 2026, by agency, number 1 of 2027, dated 4/1/2027");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.outbox WHERE "
                                         "kind = 'report'"),
                 1, "one outbox row");
  check_report_message(setup);
  tap_is_integer(e2e_daemon_stop(&second, SIGTERM, 20), 0, "SIGTERM the second: exit status 0");
  tap_is_integer(e2e_daemon_stop(&first, SIGTERM, 20), 0, "SIGTERM the first: exit status 0");

  if (tap_ok(start_at(setup, &first, later), "a restart later that morning")) {
    tap_ok(e2e_daemon_wait_log(&first, "report: next one due at 2027-02-01T07:00:00+07:00", 1, 20),
           "it finds December stored");
    char body[65536];
    e2e_daemon_wait_health(&first, 200, body, sizeof body, 20);
    e2e_http_get(first.port, "/metrics", body, sizeof body);
    tap_contains(body, "dunghen_reports_total 0\n", "/metrics: this process stored none");
    tap_contains(body, "dunghen_report_last_period_end_timestamp_seconds 1798736400\n",
                 "/metrics: the last stored period ends 1/1/2027 00:00 (+07:00)");
    tap_is_integer(e2e_daemon_stop(&first, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  }
  tap_is_integer(report_rows(setup), 1, "still one report_run row");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.outbox WHERE "
                                         "kind = 'report'"),
                 1, "still one outbox row");
  const struct received *message = NULL;
  tap_is_integer(report_arrivals(setup, &message), 1, "still one message");
  check_report_pdf(setup);
}

static void test_everything(struct setup *setup) {
  int rows, missing, doubled;
  count_arrivals(setup, "true", &rows, &missing, &doubled);
  tap_ok(missing == 0, "every sent delivery of the run arrived (%d rows)", rows);
  tap_is_integer((long long)setup->count, rows + doubled,
                 "and nothing else arrived (the in-flight repeat aside)");
}

static void check_log_privacy(const struct e2e_daemon *daemon) {
  static char log[1 << 22];
  e2e_read_text_file(daemon->log_path, log, sizeof log);
  tap_ok(strstr(log, "example.org") == NULL, "the daemon's log names no mail address");
  tap_ok(strstr(log, "Nguyễn Văn Thử") == NULL, "nor the applicant");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  if (access("/usr/bin/msmtp", X_OK) != 0 ||
      system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null") != 0)
    return tap_skip_all("msmtp or python3-aiosmtpd is missing (tools/dev deps)");
  static struct setup setup;
  static struct received messages[MAX_MESSAGES];
  setup.messages = messages;
  struct e2e_harness *harness = &setup.harness;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char command[3 * PATH_MAX];
  bool ready = e2e_setup(harness, conninfo);
  snprintf(command, sizeof command, "cp '%s/rules/agencies.yaml' '%s/agencies.yaml'",
           source != NULL ? source : ".", harness->rules);
  ready = ready && system(command) == 0;
  snprintf(setup.spool, sizeof setup.spool, "%s/spool", harness->directory);
  mkdir(setup.spool, 0755);
  if (!tap_ok(ready && start_sink(&setup), "database, agencies and the SMTP server ready"))
    return tap_finish();
  test_mail_off(&setup);
  struct e2e_daemon daemon;
  if (tap_ok(e2e_daemon_start(&daemon, harness, setup.config, NULL), "a daemon with mail on")) {
    test_delivery(&setup, &daemon);
    test_reason_missing(&setup);
    test_signed_letter(&setup);
    check_log_privacy(&daemon);
    test_refusing_server(&setup, &daemon);
    test_kill_while_refused(&setup, &daemon);
    test_kill_while_sending(&setup, &daemon);
    check_log_privacy(&daemon);
    tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
    test_digest(&setup);
    test_reload(&setup);
    test_report_schedule(&setup);
    test_everything(&setup);
  }
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  kill(setup.sink, SIGTERM);
  waitpid(setup.sink, NULL, 0);
  e2e_teardown(harness);
  return result;
}
