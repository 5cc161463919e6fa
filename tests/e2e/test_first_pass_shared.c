/*
 * The daemon's first pass ever shared by its partner sessions (service/pass_partner.h): the
 * same dossiers are passed once by a daemon alone (sync.first_pass_sessions 1) and once, from
 * emptied tables, by a daemon with two partners (3). Both must write exactly the same clocks,
 * escalations and letters (the letters numbered 1..n per agency and year without a gap, in
 * whatever order the sessions took their ranges), the partners must have taken ranges, and the
 * daemon's log must count every range once.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_support.h"
#include "tap.h"

/* Ranges are ten batches (PASS_RANGE_BATCHES, store/pass.h): 40 of them. */
enum { DOSSIERS = 2000, BATCH = 5, RANGES = DOSSIERS / (BATCH * 10) };

/* What a first pass wrote, as digests that do not depend on the order of the ranges. */
struct written {
  char clocks[33], escalations[33], letters[33];
  long long clock_count, escalation_count, letter_count;
};

static void load_dossiers(const struct e2e_harness *harness) {
  /* Received at 07:00 on each of the last 40 days, three agencies: some on time, some overdue
   * (escalations and letters), none with a deadline near the few seconds between the runs. */
  e2e_db_exec(harness,
              "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh,"
              " dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai)"
              " SELECT 'FP-' || lpad(i::text, 5, '0'), '9.900001', 'AG' || (i %% 3),"
              " 'Nguyễn Văn Thử', '066123456789', 'xã Hòa Phú', 'thử nghiệm', 'truc_tuyen',"
              " date_trunc('day', now() AT TIME ZONE 'Asia/Ho_Chi_Minh') AT TIME ZONE"
              " 'Asia/Ho_Chi_Minh' + interval '7 hours' - (i %% 40) * interval '1 day',"
              " 'dang_xu_ly' FROM generate_series(1, %d) i",
              DOSSIERS);
}

static void read_digest(const struct e2e_harness *harness, const char *sql, char digest[33]) {
  char text[64] = "";
  e2e_db_text(harness, text, sizeof text, "%s", sql);
  snprintf(digest, 33, "%s", text);
}

static void read_written(const struct e2e_harness *harness, struct written *written) {
  read_digest(harness,
              "SELECT md5(string_agg(code || ' ' || coalesce(deadline::text, '-') || ' ' || state,"
              " ',' ORDER BY code)) FROM dunghen.clock",
              written->clocks);
  read_digest(harness,
              "SELECT md5(string_agg(dossier_code || ' ' || level || ' ' || episode, ','"
              " ORDER BY dossier_code, level, episode)) FROM dunghen.escalation_log",
              written->escalations);
  read_digest(harness,
              "SELECT md5(string_agg(dossier_code || ' ' || agency_code || ' ' || year, ','"
              " ORDER BY dossier_code)) FROM dunghen.letter_log",
              written->letters);
  written->clock_count = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock");
  written->escalation_count =
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.escalation_log");
  written->letter_count = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log");
}

/* Runs a daemon until its first pass is logged; the log's "first pass:" line in `line`. */
static bool first_pass(const struct e2e_harness *harness, int sessions, char *environment_now,
                       struct e2e_daemon *daemon, char *line, size_t size) {
  char config[256];
  snprintf(config, sizeof config,
           "log:\n  level: debug\nsync:\n  poll_interval: 3600\n  batch_size: %d\n  "
           "first_pass_sessions: %d\n",
           BATCH, sessions);
  char *environment[] = {environment_now, NULL};
  if (!tap_ok(e2e_daemon_start(daemon, harness, config, environment),
              "a daemon with %d first-pass session(s) starts", sessions))
    return false;
  bool logged = tap_ok(e2e_daemon_wait_log(daemon, "ranges written by this daemon", 1, 60),
                       "its first pass ends (%d session(s))", sessions);
  line[0] = '\0';
  if (logged)
    e2e_daemon_log_line(daemon, "ranges written by this daemon", line, size);
  tap_is_integer(e2e_daemon_stop(daemon, SIGTERM, 30), 0, "and it stops cleanly");
  if (!logged)
    e2e_daemon_dump_log(daemon);
  return logged;
}

