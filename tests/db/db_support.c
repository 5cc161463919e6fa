/*
 * db_support.c: helpers of the store's database tests (see db_support.h).
 */
#include "db_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/civil.h"
#include "store/schema.h"
#include "store/sql.h"
#include "tap.h"

PGconn *db_connect(void) {
  PGconn *connection = PQconnectdb(getenv("DUNGHEN_TEST_DB"));
  if (PQstatus(connection) != CONNECTION_OK)
    tap_diagnostic("connect: %s", PQerrorMessage(connection));
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  return connection;
}

bool db_prepare(PGconn *connection) {
  struct schema_result result;
  struct error error;
  if (schema_migrate(connection, &result, &error) != STATUS_OK ||
      schema_install_reference(connection, &error) != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return false;
  }
  return true;
}

struct rules *db_rules(void) {
  struct rules *rules = NULL;
  struct error error;
  if (rules_load(getenv("DUNGHEN_RULES"), civil_days_from_date(2025, 3, 1), &rules, &error) !=
      STATUS_OK)
    tap_diagnostic("rules: %s", error.message);
  return rules;
}

struct ladder *db_ladder(void) {
  struct ladder *ladder = NULL;
  struct error error;
  if (ladder_load_directory(getenv("DUNGHEN_RULES"), &ladder, &error) != STATUS_OK)
    tap_diagnostic("ladder: %s", error.message);
  return ladder;
}

bool db_exec(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
  if (!ok)
    tap_diagnostic("%s: %s", sql, PQresultErrorMessage(result));
  PQclear(result);
  return ok;
}

int64_t db_integer(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  int64_t value = INT64_MIN;
  if (PQresultStatus(result) != PGRES_TUPLES_OK)
    tap_diagnostic("%s: %s", sql, PQresultErrorMessage(result));
  else if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0))
    value = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
  PQclear(result);
  return value;
}

void db_text(PGconn *connection, const char *sql, char *buffer, size_t size) {
  PGresult *result = PQexec(connection, sql);
  buffer[0] = '\0';
  if (PQresultStatus(result) != PGRES_TUPLES_OK)
    tap_diagnostic("%s: %s", sql, PQresultErrorMessage(result));
  else if (PQntuples(result) > 0)
    snprintf(buffer, size, "%s", PQgetvalue(result, 0, 0));
  PQclear(result);
}

int64_t db_instant(const char *local) {
  int64_t instant = 0;
  struct error error;
  if (civil_parse_timestamp(local, &instant, &error) != STATUS_OK)
    tap_diagnostic("%s", error.message);
  return instant;
}

enum status db_pass(PGconn *connection, const struct rules *rules, const struct ladder *ladder,
                    int64_t now, struct pass_report *report) {
  struct pass_context context = {
      .connection = connection,
      .rules = rules,
      .ladder = ladder,
      .now = now,
      .batch_size = 0,
      .overlap_seconds = -1,
      .full = false,
  };
  struct error error;
  enum status status = pass_run(&context, report, &error);
  if (status != STATUS_OK)
    tap_diagnostic("pass: %s", error.message);
  return status;
}

bool db_insert(PGconn *connection, const char *code, const char *received_local) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
           " ngay_tiep_nhan, trang_thai) VALUES ('%s', '1.004884', 'AG1', 'Nguyễn Văn A',"
           " 'truc_tiep', '%s+07', 'dang_xu_ly')",
           code, received_local);
  return db_exec(connection, sql);
}

bool db_open(PGconn **connection, struct rules **rules, struct ladder **ladder) {
  *connection = db_connect();
  *rules = db_rules();
  *ladder = db_ladder();
  return tap_ok(*rules != NULL && *ladder != NULL && db_prepare(*connection),
                "rules, ladder and database are ready");
}

void db_close(PGconn *connection, struct rules *rules, struct ladder *ladder) {
  PQfinish(connection);
  ladder_free(ladder);
  rules_free(rules);
}

bool db_letter_kit_open(struct db_letter_kit *kit) {
  memset(kit, 0, sizeof *kit);
  char path[4096];
  struct error error;
  const char *root = getenv("DUNGHEN_SOURCE_ROOT");
  snprintf(path, sizeof path, "%s/rules/agencies.yaml", root);
  enum status status = agencies_load(path, &kit->agencies, &error);
  snprintf(path, sizeof path, "%s/letters", root);
  if (status == STATUS_OK)
    status = letter_library_load(path, &kit->library, &error);
  if (status == STATUS_OK)
    status = letter_renderer_new(kit->library, NULL, &kit->renderer, &error);
  snprintf(kit->spool, sizeof kit->spool, "/tmp/dunghen-letters-XXXXXX");
  if (status == STATUS_OK && mkdtemp(kit->spool) == NULL)
    status = error_set(&error, STATUS_RUNTIME, "mkdtemp failed");
  return tap_ok(status == STATUS_OK, "agencies, templates, renderer and spool are ready %s",
                status == STATUS_OK ? "" : error.message);
}

void db_letter_kit_close(struct db_letter_kit *kit) {
  letter_renderer_free(kit->renderer);
  letter_library_free(kit->library);
  agencies_free(&kit->agencies);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", kit->spool);
  if (kit->spool[0] != '\0' && system(command) != 0)
    tap_diagnostic("could not remove %s", kit->spool);
}

struct letter_jobs_report db_render(PGconn *connection, struct db_letter_kit *kit,
                                    const struct rules *rules) {
  struct letter_jobs_context context = {
      .connection = connection,
      .now = (int64_t)time(NULL),
      .renderer = kit->renderer,
      .agencies = &kit->agencies,
      .procedures = &rules->procedures,
      .spool_directory = kit->spool,
  };
  struct letter_jobs_report report;
  struct error error;
  if (letter_jobs_run(&context, &report, &error) != STATUS_OK)
    tap_diagnostic("rendering: %s", error.message);
  return report;
}

struct pass_report db_kit_pass(PGconn *connection, const struct rules *rules,
                               const struct ladder *ladder, const struct db_letter_kit *kit,
                               const char *now) {
  struct pass_context context = {
      .connection = connection,
      .rules = rules,
      .ladder = ladder,
      .now = db_instant(now),
      .overlap_seconds = -1,
      .agencies = &kit->agencies,
  };
  struct pass_report report;
  struct error error;
  if (pass_run(&context, &report, &error) != STATUS_OK)
    tap_diagnostic("pass: %s", error.message);
  return report;
}
