// clang-format off
/*
 * `dunghen report`'s figures against a real PostgreSQL: about twenty dossiers, each chosen to
 * land in one cell of March 2025, are inserted into the reference schema and driven by passes
 * at chosen "now"s as the daemon would (so their clocks, escalations and letters are real);
 * then the report by agency, field, procedure and channel is compared cell by cell, and as
 * JSON, with the figures computed by hand below, and every row must balance:
 *   carried_over + in_period = done + in_progress + withdrawn + unclassified.
 *
 * Procedure 1.004884 (hộ tịch) is 5 working days and 1.004222 (cư trú) 7, counted in hours
 * over 07:00-11:30 and 13:30-17:00 (8 h a day), so a dossier received at 10:00 is due at 10:00
 * five (seven) working days later; February and March 2025 have no holidays. The ladder's
 * apology fires at the deadline in whichever pass first comes after it, and proposes a new
 * date 5 working days after that pass. Agencies: A = DLK-TTPVHCC, B = DLK-SNNMT (shipped
 * agencies.yaml, for the labels). Period: 2025-03-01 .. 2025-03-31, so [03-01 00:00,
 * 04-01 00:00) local time.
 *
 *   code agency procedure channel received         what happens                        cell
 *   R01  A      1.004884  direct  Wed 02-26 10:00  done Mon 03-03 09:00 (due Wed       carried over, early
 *                                                  03-05 10:00)
 *   R02  A      1.004884  online  Mon 03-03 10:00  done Mon 03-10 16:00, due 10:00     late, no letter
 *                                                  that day, no pass between
 *   R03  B      1.004884  postal  Tue 03-04 09:00  done at its deadline 03-11 09:00    on time
 *                                                  exactly
 *   R04  A      1.004884  direct  Wed 03-05 08:00  letter 03-12 08:00 (new date 03-19  late, letter, new date met
 *                                                  08:00), done 03-18 10:00
 *   R05  B      1.004884  online  Thu 03-06 08:00  letter 03-13 08:00 (new date 03-20  late, letter, missed new date
 *                                                  08:00), done 03-21 10:00
 *   R06  A      1.004884  direct  Mon 03-24 14:00  due 03-31 14:00, no pass before     overdue, no letter
 *                                                  the period's end (the letter
 *                                                  comes 04-01)
 *   R07  B      1.004884  direct  Fri 03-21 10:00  letter 03-28 10:00 (new date 04-04  overdue, letter
 *                                                  10:00)
 *   R08  A      1.004884  online  Mon 03-10 09:00  withdrawn, source date 03-12 15:00  withdrawn
 *   R09  B      1.004222  direct  Tue 03-11 10:00  rejected without a date, seen       withdrawn (cư trú); its
 *                                                  03-14 11:00, touched again 04-02    instant stays 03-14
 *   R10  A      1.004884  postal  Mon 03-31 23:59  open                                in period, on time
 *   R11  B      1.004884  online  Tue 04-01 00:00  open                                absent
 *   R12  A      1.004884  direct  Mon 02-10 10:00  done Fri 02-14                      absent
 *   R13  B      1.004884  direct  Wed 03-26 10:00  done Tue 04-01 00:00 (the period's  in progress, on time
 *                                                  end), due 04-02
 *   R14  A      1.004884  'fax'   Wed 03-19 10:00  flagged: unknown channel            other channel, unclassified
 *   R15  B      1.004884  online  Mon 03-17 10:00  paused from 03-20 10:00             in progress, on time
 *   R16  A      1.004222  online  Mon 03-17 09:00  done 03-26 08:00, due 09:00         on time (cư trú)
 *   R17  B      1.004884  direct  Mon 02-24 10:00  letter 03-03 10:00 (new date 03-10  carried over, overdue,
 *                                                  10:00), still open                  letter, missed new date
 *   R18  A      1.004884  online  Mon 02-10 14:00  letter 02-17 14:00 (new date        carried over, late,
 *                                                  02-24), done 03-05 10:00            missed; its letter is not
 *                                                                                      the period's
 *   R19  A      1.004884  direct  Wed 02-12 10:00  withdrawn 02-13 10:00               absent
 */
// clang-format on
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/civil.h"
#include "db_support.h"
#include "rules/report_rules.h"
#include "store/report.h"
#include "tap.h"

#define AGENCY_A "DLK-TTPVHCC"
#define AGENCY_B "DLK-SNNMT"

/* ---- the timeline ---- */

