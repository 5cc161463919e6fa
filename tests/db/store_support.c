/*
 * store_support.c: helpers of the store's database tests (see store_support.h).
 */
#include "store_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "service/schema.h"
#include "service/sql.h"
#include "tap.h"

PGconn *support_connect(void) {
  PGconn *connection = PQconnectdb(getenv("DUNGHEN_TEST_DB"));
  if (PQstatus(connection) != CONNECTION_OK)
    tap_diagnostic("connect: %s", PQerrorMessage(connection));
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  return connection;
}

bool support_prepare(PGconn *connection) {
  struct schema_result result;
  struct error error;
  if (schema_migrate(connection, &result, &error) != STATUS_OK ||
      schema_install_reference(connection, &error) != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return false;
  }
  return true;
}

struct rules *support_rules(void) {
  struct rules *rules = NULL;
  struct error error;
  if (rules_load(getenv("DUNGHEN_RULES"), civil_days_from_date(2025, 3, 1), &rules, &error) !=
      STATUS_OK)
    tap_diagnostic("rules: %s", error.message);
  return rules;
}

struct ladder *support_ladder(void) {
  struct ladder *ladder = NULL;
  struct error error;
  if (ladder_load_directory(getenv("DUNGHEN_RULES"), &ladder, &error) != STATUS_OK)
    tap_diagnostic("ladder: %s", error.message);
  return ladder;
}

bool support_exec(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
  if (!ok)
    tap_diagnostic("%s: %s", sql, PQresultErrorMessage(result));
  PQclear(result);
  return ok;
}

int64_t support_integer(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  int64_t value = INT64_MIN;
  if (PQresultStatus(result) != PGRES_TUPLES_OK)
    tap_diagnostic("%s: %s", sql, PQresultErrorMessage(result));
  else if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0))
    value = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
  PQclear(result);
  return value;
}

void support_text(PGconn *connection, const char *sql, char *buffer, size_t size) {
  PGresult *result = PQexec(connection, sql);
  buffer[0] = '\0';
  if (PQresultStatus(result) != PGRES_TUPLES_OK)
    tap_diagnostic("%s: %s", sql, PQresultErrorMessage(result));
  else if (PQntuples(result) > 0)
    snprintf(buffer, size, "%s", PQgetvalue(result, 0, 0));
  PQclear(result);
}

int64_t support_instant(const char *local) {
  int64_t instant = 0;
  struct error error;
  if (civil_parse_timestamp(local, &instant, &error) != STATUS_OK)
    tap_diagnostic("%s", error.message);
  return instant;
}

enum status support_pass(PGconn *connection, const struct rules *rules,
                         const struct ladder *ladder, int64_t now, struct pass_report *report) {
  struct pass_context context = {
      .connection = connection, .rules = rules, .ladder = ladder, .now = now,
      .batch_size = 0, .overlap_seconds = -1, .full = false,
  };
  struct error error;
  enum status status = pass_run(&context, report, &error);
  if (status != STATUS_OK)
    tap_diagnostic("pass: %s", error.message);
  return status;
}

bool support_insert(PGconn *connection, const char *code, const char *received_local) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
           " ngay_tiep_nhan, trang_thai) VALUES ('%s', '1.004884', 'AG1', 'Nguyễn Văn A',"
           " 'truc_tiep', '%s+07', 'dang_xu_ly')",
           code, received_local);
  return support_exec(connection, sql);
}

bool support_open(PGconn **connection, struct rules **rules, struct ladder **ladder) {
  *connection = support_connect();
  *rules = support_rules();
  *ladder = support_ladder();
  return tap_ok(*rules != NULL && *ladder != NULL && support_prepare(*connection),
                "rules, ladder and database are ready");
}

void support_close(PGconn *connection, struct rules *rules, struct ladder *ladder) {
  PQfinish(connection);
  ladder_free(ladder);
  rules_free(rules);
}
