/*
 * The letters' bytes in the database (migration 9, store/letter_pdf.h): rendering stores each
 * draft's PDF in the transaction that marks it rendered, with the sha256 and size of its row; a
 * letter cannot be marked rendered without them, nor stored with bytes that do not hash to the
 * sha256 given; a re-draft keeps the earlier version's bytes; the listings find letters by code,
 * number, version, period and agency; the bytes read back are the spool file's; a draft whose
 * bytes were removed (a database from before migration 9) is listed as missing, and a draft
 * whose bytes were replaced is refused on reading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/sha256.h"
#include "db_support.h"
#include "service/letter_export.h"
#include "store/letter_pdf.h"
#include "store/letter_queue.h"
#include "tap.h"

static void insert_dossier(PGconn *connection, const char *code, const char *agency) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
           " ngay_tiep_nhan, trang_thai) VALUES ('%s', '1.004884', '%s', 'Nguyễn Văn A',"
           " 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly')",
           code, agency);
  db_exec(connection, sql);
}

/* Reads the file at `path` whole (malloc'ed), or NULL. */
static unsigned char *read_whole(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  unsigned char *data = malloc(1 << 22);
  *size = data != NULL ? fread(data, 1, 1 << 22, file) : 0;
  fclose(file);
  return data;
}

static struct letter_selector by_code(const char *code, int64_t version) {
  return (struct letter_selector){.dossier_code = code, .version = version};
}