static void empty_tables(const struct e2e_harness *harness) {
  e2e_db_exec(harness, "TRUNCATE dunghen.clock, dunghen.escalation_log, dunghen.letter_log,"
                       " dunghen.letter_counter, dunghen.metric_delta CASCADE");
  e2e_db_exec(harness, "UPDATE dunghen.sync_state SET watermark = NULL, last_pass_at = NULL");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run under with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "harness"))
    return tap_finish();
  load_dossiers(&harness);
  /* 10:00 today on the daemons' clocks: the deadlines fall on whole working hours. */
  char environment_now[64];
  long long day = e2e_db_integer(
      &harness, "SELECT to_char(now() AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDD')::int");
  snprintf(environment_now, sizeof environment_now, "DUNGHEN_NOW=%04lld-%02lld-%02lldT10:00:00",
           day / 10000, day / 100 % 100, day % 100);

  struct e2e_daemon alone, shared;
  char line[1024], expected[128];
  struct written by_one, by_three;
  if (!first_pass(&harness, 1, environment_now, &alone, line, sizeof line))
    return e2e_teardown(&harness), tap_finish();
  snprintf(expected, sizeof expected, "first pass: %d ranges written by this daemon, 0 held",
           RANGES);
  tap_contains(line, expected, "alone, the daemon writes every range");
  tap_ok(e2e_daemon_log_count(&alone, " wrote ") == 0, "and no partner starts");
  read_written(&harness, &by_one);
  tap_is_integer(by_one.clock_count, DOSSIERS, "every dossier has a clock");
  tap_ok(by_one.escalation_count > 0 && by_one.letter_count > 0,
         "some are overdue: %lld escalations, %lld letters", by_one.escalation_count,
         by_one.letter_count);

  empty_tables(&harness);
  if (!first_pass(&harness, 3, environment_now, &shared, line, sizeof line))
    return e2e_teardown(&harness), tap_finish();
  tap_contains(line, expected, "with partners, the daemon counts every range once");
  char partner_line[1024] = "";
  e2e_daemon_log_line(&shared, "first-pass-", partner_line, sizeof partner_line);
  tap_ok(e2e_daemon_log_count(&shared, " wrote ") == 2, "both partners report");
  long long by_partners =
      e2e_db_integer(&harness, "SELECT count(*) FROM pg_stat_activity WHERE application_name"
                               " LIKE 'dunghen-first-pass-%%'");
  tap_is_integer(by_partners, 0, "the partner sessions are closed after the first pass");
  tap_ok(e2e_daemon_log_count(&shared, "info: first pass: first-pass-") >= 1,
         "the partners took ranges, and say so at info level (%s)", partner_line);
  read_written(&harness, &by_three);
  tap_is_string(by_three.clocks, by_one.clocks, "the same clocks");
  tap_is_string(by_three.escalations, by_one.escalations, "the same escalations");
  tap_is_string(by_three.letters, by_one.letters, "the same letters");
  tap_is_integer(e2e_db_integer(&harness, "SELECT count(*) FROM (SELECT agency_code, year FROM"
                                          " dunghen.letter_log GROUP BY 1, 2 HAVING max(number)"
                                          " <> count(*) OR count(DISTINCT number) <> count(*))"
                                          " AS gaps"),
                 0, "letters numbered 1..n per agency and year, no gap, no repeat");
  tap_ok(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.sync_state"
                                  " WHERE watermark IS NOT NULL") == 1,
         "the first pass is finished (watermark set)");
  e2e_teardown(&harness);
  return tap_finish();
}
