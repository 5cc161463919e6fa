/*
 * A letter re-drafted when the delay reason reaches the source after a letter without one was
 * drafted (PRODUCT.md, "A letter an official can sign as it is"): the same number, a new PDF
 * and hash under a new name, the earlier draft kept (file and row in dunghen.letter_version),
 * one announcement on dunghen_letter_redraft and one more outbox row for the mail; no re-draft
 * when nothing changed or only the reason's surrounding blanks did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db_support.h"
#include "tap.h"

/* Notifications on dunghen_letter_redraft received by `listener` so far, and their payloads. */
static int redraft_notices(PGconn *listener, char *payloads, size_t size) {
  int count = 0;
  PQconsumeInput(listener);
  for (PGnotify *notice = PQnotifies(listener); notice != NULL; notice = PQnotifies(listener)) {
    if (strcmp(notice->relname, "dunghen_letter_redraft") == 0) {
      count++;
      size_t used = strlen(payloads);
      snprintf(payloads + used, size - used, "%s%s", used ? "," : "", notice->extra);
    }
    PQfreemem(notice);
  }
  return count;
}

static bool file_exists(const char *path) {
  struct stat status;
  return stat(path, &status) == 0 && S_ISREG(status.st_mode);
}

static void letter_text(PGconn *connection, const char *column, char *buffer, size_t size) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT %s FROM dunghen.letter_log WHERE dossier_code = 'R-1'", column);
  db_text(connection, sql, buffer, size);
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  struct db_letter_kit kit;
  if (!db_open(&connection, &rules, &ladder) || !db_letter_kit_open(&kit))
    return tap_finish();
  PGconn *listener = db_connect();
  db_exec(listener, "LISTEN dunghen_letter_redraft");
  db_exec(connection, "UPDATE dunghen.mail_switch SET enabled = true");
  db_exec(connection, "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
                      " ngay_tiep_nhan, trang_thai) VALUES ('R-1', '1.004884', 'DLK-TTPVHCC',"
                      " 'Nguyễn Văn A', 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly')");

  /* At the deadline, with no reason recorded: a letter that leaves the reason to write in. */
  struct pass_report pass = db_kit_pass(connection, rules, ladder, &kit, "2025-03-10T08:00");
  tap_is_integer((long long)pass.letters, 1, "the deadline queues the letter");
  struct letter_jobs_report rendered = db_render(connection, &kit, rules);
  tap_is_integer((long long)rendered.rendered, 1, "it is rendered");
  char first_path[4096], first_sha[80], number[16], text[4096];
  letter_text(connection, "path", first_path, sizeof first_path);
  letter_text(connection, "sha256", first_sha, sizeof first_sha);
  letter_text(connection, "number", number, sizeof number);
  letter_text(connection, "reason_missing", text, sizeof text);
  tap_is_string(text, "t", "the first draft is recorded as missing its reason");
  letter_text(connection, "issued_on || ' ' || wording || ' ' || form", text, sizeof text);
  tap_is_string(text, "2025-03-10 after_deadline 2025",
                "the pass recorded the letter's date, wording and form");
  tap_is_integer(redraft_notices(listener, text, sizeof text), 0, "no re-draft announced yet");

  /* A later pass with nothing new re-drafts nothing. */
  pass = db_kit_pass(connection, rules, ladder, &kit, "2025-03-10T10:00");
  tap_is_integer((long long)pass.redrafts, 0, "nothing changed: no re-draft");

  /* The reason arrives the next day. */
  db_exec(connection, "UPDATE onestop.ho_so SET ly_do_tre_han = 'Chờ kết quả xác minh"
                      " của Ủy ban nhân dân xã' WHERE ma_ho_so = 'R-1'");
  pass = db_kit_pass(connection, rules, ladder, &kit, "2025-03-11T09:00");
  tap_is_integer((long long)pass.redrafts, 1, "the reason re-drafts the letter");
  tap_is_integer((long long)pass.letters, 0, "and queues no second letter");
  letter_text(connection, "state || ' ' || version || ' ' || number", text, sizeof text);
  char expected[64];
  snprintf(expected, sizeof expected, "pending 2 %s", number);
  tap_is_string(text, expected, "the letter is queued again as version 2 under its number");
  db_text(connection, "SELECT version || ' ' || path || ' ' || sha256 FROM dunghen.letter_version",
          text, sizeof text);
  char recorded[4200];
  snprintf(recorded, sizeof recorded, "1 %s %s", first_path, first_sha);
  tap_is_string(text, recorded, "the first draft is recorded with its path and hash");

  rendered = db_render(connection, &kit, rules);
  tap_is_integer((long long)rendered.rendered, 1, "the re-draft is rendered");
  char second_path[4096], second_sha[80];
  letter_text(connection, "path", second_path, sizeof second_path);
  letter_text(connection, "sha256", second_sha, sizeof second_sha);
  tap_ok(strcmp(second_sha, first_sha) != 0, "the new draft has a new hash");
  size_t length = strlen(second_path);
  tap_ok(length > 7 && strcmp(second_path + length - 7, ".v2.pdf") == 0,
         "the new draft has its own file: %s", second_path);
  tap_ok(file_exists(first_path) && file_exists(second_path),
         "the earlier draft's file is kept beside the new one");
  letter_text(connection, "state || ' ' || reason_missing || ' ' || number", text, sizeof text);
  snprintf(expected, sizeof expected, "rendered false %s", number);
  tap_is_string(text, expected, "the new draft carries the reason, under the same number");
  char payloads[256] = "";
  tap_is_integer(redraft_notices(listener, payloads, sizeof payloads), 1,
                 "exactly one announcement on dunghen_letter_redraft");
  tap_is_string(payloads, "1", "its payload counts one letter");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox o JOIN"
                                        " dunghen.letter_log l ON l.id = o.letter_id"
                                        " WHERE l.dossier_code = 'R-1'"),
                 2, "the mail outbox has the letter and its re-draft");

  /* Blanks around the same reason are no change; another reason is. */
  db_exec(connection, "UPDATE onestop.ho_so SET ly_do_tre_han = '  Chờ kết quả xác minh"
                      " của Ủy ban nhân dân xã  ' WHERE ma_ho_so = 'R-1'");
  pass = db_kit_pass(connection, rules, ladder, &kit, "2025-03-11T10:00");
  tap_is_integer((long long)pass.redrafts, 0, "the same reason with blanks re-drafts nothing");
  db_exec(connection, "UPDATE onestop.ho_so SET ly_do_tre_han = 'Chờ ý kiến của Sở Nông"
                      " nghiệp và Môi trường.' WHERE ma_ho_so = 'R-1'");
  pass = db_kit_pass(connection, rules, ladder, &kit, "2025-03-11T11:00");
  tap_is_integer((long long)pass.redrafts, 1, "a changed reason re-drafts again");
  db_render(connection, &kit, rules);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_version"), 2,
                 "both earlier drafts are kept");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_log"), 1,
                 "still one letter");
  tap_is_integer(redraft_notices(listener, payloads, sizeof payloads), 1, "one more announcement");
  PQfinish(listener);
  db_letter_kit_close(&kit);
  db_close(connection, rules, ladder);
  return tap_finish();
}