/* The selected draft's bytes are the file `path` holds. */
static void check_same_as_file(PGconn *connection, struct letter_selector selector,
                               const char *path, const char *label) {
  struct letter_draft_list list;
  struct error error;
  if (!tap_ok(letter_pdf_find(connection, &selector, &list, &error) == STATUS_OK, "%s: found",
              label)) {
    tap_diagnostic("%s", error.message);
    return;
  }
  unsigned char *pdf = NULL;
  size_t size = 0, file_size = 0;
  enum status status = letter_pdf_read(connection, &list.drafts[0], &pdf, &size, &error);
  unsigned char *file = read_whole(path, &file_size);
  tap_ok(status == STATUS_OK && file != NULL && size == file_size && size > 1000 &&
             memcmp(pdf, file, size) == 0 && memcmp(pdf, "%PDF-", 5) == 0,
         "%s: the database's bytes are the spool file's (%zu bytes)", label, size);
  free(pdf);
  free(file);
  letter_draft_list_free(&list);
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  struct db_letter_kit kit;
  if (!db_open(&connection, &rules, &ladder) || !db_letter_kit_open(&kit))
    return tap_finish();
  insert_dossier(connection, "P-1", "DLK-TTPVHCC");
  insert_dossier(connection, "P-2", "DLK-TTPVHCC");
  insert_dossier(connection, "P-3", "DLK-SNNMT");
  struct pass_report pass = db_kit_pass(connection, rules, ladder, &kit, "2025-03-10T08:00");
  tap_is_integer((long long)pass.letters, 3, "the deadline queues three letters");

  /* Marking a letter rendered without its bytes is refused at commit. */
  int64_t first = db_integer(connection, "SELECT id FROM dunghen.letter_log ORDER BY id LIMIT 1");
  struct error error;
  db_exec(connection, "BEGIN");
  struct letter_rendering fake = {
      "/nowhere/0001_P-1.pdf", "0000000000000000000000000000000000000000000000000000000000000000",
      10, "", false};
  tap_is_integer(letter_queue_record_rendered(connection, first, &fake, 1741568400, &error),
                 STATUS_OK, "the update itself passes (the check waits for the commit)");
  PGresult *result = PQexec(connection, "COMMIT");
  tap_ok(PQresultStatus(result) != PGRES_COMMAND_OK &&
             strstr(PQresultErrorMessage(result), "without its PDF") != NULL,
         "a letter marked rendered without its bytes is refused at commit");
  PQclear(result);
  /* Bytes that do not hash to the sha256 given are refused. */
  tap_is_integer(letter_pdf_store(connection, first, 1, fake.sha256, "%PDF-1.4", 8, 0, &error),
                 STATUS_RUNTIME, "bytes that do not hash to their sha256 are refused");
  tap_contains(error.message, "23514", "by the check constraint (%s)", error.message);

  struct letter_jobs_report rendered = db_render(connection, &kit, rules);
  tap_is_integer((long long)rendered.rendered, 3, "the three letters are rendered");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_log l"
                                        " JOIN dunghen.letter_pdf p ON p.letter_id = l.id"
                                        " AND p.version = l.version AND p.sha256 = l.sha256"
                                        " AND octet_length(p.pdf) = l.bytes"
                                        " WHERE l.state = 'rendered'"),
                 3, "each has its bytes, with the sha256 and size of its row");
  char path[4096];
  db_text(connection, "SELECT path FROM dunghen.letter_log WHERE dossier_code = 'P-1'", path,
          sizeof path);
  check_same_as_file(connection, by_code("P-1", 0), path, "by code");
  char number_text[32];
  db_text(connection, "SELECT number FROM dunghen.letter_log WHERE dossier_code = 'P-1'",
          number_text, sizeof number_text);
  struct letter_selector by_number = {
      .agency_code = "DLK-TTPVHCC", .year = 2025, .number = atol(number_text)};
  check_same_as_file(connection, by_number, path, "by agency, year and number");

  struct letter_draft_list list;
  by_number.number = 99;
  tap_is_integer(letter_pdf_find(connection, &by_number, &list, &error), STATUS_INVALID,
                 "an unknown number is bad input");
  tap_is_string(error.message, "no rendered letter for number 99 of DLK-TTPVHCC in 2025",
                "and says which");
  tap_is_integer(letter_pdf_find(connection,
                                 &(struct letter_selector){.dossier_code = "P-1", .version = 2},
                                 &list, &error),
                 STATUS_INVALID, "a version never drafted is bad input");
  tap_is_string(error.message, "no rendered letter for dossier P-1 in version 2", "and says so");

  /* A re-draft: the earlier version keeps its bytes, the new one gets its own. */
  db_exec(connection, "UPDATE onestop.ho_so SET ly_do_tre_han = 'Chờ ý kiến của Sở'"
                      " WHERE ma_ho_so = 'P-1'");
  pass = db_kit_pass(connection, rules, ladder, &kit, "2025-03-11T09:00");
  tap_is_integer((long long)pass.redrafts, 1, "the reason re-drafts P-1");
  rendered = db_render(connection, &kit, rules);
  tap_is_integer((long long)rendered.rendered, 1, "its second draft is rendered");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_pdf p"
                                        " JOIN dunghen.letter_version v USING (letter_id, version)"
                                        " WHERE p.sha256 = v.sha256"),
                 1, "the first draft's bytes stay, with the sha256 of its letter_version row");
  check_same_as_file(connection, by_code("P-1", 1), path, "version 1");
  char second_path[4096];
  db_text(connection, "SELECT path FROM dunghen.letter_log WHERE dossier_code = 'P-1'", second_path,
          sizeof second_path);
  check_same_as_file(connection, by_code("P-1", 0), second_path, "the current draft");
  check_same_as_file(connection, by_code("P-1", 2), second_path, "version 2");

  /* Listings: all drafts, by agency, by period. */
  struct letter_draft_filter all = {0};
  tap_is_integer(letter_pdf_list(connection, &all, &list, &error), STATUS_OK, "listing all");
  tap_is_integer((long long)list.count, 4, "four drafts: three letters, one re-drafted");
  letter_draft_list_free(&list);
  struct letter_draft_filter agency = {.agency_code = "DLK-SNNMT"};
  letter_pdf_list(connection, &agency, &list, &error);
  tap_is_integer((long long)list.count, 1, "one of DLK-SNNMT");
  tap_is_string(list.count == 1 ? list.drafts[0].dossier_code : "", "P-3", "P-3");
  letter_draft_list_free(&list);
  struct letter_draft_filter period = {.has_period = true,
                                       .from_day = civil_days_from_date(2025, 3, 10),
                                       .to_day = civil_days_from_date(2025, 3, 10)};
  letter_pdf_list(connection, &period, &list, &error);
  tap_is_integer((long long)list.count, 4, "the letters created on 10 March (local day)");
  letter_draft_list_free(&list);
  period.from_day = period.to_day = civil_days_from_date(2025, 3, 11);
  letter_pdf_list(connection, &period, &list, &error);
  tap_is_integer((long long)list.count, 0,
                 "none created on 11 March (a re-draft is no new letter)");
  letter_draft_list_free(&list);

  /* A database from before migration 9: the bytes are missing. */
  tap_is_integer(letter_pdf_list_missing(connection, &list, &error), STATUS_OK, "listing missing");
  tap_is_integer((long long)list.count, 0, "none missing");
  letter_draft_list_free(&list);
  db_exec(connection, "DELETE FROM dunghen.letter_pdf p USING dunghen.letter_log l"
                      " WHERE l.id = p.letter_id AND l.dossier_code IN ('P-1', 'P-2')");
  letter_pdf_list_missing(connection, &list, &error);
  tap_is_integer((long long)list.count, 3, "P-1's two drafts and P-2's are missing");
  unsigned char *pdf = NULL;
  size_t size = 0;
  if (list.count == 3) {
    tap_is_integer(letter_pdf_read(connection, &list.drafts[0], &pdf, &size, &error),
                   STATUS_RUNTIME, "reading a missing draft fails");
    tap_contains(error.message, "has no PDF in the database", "and says why (%s)", error.message);
  }
  letter_draft_list_free(&list);

  /* Bytes replaced in the database (consistent in themselves) no longer match the letter. */
  char sha[SHA256_HEX_SIZE];
  sha256_hex("%PDF-1.4 forged", 15, sha);
  char sql[512];
  snprintf(sql, sizeof sql,
           "UPDATE dunghen.letter_pdf SET pdf = '%%PDF-1.4 forged'::bytea, sha256 = '%s'"
           " WHERE letter_id = (SELECT id FROM dunghen.letter_log WHERE dossier_code = 'P-3')",
           sha);
  db_exec(connection, sql);
  letter_pdf_find(connection, &(struct letter_selector){.dossier_code = "P-3"}, &list, &error);
  if (tap_is_integer((long long)list.count, 1, "P-3 is found")) {
    tap_is_integer(letter_pdf_read(connection, &list.drafts[0], &pdf, &size, &error),
                   STATUS_RUNTIME, "its replaced bytes are refused");
    tap_contains(error.message, "does not match its recorded sha256 and size", "%s", error.message);
  }
  letter_draft_list_free(&list);

  db_letter_kit_close(&kit);
  db_close(connection, rules, ladder);
  return tap_finish();
}