enum event_kind { INSERT, FINISH, WITHDRAW, REJECT, PAUSE, TOUCH };

struct event {
  const char *when; /* local time; a pass runs at it after the events of that instant */
  enum event_kind kind;
  const char *code;
  const char *agency, *procedure, *channel; /* INSERT */
  const char *at;                           /* INSERT: received; FINISH, WITHDRAW: the date */
};

/* clang-format off */
static const struct event timeline[] = {
    {"2025-02-10T10:00", INSERT, "R12", AGENCY_A, "1.004884", "truc_tiep", "2025-02-10 10:00"},
    {"2025-02-10T14:00", INSERT, "R18", AGENCY_A, "1.004884", "truc_tuyen", "2025-02-10 14:00"},
    {"2025-02-12T10:00", INSERT, "R19", AGENCY_A, "1.004884", "truc_tiep", "2025-02-12 10:00"},
    {"2025-02-13T10:00", WITHDRAW, "R19", NULL, NULL, NULL, "2025-02-13 10:00"},
    {"2025-02-14T10:00", FINISH, "R12", NULL, NULL, NULL, "2025-02-14 10:00"},
    {"2025-02-17T14:00", TOUCH, NULL, NULL, NULL, NULL, NULL}, /* R18's letter */
    {"2025-02-24T10:00", INSERT, "R17", AGENCY_B, "1.004884", "truc_tiep", "2025-02-24 10:00"},
    {"2025-02-26T10:00", INSERT, "R01", AGENCY_A, "1.004884", "truc_tiep", "2025-02-26 10:00"},
    {"2025-03-03T09:00", FINISH, "R01", NULL, NULL, NULL, "2025-03-03 09:00"},
    {"2025-03-03T10:00", INSERT, "R02", AGENCY_A, "1.004884", "truc_tuyen", "2025-03-03 10:00"},
    {"2025-03-04T09:00", INSERT, "R03", AGENCY_B, "1.004884", "buu_chinh", "2025-03-04 09:00"},
    {"2025-03-05T08:00", INSERT, "R04", AGENCY_A, "1.004884", "truc_tiep", "2025-03-05 08:00"},
    {"2025-03-05T10:00", FINISH, "R18", NULL, NULL, NULL, "2025-03-05 10:00"},
    {"2025-03-06T08:00", INSERT, "R05", AGENCY_B, "1.004884", "truc_tuyen", "2025-03-06 08:00"},
    {"2025-03-10T09:00", INSERT, "R08", AGENCY_A, "1.004884", "truc_tuyen", "2025-03-10 09:00"},
    {"2025-03-10T16:00", FINISH, "R02", NULL, NULL, NULL, "2025-03-10 16:00"},
    {"2025-03-11T09:00", FINISH, "R03", NULL, NULL, NULL, "2025-03-11 09:00"},
    {"2025-03-11T10:00", INSERT, "R09", AGENCY_B, "1.004222", "truc_tiep", "2025-03-11 10:00"},
    {"2025-03-12T08:00", TOUCH, NULL, NULL, NULL, NULL, NULL}, /* R04's letter */
    {"2025-03-12T15:00", WITHDRAW, "R08", NULL, NULL, NULL, "2025-03-12 15:00"},
    {"2025-03-13T08:00", TOUCH, NULL, NULL, NULL, NULL, NULL}, /* R05's letter */
    {"2025-03-14T11:00", REJECT, "R09", NULL, NULL, NULL, NULL},
    {"2025-03-17T09:00", INSERT, "R16", AGENCY_A, "1.004222", "truc_tuyen", "2025-03-17 09:00"},
    {"2025-03-17T10:00", INSERT, "R15", AGENCY_B, "1.004884", "truc_tuyen", "2025-03-17 10:00"},
    {"2025-03-18T10:00", FINISH, "R04", NULL, NULL, NULL, "2025-03-18 10:00"},
    {"2025-03-19T10:00", INSERT, "R14", AGENCY_A, "1.004884", "fax", "2025-03-19 10:00"},
    {"2025-03-20T10:00", PAUSE, "R15", NULL, NULL, NULL, "2025-03-20 10:00"},
    {"2025-03-21T10:00", FINISH, "R05", NULL, NULL, NULL, "2025-03-21 10:00"},
    {"2025-03-21T10:00", INSERT, "R07", AGENCY_B, "1.004884", "truc_tiep", "2025-03-21 10:00"},
    {"2025-03-24T14:00", INSERT, "R06", AGENCY_A, "1.004884", "truc_tiep", "2025-03-24 14:00"},
    {"2025-03-26T08:00", FINISH, "R16", NULL, NULL, NULL, "2025-03-26 08:00"},
    {"2025-03-26T10:00", INSERT, "R13", AGENCY_B, "1.004884", "truc_tiep", "2025-03-26 10:00"},
    {"2025-03-28T10:00", TOUCH, NULL, NULL, NULL, NULL, NULL}, /* R07's letter */
    /* No pass from R06's deadline (03-31 14:00) to the period's end. */
    {"2025-04-01T08:00", INSERT, "R10", AGENCY_A, "1.004884", "buu_chinh", "2025-03-31 23:59"},
    {"2025-04-01T08:00", INSERT, "R11", AGENCY_B, "1.004884", "truc_tuyen", "2025-04-01 00:00"},
    {"2025-04-01T08:00", FINISH, "R13", NULL, NULL, NULL, "2025-04-01 00:00"},
    {"2025-04-02T09:00", TOUCH, "R09", NULL, NULL, NULL, NULL},
};
/* clang-format on */

