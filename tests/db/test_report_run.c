/*
 * The scheduled report's store (store/report_run.h, migration 8), on a real PostgreSQL:
 *   - a run is stored once per period, kind and grouping: a second store of the same period
 *     (another daemon, or after a restart) writes nothing and says so;
 *   - its outbox row goes with it only while mail is on, once, to the roles given;
 *   - numbers run per issuer and year; a number another period took is told apart from a
 *     period already stored;
 *   - the PDF comes back byte for byte, checked against its sha256;
 *   - the outbox's constraints take a 'report' row without escalation or dossier, and refuse a
 *     report row without its run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/sha256.h"
#include "db_support.h"
#include "store/report_run.h"
#include "tap.h"

static const unsigned char pdf_bytes[] = "%PDF-1.4\n\0binary\xff\xfe bytes\n%%EOF\n";

static struct report_run_record record_for(int year, int month, long number, char *hex,
                                           char *const *roles) {
  sha256_hex(pdf_bytes, sizeof pdf_bytes, hex);
  struct report_run_record record = {
      .key = {REPORT_PERIOD_MONTH,
              report_schedule_period_of(REPORT_PERIOD_MONTH, civil_days_from_date(year, month, 1)),
              REPORT_BY_AGENCY},
      .issuer = "DLK-TTPVHCC",
      .year = year,
      .number = number,
      .report_day = civil_days_from_date(year, month, 1) + 35,
      .created_at = db_instant("2026-02-02T07:00"),
      .received = 20,
      .done = 12,
      .in_progress = 6,
      .has_share = true,
      .on_time_share = 0.75,
      .pdf = pdf_bytes,
      .pdf_size = sizeof pdf_bytes,
      .json = "{\"total\": {}}",
      .sha256 = hex,
      .roles = roles,
  };
  return record;
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  if (!db_open(&connection, &rules, &ladder))
    return tap_finish();
  struct error error;
  char hex[SHA256_HEX_SIZE];
  char *roles[] = {"provincial_office", "one_stop_unit", NULL};

  long number = 0;
  tap_is_integer(report_run_next_number(connection, "DLK-TTPVHCC", 2026, &number, &error),
                 STATUS_OK, "numbering");
  tap_is_integer(number, 1, "the first report of the year is number 1");
  db_exec(connection, "UPDATE dunghen.mail_switch SET enabled = true");

  struct report_run_record january = record_for(2026, 1, 1, hex, roles);
  enum report_run_outcome outcome;
  int64_t id = 0;
  bool mailed = false;
  tap_is_integer(report_run_store(connection, &january, &outcome, &id, &mailed, &error), STATUS_OK,
                 "storing January");
  tap_ok(outcome == REPORT_RUN_STORED && id > 0 && mailed, "stored and queued for mail");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox WHERE kind = 'report'"
                                        " AND report_id IS NOT NULL AND escalation_id IS NULL AND"
                                        " dossier_code IS NULL AND level = 'report' AND roles ="
                                        " '{provincial_office,one_stop_unit}' AND agency_code ="
                                        " 'DLK-TTPVHCC'"),
                 1, "one outbox row of kind 'report' with the roles");
  char text[256];
  db_text(connection,
          "SELECT period_kind || ' ' || period_from || ' ' || period_to || ' ' || grouping || ' '"
          " || number || ' ' || year || ' ' || report_day || ' ' || bytes || ' ' || received ||"
          " ' ' || done || ' ' || in_progress || ' ' || on_time_share FROM dunghen.report_run",
          text, sizeof text);
  char expected[256];
  snprintf(expected, sizeof expected,
           "month 2026-01-01 2026-01-31 agency 1 2026 2026-02-05 %zu 20 12 6 0.75",
           sizeof pdf_bytes);
  tap_is_string(text, expected, "the row says what it is");

  bool exists = false;
  tap_ok(report_run_exists(connection, &january.key, &exists, &error) == STATUS_OK && exists,
         "January is stored");
  struct report_run_record again = record_for(2026, 1, 2, hex, roles);
  tap_is_integer(report_run_store(connection, &again, &outcome, &id, &mailed, &error), STATUS_OK,
                 "storing January again (a second daemon, a restart)");
  tap_ok(outcome == REPORT_RUN_ALREADY && id == 0 && !mailed, "is told it is already there");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.report_run"), 1,
                 "still one run");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox"), 1,
                 "still one outbox row");

  struct report_run_record february = record_for(2026, 2, 1, hex, roles);
  tap_is_integer(report_run_store(connection, &february, &outcome, &id, &mailed, &error), STATUS_OK,
                 "February with a number January has");
  tap_ok(outcome == REPORT_RUN_NUMBER_TAKEN && id == 0, "is told the number is taken");
  tap_is_integer(report_run_next_number(connection, "DLK-TTPVHCC", 2026, &number, &error),
                 STATUS_OK, "numbering again");
  tap_is_integer(number, 2, "the next number is 2");
  tap_is_integer(report_run_next_number(connection, "DLK-SNNMT", 2026, &number, &error), STATUS_OK,
                 "another issuer");
  tap_is_integer(number, 1, "has its own numbers");

  db_exec(connection, "UPDATE dunghen.mail_switch SET enabled = false");
  february = record_for(2026, 2, 2, hex, roles);
  tap_is_integer(report_run_store(connection, &february, &outcome, &id, &mailed, &error), STATUS_OK,
                 "February, mail off");
  tap_ok(outcome == REPORT_RUN_STORED && id > 0 && !mailed, "stored, not queued");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox"), 1,
                 "mail off: no outbox row");

  bool any = false;
  struct report_period latest = {0};
  tap_ok(report_run_latest(connection, REPORT_PERIOD_MONTH, REPORT_BY_AGENCY, &any, &latest,
                           &error) == STATUS_OK &&
             any && latest.from_day == civil_days_from_date(2026, 2, 1) &&
             latest.to_day == civil_days_from_date(2026, 2, 28),
         "the latest stored period is February");
  tap_ok(report_run_latest(connection, REPORT_PERIOD_QUARTER, REPORT_BY_AGENCY, &any, &latest,
                           &error) == STATUS_OK &&
             !any,
         "no quarter stored");

  unsigned char *pdf = NULL;
  size_t size = 0;
  tap_is_integer(report_run_read_pdf(connection, id, &pdf, &size, &error), STATUS_OK,
                 "reading the PDF back %s", error.message);
  tap_ok(size == sizeof pdf_bytes && pdf != NULL && memcmp(pdf, pdf_bytes, size) == 0,
         "byte for byte, NUL and high bytes included");
  free(pdf);
  char sql[200];
  snprintf(sql, sizeof sql,
           "UPDATE dunghen.report_run SET sha256 = repeat('0', 64) WHERE id = %lld", (long long)id);
  db_exec(connection, sql);
  tap_is_integer(report_run_read_pdf(connection, id, &pdf, &size, &error), STATUS_RUNTIME,
                 "a PDF that does not match its sha256");
  snprintf(sql, sizeof sql, "the report %lld's PDF does not match its recorded sha256",
           (long long)id);
  tap_is_string(error.message, sql, "is refused");

  PGresult *result = PQexec(connection, "INSERT INTO dunghen.outbox (kind, level, roles,"
                                        " created_at) VALUES ('report', 'report', '{x}', now())");
  tap_ok(PQresultStatus(result) == PGRES_FATAL_ERROR, "a report outbox row without its run is "
                                                      "refused");
  PQclear(result);
  result = PQexec(connection, "INSERT INTO dunghen.outbox (kind, level, roles, created_at)"
                              " VALUES ('escalation', 'overdue', '{x}', now())");
  tap_ok(PQresultStatus(result) == PGRES_FATAL_ERROR,
         "an escalation row still needs its escalation and dossier");
  PQclear(result);
  db_close(connection, rules, ladder);
  return tap_finish();
}