static bool apply(PGconn *connection, const struct event *event) {
  char sql[1024];
  switch (event->kind) {
  case INSERT:
    snprintf(sql, sizeof sql,
             "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
             " ngay_tiep_nhan, trang_thai) VALUES ('%s', '%s', '%s', 'Nguyễn Văn A', '%s',"
             " '%s+07', 'dang_xu_ly')",
             event->code, event->procedure, event->agency, event->channel, event->at);
    break;
  case FINISH:
    snprintf(sql, sizeof sql,
             "UPDATE onestop.ho_so SET trang_thai = 'da_tra_ket_qua', ngay_hoan_thanh = '%s+07'"
             " WHERE ma_ho_so = '%s'",
             event->at, event->code);
    break;
  case WITHDRAW:
    snprintf(sql, sizeof sql,
             "UPDATE onestop.ho_so SET trang_thai = 'da_rut', ngay_hoan_thanh = '%s+07'"
             " WHERE ma_ho_so = '%s'",
             event->at, event->code);
    break;
  case REJECT:
    snprintf(sql, sizeof sql,
             "UPDATE onestop.ho_so SET trang_thai = 'tu_choi' WHERE ma_ho_so = '%s'", event->code);
    break;
  case PAUSE:
    snprintf(sql, sizeof sql,
             "INSERT INTO onestop.tam_dung (ma_ho_so, loai, tu_ngay) VALUES ('%s', 'bo_sung',"
             " '%s+07'); UPDATE onestop.ho_so SET trang_thai = 'cho_bo_sung' WHERE ma_ho_so ="
             " '%s'",
             event->code, event->at, event->code);
    break;
  case TOUCH:
  default:
    if (event->code == NULL)
      return true;
    snprintf(sql, sizeof sql,
             "UPDATE onestop.ho_so SET trich_yeu = 'đã xem lại' WHERE ma_ho_so = '%s'",
             event->code);
    break;
  }
  return db_exec(connection, sql);
}

static bool run_timeline(PGconn *connection, const struct rules *rules,
                         const struct ladder *ladder) {
  size_t count = sizeof timeline / sizeof timeline[0];
  bool ok = true;
  for (size_t i = 0; i < count; i++) {
    ok = apply(connection, &timeline[i]) && ok;
    if (i + 1 < count && strcmp(timeline[i + 1].when, timeline[i].when) == 0)
      continue;
    struct pass_report report;
    ok = db_pass(connection, rules, ladder, db_instant(timeline[i].when), &report) == STATUS_OK &&
         ok;
  }
  return ok;
}

/* ---- the figures computed by hand ---- */

struct expected_row {
  const char *key, *label;
  long long carried_over, online, direct, postal, other;
  long long early, on_time, late;
  long long progress_on_time, overdue;
  long long withdrawn, unclassified;
  long long letters, missed;
  const char *codes;         /* the late dossiers without a letter, space-separated */
  const char *share, *score; /* as JSON prints them */
};

#define LABEL_A "Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk"
#define LABEL_B "Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk"

/* clang-format off */
/* A: received R01 R18 (carried over), R02 R08 R16 online, R04 R06 direct, R10 postal, R14
 * other; done R01 early, R16 on time, R02 R04 R18 late; R10 on time and R06 overdue at the
 * end; R08 withdrawn; R14 unclassified; letter R04 (R18's was in February, R06's in April);
 * R18 missed its new date; late without a letter R02, R06. Share (1+1+1)/(5+2) = 3/7.
 * B: R17 carried over; R05 R15 online, R07 R09 R13 direct, R03 postal; done R03 on time, R05
 * late; R13 R15 on time, R07 R17 overdue; R09 rejected; letters R05 R07 R17; missed R05 R17.
 * Share (1+2)/(2+4) = 1/2. */
static const struct expected_row by_agency[] = {
    {AGENCY_B, LABEL_B, 1, 2, 3, 1, 0, 0, 1, 1, 2, 2, 1, 0, 3, 2, "", "0.5000", "10.00"},
    {AGENCY_A, LABEL_A, 2, 3, 2, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, "R02 R06", "0.4286", "8.57"},
};
/* cư trú: R09 (rejected) and R16 (on time); hộ tịch: the rest. */
static const struct expected_row by_field[] = {
    {"cư trú", "cư trú", 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, "", "1.0000", "20.00"},
    {"hộ tịch", "hộ tịch", 3, 4, 4, 2, 1, 1, 1, 4, 3, 3, 1, 1, 4, 3, "R02 R06", "0.4167", "8.33"},
};
static const struct expected_row by_procedure[] = {
    {"1.004222", "Đăng ký thường trú", 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, "", "1.0000",
     "20.00"},
    {"1.004884", "Thủ tục đăng ký lại khai sinh", 3, 4, 4, 2, 1, 1, 1, 4, 3, 3, 1, 1, 4, 3,
     "R02 R06", "0.4167", "8.33"},
};
/* direct: R01 R17 carried over, R04 R06 R07 R09 R13 in the period; online: R18 carried over,
 * R02 R05 R08 R15 R16; postal: R03 R10; other: R14. */
static const struct expected_row by_channel[] = {
    {"direct", "Trực tiếp", 2, 0, 5, 0, 0, 1, 0, 1, 1, 3, 1, 0, 3, 1, "R06", "0.3333", "6.67"},
    {"online", "Trực tuyến", 1, 5, 0, 0, 0, 0, 1, 3, 1, 0, 1, 0, 1, 2, "R02", "0.4000", "8.00"},
    {"other", "Khác", 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, "", NULL, NULL},
    {"postal", "Bưu chính", 0, 0, 0, 2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, "", "1.0000", "20.00"},
};
static const struct expected_row total =
    {"total", "Tổng cộng", 3, 5, 5, 2, 1, 1, 2, 4, 3, 3, 2, 1, 4, 3, "R02 R06", "0.4615", "9.23"};
/* --agency DLK-SNNMT --by procedure */
static const struct expected_row agency_b_by_procedure[] = {
    {"1.004222", "Đăng ký thường trú", 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, "", NULL, NULL},
    {"1.004884", "Thủ tục đăng ký lại khai sinh", 1, 2, 2, 1, 0, 0, 1, 1, 2, 2, 0, 0, 3, 2, "",
     "0.5000", "10.00"},
};
static const struct expected_row agency_b_total =
    {"total", "Tổng cộng", 1, 2, 3, 1, 0, 0, 1, 1, 2, 2, 1, 0, 3, 2, "", "0.5000", "10.00"};
/* clang-format on */

/* The codes as the report holds them, space-separated. */
static void joined_codes(const struct report_codes *codes, char *out, size_t size) {
  out[0] = '\0';
  for (size_t i = 0; i < codes->count; i++) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s", i == 0 ? "" : " ", codes->codes[i]);
  }
}

static void check_row(const char *report_name, const struct report_group *group,
                      const struct expected_row *expected) {
  const struct report_figures *f = &group->figures;
  const char *key = expected->key;
  tap_is_string(group->key, expected->key, "%s: row key %s", report_name, key);
  tap_is_string(group->label, expected->label, "%s %s: label", report_name, key);
  tap_is_integer(f->carried_over, expected->carried_over, "%s %s: carried over", report_name, key);
  tap_is_integer(f->received_online, expected->online, "%s %s: online", report_name, key);
  tap_is_integer(f->received_direct, expected->direct, "%s %s: direct", report_name, key);
  tap_is_integer(f->received_postal, expected->postal, "%s %s: postal", report_name, key);
  tap_is_integer(f->received_other, expected->other, "%s %s: other channel", report_name, key);
  tap_is_integer(f->done_early, expected->early, "%s %s: done early", report_name, key);
  tap_is_integer(f->done_on_time, expected->on_time, "%s %s: done on time", report_name, key);
  tap_is_integer(f->done_late, expected->late, "%s %s: done late", report_name, key);
  tap_is_integer(f->progress_on_time, expected->progress_on_time, "%s %s: in progress on time",
                 report_name, key);
  tap_is_integer(f->progress_overdue, expected->overdue, "%s %s: in progress overdue", report_name,
                 key);
  tap_is_integer(f->withdrawn, expected->withdrawn, "%s %s: withdrawn or rejected", report_name,
                 key);
  tap_is_integer(f->unclassified, expected->unclassified, "%s %s: unclassified", report_name, key);
  tap_is_integer(f->letters, expected->letters, "%s %s: letters", report_name, key);
  tap_is_integer(f->missed_new_date, expected->missed, "%s %s: missed new date", report_name, key);
  char codes[256];
  joined_codes(&group->late_without_letter, codes, sizeof codes);
  tap_is_string(codes, expected->codes, "%s %s: late without a letter", report_name, key);
  tap_is_integer(report_received(f),
                 report_done(f) + report_in_progress(f) + f->withdrawn + f->unclassified,
                 "%s %s: carried over + in period = done + in progress + withdrawn +"
                 " unclassified",
                 report_name, key);
}

/* The JSON of a row as ARCHITECTURE.md (with docs/REPORT.md's extensions) spells it, written
 * out from the figures above: an independent rendering to hold the formatter to. */
static void expected_json_row(const struct expected_row *row, struct buffer *out) {
  long long in_period = row->online + row->direct + row->postal + row->other;
  long long done = row->early + row->on_time + row->late;
  buffer_add_format(out,
                    "{\"key\":\"%s\",\"label\":\"%s\",\"received\":{\"carried_over\":%lld,"
                    "\"in_period\":%lld,\"online\":%lld,\"direct\":%lld,\"postal\":%lld,"
                    "\"other\":%lld},\"done\":{\"total\":%lld,\"early\":%lld,\"on_time\":%lld,"
                    "\"late\":%lld},\"in_progress\":{\"total\":%lld,\"on_time\":%lld,"
                    "\"overdue\":%lld},\"withdrawn\":%lld,\"unclassified\":%lld,"
                    "\"on_time_share\":%s,\"score\":%s,\"letters\":%lld,"
                    "\"late_without_letter\":[",
                    row->key, row->label, row->carried_over, in_period, row->online, row->direct,
                    row->postal, row->other, done, row->early, row->on_time, row->late,
                    row->progress_on_time + row->overdue, row->progress_on_time, row->overdue,
                    row->withdrawn, row->unclassified, row->share ? row->share : "null",
                    row->score ? row->score : "null", row->letters);
  char codes[256];
  snprintf(codes, sizeof codes, "%s", row->codes);
  bool first = true;
  for (char *code = strtok(codes, " "); code != NULL; code = strtok(NULL, " ")) {
    buffer_add_format(out, "%s\"%s\"", first ? "" : ",", code);
    first = false;
  }
  buffer_add_format(out, "],\"missed_new_date\":%lld}", row->missed);
}

static void check_report(PGconn *connection, const struct rules *rules,
                         const struct agency_table *agencies, enum report_grouping grouping,
                         const char *agency, const struct expected_row *rows, size_t count,
                         const struct expected_row *expected_total) {
  char name[64];
  snprintf(name, sizeof name, "by %s%s%s", report_grouping_name(grouping),
           agency != NULL ? " of " : "", agency != NULL ? agency : "");
  struct report_query query = {
      .period = {civil_days_from_date(2025, 3, 1), civil_days_from_date(2025, 3, 31)},
      .grouping = grouping,
      .agency = agency,
  };
  struct report report = {0};
  struct error error;
  enum status status = report_read(connection, &query, &report, &error);
  if (status == STATUS_OK)
    status = report_apply_rules(&report, &rules->procedures, agencies, &error);
  if (!tap_ok(status == STATUS_OK, "%s: the report is read %s", name,
              status == STATUS_OK ? "" : error.message)) {
    report_free(&report);
    return;
  }
  tap_is_integer((long long)report.group_count, (long long)count, "%s: %zu rows", name, count);
  for (size_t i = 0; i < count && i < report.group_count; i++)
    check_row(name, &report.groups[i], &rows[i]);
  check_row(name, &report.total, expected_total);

  struct buffer got = {0}, expected = {0};
  report_format_json(&report, &got);
  buffer_add_format(&expected,
                    "{\"from\":\"2025-03-01\",\"to\":\"2025-03-31\",\"by\":\"%s\","
                    "\"agency\":",
                    report_grouping_name(grouping));
  if (agency != NULL)
    buffer_add_format(&expected, "\"%s\"", agency);
  else
    buffer_add(&expected, "null");
  buffer_add(&expected, ",\"groups\":[");
  for (size_t i = 0; i < count; i++) {
    if (i > 0)
      buffer_add(&expected, ",");
    expected_json_row(&rows[i], &expected);
  }
  buffer_add(&expected, "],\"total\":");
  expected_json_row(expected_total, &expected);
  buffer_add(&expected, ",\"notes\":[");
  const char *notes = got.data != NULL ? strstr(got.data, ",\"notes\":[") : NULL;
  if (notes != NULL)
    got.data[notes - got.data + strlen(",\"notes\":[")] = '\0';
  tap_is_string(got.data != NULL ? got.data : "", expected.data,
                "%s: the JSON holds every cell as computed by hand", name);
  buffer_free(&got);
  buffer_free(&expected);
  report_free(&report);
}

/* The pass's new columns on the clocks the timeline left. */
static void check_clock_columns(PGconn *connection) {
  char text[128];
  db_text(connection,
          "SELECT string_agg(code || '=' || coalesce(channel, 'NULL'), ' ' ORDER BY code)"
          " FROM dunghen.clock WHERE code IN ('R01', 'R02', 'R03', 'R14')",
          text, sizeof text);
  tap_is_string(text, "R01=direct R02=online R03=postal R14=NULL",
                "the clock keeps the channel the source names, NULL for an unknown one");
  tap_is_integer(db_integer(connection, "SELECT dunghen.epoch(finished_at) FROM dunghen.clock"
                                        " WHERE code = 'R09'"),
                 db_instant("2025-03-14T11:00"),
                 "a rejection without a date keeps the instant the first pass saw it, even after"
                 " the row changed again");
  tap_is_integer(db_integer(connection, "SELECT dunghen.epoch(finished_at) FROM dunghen.clock"
                                        " WHERE code = 'R08'"),
                 db_instant("2025-03-12T15:00"), "a withdrawal with a date keeps the source's");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.clock WHERE finished_at IS"
                                        " NULL AND code IN ('R06', 'R07', 'R10', 'R15', 'R17')"),
                 5, "open dossiers have no finished_at");
  db_text(connection,
          "SELECT string_agg(dossier_code || '@' || to_char(created_at AT TIME ZONE"
          " 'Asia/Ho_Chi_Minh', 'MM-DD HH24:MI'), ' ' ORDER BY dossier_code)"
          " FROM dunghen.letter_log",
          text, sizeof text);
  tap_is_string(text,
                "R04@03-12 08:00 R05@03-13 08:00 R06@04-01 08:00 R07@03-28 10:00 "
                "R17@03-03 10:00 R18@02-17 14:00",
                "the timeline's letters were created when planned");
}

/* The migration's backfill: clocks written before migration 7 get the source's channel and
 * finished_at. Simulated by clearing the columns and running the migration's UPDATE again. */
static void check_backfill(PGconn *connection) {
  db_exec(connection, "CREATE TEMP TABLE kept AS SELECT code, channel, finished_at FROM"
                      " dunghen.clock");
  db_exec(connection, "UPDATE dunghen.clock SET channel = NULL, finished_at = NULL");
  db_exec(connection,
          "UPDATE dunghen.clock c SET"
          "  channel = CASE WHEN s.channel IN ('online', 'direct', 'postal') THEN s.channel END,"
          "  finished_at = CASE"
          "    WHEN c.state IN ('finished_early', 'finished_on_time', 'finished_late', 'closed')"
          "      OR (c.state = 'flagged' AND s.status IN ('finished', 'withdrawn', 'rejected'))"
          "    THEN coalesce(CASE WHEN isfinite(s.finished_at) THEN s.finished_at END,"
          "     c.computed_at) END"
          " FROM dunghen.dossier_source s WHERE s.code = c.code");
  tap_is_integer(db_integer(connection,
                            "SELECT count(*) FROM dunghen.clock c JOIN kept k USING (code)"
                            " WHERE c.channel IS DISTINCT FROM k.channel OR (c.finished_at IS"
                            " DISTINCT FROM k.finished_at AND c.code <> 'R09')"),
                 0,
                 "the migration's backfill gives what the passes wrote (R09 aside: its date "
                 "was the pass's)");
  tap_is_integer(db_integer(connection, "SELECT dunghen.epoch(finished_at) FROM dunghen.clock"
                                        " WHERE code = 'R09'"),
                 db_instant("2025-04-02T09:00"),
                 "without a source date the backfill takes the last pass's instant");
  db_exec(connection, "UPDATE dunghen.clock c SET finished_at = k.finished_at FROM kept k"
                      " WHERE k.code = c.code");
  /* The statement the migration runs must be the one checked here. */
  char *migration = NULL;
  char path[4096];
  snprintf(path, sizeof path, "%s/daemon/schema/007_report.sql", getenv("DUNGHEN_SOURCE_ROOT"));
  FILE *file = fopen(path, "r");
  if (file != NULL) {
    migration = calloc(1, 65536);
    if (migration != NULL && fread(migration, 1, 65535, file) == 0)
      migration[0] = '\0';
    fclose(file);
  }
  tap_ok(migration != NULL &&
             strstr(migration, "OR (c.state = 'flagged' AND s.status IN ('finished', 'withdrawn',"
                               " 'rejected'))") != NULL &&
             strstr(migration, "THEN coalesce(CASE WHEN isfinite(s.finished_at) THEN"
                               " s.finished_at END, c.computed_at) END") != NULL,
         "the migration backfills with the statement tested here");
  free(migration);
}

/* `dunghen report` itself: the figures reach stdout, and bad input is refused with status 2. */
static int run_cli(const char *arguments, char *output, size_t size) {
  char command[2048];
  snprintf(command, sizeof command, "'%s' report --db '%s' --rules '%s' %s 2>&1",
           getenv("DUNGHEN_BINARY"), getenv("DUNGHEN_TEST_DB"), getenv("DUNGHEN_RULES"), arguments);
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return -1;
  size_t used = fread(output, 1, size - 1, pipe);
  output[used] = '\0';
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_cli(void) {
  static char output[65536];
  int status = run_cli("--from 2025-03-01 --to 2025-03-31 --format json", output, sizeof output);
  tap_is_integer(status, 0, "dunghen report --format json exits 0");
  tap_contains(output,
               "\"total\":{\"key\":\"total\",\"label\":\"Tổng cộng\",\"received\":{"
               "\"carried_over\":3,\"in_period\":13,",
               "its JSON carries the total");
  status = run_cli("--from 2025-03-01 --to 2025-03-31 --by channel", output, sizeof output);
  tap_is_integer(status, 0, "dunghen report (text) exits 0");
  tap_contains(output, "Hồ sơ trễ hạn chưa có phiếu xin lỗi (2): R02, R06",
               "the text lists the late dossiers without a letter");
  status = run_cli("--from 2025-03-01 --to 2025-03-31 --format pdf", output, sizeof output);
  tap_is_integer(status, 0, "a PDF goes to stdout when stdout is not a terminal");
  tap_ok(strncmp(output, "%PDF-", 5) == 0, "and it is a PDF");
  status = run_cli("--from 2025-03-01 --to 2025-03-31 --agency NOPE", output, sizeof output);
  tap_is_integer(status, 2, "an unknown agency exits 2");
  tap_contains(output, "unknown agency 'NOPE'", "and says so: %s", output);
  status = run_cli("--from 2025-04-02 --to 2025-04-02 --agency AG-ONLY-IN-DATA --format csv",
                   output, sizeof output);
  tap_is_integer(status, 0, "an agency with dossiers but not in agencies.yaml is accepted");
  tap_contains(
      output,
      "\r\nAG-ONLY-IN-DATA,AG-ONLY-IN-DATA,0,1,0,1,0,0,0,0,0,0,1,1,0,0,0,1.0000,20.00,0,0,0,"
      "\r\n",
      "its row counts its one dossier, received on 2 April and in progress");

  char directory[] = "/tmp/dunghen-report-XXXXXX";
  char arguments[512], path[256];
  tap_ok(mkdtemp(directory) != NULL, "a directory for --out");
  snprintf(path, sizeof path, "%s/march.csv", directory);
  snprintf(arguments, sizeof arguments,
           "--from 2025-03-01 --to 2025-03-31 --by field --format csv --out %s", path);
  mode_t previous = umask(0);
  status = run_cli(arguments, output, sizeof output);
  umask(previous);
  tap_is_integer(status, 0, "--out FILE exits 0");
  tap_is_string(output, "", "and prints nothing");
  struct stat info;
  tap_ok(stat(path, &info) == 0 && (info.st_mode & 0777) == 0640,
         "the file is 0640 whatever the umask");
  FILE *file = fopen(path, "r");
  size_t used = file != NULL ? fread(output, 1, sizeof output - 1, file) : 0;
  output[used] = '\0';
  if (file != NULL)
    fclose(file);
  tap_contains(output, "\r\ntotal,Tổng cộng,3,13,", "and holds the CSV with its total row");
  snprintf(arguments, sizeof arguments, "ls -A %s", directory);
  FILE *listing = popen(arguments, "r");
  used = listing != NULL ? fread(output, 1, sizeof output - 1, listing) : 0;
  output[used] = '\0';
  if (listing != NULL)
    pclose(listing);
  tap_is_string(output, "march.csv\n", "no temporary file is left beside it");
  unlink(path);
  snprintf(arguments, sizeof arguments,
           "--from 2025-03-01 --to 2025-03-31 --out %s/missing/march.csv", directory);
  status = run_cli(arguments, output, sizeof output);
  tap_is_integer(status, 1, "--out in a directory that does not exist exits 1");
  tap_contains(output, "/missing/march.csv: cannot create a file beside it: No such file",
               "and names the file and the cause");

  snprintf(path, sizeof path, "%s/march.pdf", directory);
  snprintf(arguments, sizeof arguments,
           "--from 2025-03-01 --to 2025-03-31 --format pdf --number 7 --now 2025-04-02T09:00"
           " --out %s",
           path);
  status = run_cli(arguments, output, sizeof output);
  tap_is_integer(status, 0, "--format pdf --out FILE exits 0: %s", output);
  snprintf(arguments, sizeof arguments, "pdftotext -layout %s - 2>/dev/null", path);
  listing = popen(arguments, "r");
  used = listing != NULL ? fread(output, 1, sizeof output - 1, listing) : 0;
  output[used] = '\0';
  if (listing != NULL)
    pclose(listing);
  tap_contains(output, "BÁO CÁO TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
               "the PDF has the report's title");
  tap_contains(output, "UBND TỈNH ĐẮK LẮK",
               "the letterhead of the first agency of agencies.yaml by default");
  tap_contains(output, "Đắk Lắk, ngày 02 tháng 04 năm 2025", "dated on the day of --now");
  tap_contains(output, "Số: 07/BC-TTPVHCC", "and numbered --number");
  tap_contains(output, "R02", "and lists the late dossiers without a letter");
  unlink(path);
  rmdir(directory);
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  if (!db_open(&connection, &rules, &ladder))
    return tap_finish();
  struct agency_table agencies = {0};
  char path[4096];
  struct error error;
  snprintf(path, sizeof path, "%s/agencies.yaml", getenv("DUNGHEN_RULES"));
  tap_ok(agencies_load(path, &agencies, &error) == STATUS_OK, "the shipped agencies load");
  tap_ok(run_timeline(connection, rules, ladder), "the timeline's passes run");
  check_clock_columns(connection);
  check_report(connection, rules, &agencies, REPORT_BY_AGENCY, NULL, by_agency, 2, &total);
  check_report(connection, rules, &agencies, REPORT_BY_FIELD, NULL, by_field, 2, &total);
  check_report(connection, rules, &agencies, REPORT_BY_PROCEDURE, NULL, by_procedure, 2, &total);
  check_report(connection, rules, &agencies, REPORT_BY_CHANNEL, NULL, by_channel, 4, &total);
  check_report(connection, rules, &agencies, REPORT_BY_PROCEDURE, AGENCY_B, agency_b_by_procedure,
               2, &agency_b_total);
  check_backfill(connection);
  {
    db_exec(connection, "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, kenh,"
                        " ngay_tiep_nhan, trang_thai) VALUES ('R20', '1.004884',"
                        " 'AG-ONLY-IN-DATA', 'truc_tiep', '2025-04-02 10:00+07', 'dang_xu_ly')");
    struct pass_report report;
    db_pass(connection, rules, ladder, db_instant("2025-04-02T10:00"), &report);
    check_cli();
  }
  agencies_free(&agencies);
  db_close(connection, rules, ladder);
  return tap_finish();
}
