/*
 * /metrics of a running daemon, for the operators who alert on it (issue 14), against the
 * private PostgreSQL of with-cluster, with letters rendered into a spool and mail handed to a
 * sendmail that swallows the message:
 *   - `promtool check metrics` (Debian's prometheus package) accepts the live exposition:
 *     no parse error and no lint problem;
 *   - the histograms of pass duration, commit-to-escalation delay, letter render time,
 *     sendmail run time and reload time have cumulative buckets ending at +Inf, +Inf equal to
 *     _count, a _sum, and count exactly what happened (one observation per escalation raised,
 *     letter rendered, reload);
 *   - dunghen_build_info names this version; the last successful reload's time is the
 *     reload's;
 *   - the per-agency gauges (open, overdue, letters pending) equal counting the tables;
 *   - no personal data;
 *   - the shipped contrib/: `promtool check rules` and `promtool test rules` on the alerting
 *     rules, and check_contrib.py: the Grafana dashboard parses, and every metric the rules and
 *     the dashboard use is one this live /metrics has.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "dunghen-config.h"
#include "e2e_support.h"
#include "tap.h"

enum { BODY_SIZE = 262144 };

struct setup {
  struct e2e_harness harness;
  const char *source;
  char spool[PATH_MAX + 16];
  char sendmail[PATH_MAX + 16];
  char metrics_path[PATH_MAX + 16];
  char config[8192];
};

static bool prepare(struct setup *setup) {
  struct e2e_harness *harness = &setup->harness;
  char command[3 * PATH_MAX];
  snprintf(command, sizeof command, "cp '%s/rules/agencies.yaml' '%s/agencies.yaml'", setup->source,
           harness->rules);
  if (system(command) != 0)
    return false;
  snprintf(setup->spool, sizeof setup->spool, "%s/spool", harness->directory);
  snprintf(setup->sendmail, sizeof setup->sendmail, "%s/sendmail", harness->directory);
  snprintf(setup->metrics_path, sizeof setup->metrics_path, "%s/metrics.txt", harness->directory);
  mkdir(setup->spool, 0755);
  FILE *script = fopen(setup->sendmail, "w");
  if (script == NULL)
    return false;
  fputs("#!/bin/sh\nexec cat >/dev/null\n", script);
  if (fclose(script) != 0 || chmod(setup->sendmail, 0755) != 0)
    return false;
  snprintf(setup->config, sizeof setup->config,
           "paths:\n  letters: %s/letters\n  spool: %s\nsync:\n  poll_interval: 3600\n"
           "mail:\n  enabled: true\n  from: dunghen@example.org\n  sendmail: %s\n"
           "  arguments: [-t, -i]\n  timeout: 20\n  attempts: 3\n  retry_first: 1\n"
           "  retry_limit: 1\n",
           setup->source, setup->spool, setup->sendmail);
  return true;
}

static bool insert_dossier(const struct e2e_harness *harness, const char *code, const char *agency,
                           const char *received_sql) {
  return e2e_db_exec(harness,
                     "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
                     "so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) VALUES "
                     "('%s', '9.900001', '%s', 'Nguyễn Văn Thử', '066123456789', 'xã Hòa Phú', "
                     "'thử nghiệm', 'truc_tiep', %s, 'dang_xu_ly')",
                     code, agency, received_sql);
}

/* Runs `command` through the shell; its exit status, and its output (stdout and stderr). */
static int run(const char *command, char *output, size_t size) {
  output[0] = '\0';
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return -1;
  size_t got = fread(output, 1, size - 1, pipe);
  output[got] = '\0';
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The value of the sample whose line starts with `series` followed by a space; -1 if none. */
static double sample(const char *body, const char *series) {
  size_t length = strlen(series);
  for (const char *line = body; line != NULL && *line != '\0';) {
    if (strncmp(line, series, length) == 0 && line[length] == ' ')
      return strtod(line + length + 1, NULL);
    line = strchr(line, '\n');
    if (line != NULL)
      line++;
  }
  return -1;
}

/* The histogram's shape; its _count, or -1 when the shape is wrong (said in diagnostics). */
static double histogram_count(const char *body, const char *name) {
  char prefix[160];
  snprintf(prefix, sizeof prefix, "%s_bucket{le=\"", name);
  size_t length = strlen(prefix);
  double previous = 0, infinite = -1;
  int buckets = 0;
  bool ordered = true;
  for (const char *line = body; line != NULL && *line != '\0';) {
    if (strncmp(line, prefix, length) == 0) {
      const char *close = strstr(line, "\"} ");
      if (close == NULL)
        return -1;
      double value = strtod(close + 3, NULL);
      ordered &= value >= previous;
      previous = value;
      buckets++;
      if (strncmp(line + length, "+Inf\"", 5) == 0)
        infinite = value;
      else if (infinite >= 0)
        ordered = false; /* a bucket after +Inf */
    }
    line = strchr(line, '\n');
    if (line != NULL)
      line++;
  }
  char series[160];
  snprintf(series, sizeof series, "%s_count", name);
  double count = sample(body, series);
  snprintf(series, sizeof series, "%s_sum", name);
  double sum = sample(body, series);
  if (buckets < 2 || !ordered || infinite < 0 || infinite != count || sum < 0) {
    tap_diagnostic("%s: %d buckets, %s, +Inf %g, _count %g, _sum %g", name, buckets,
                   ordered ? "cumulative" : "not cumulative", infinite, count, sum);
    return -1;
  }
  return count;
}

static void test_histograms(const char *body) {
  double pass = histogram_count(body, "dunghen_pass_duration_seconds");
  tap_ok(pass >= 1 && pass == sample(body, "dunghen_passes_total"),
         "pass duration: a histogram, one observation per pass (%g)", pass);
  double delay = histogram_count(body, "dunghen_escalation_delay_seconds");
  tap_ok(delay >= 3 && delay == sample(body, "dunghen_escalations_raised_total"),
         "commit-to-escalation delay: one observation per escalation raised (%g)", delay);
  double render = histogram_count(body, "dunghen_letter_render_duration_seconds");
  tap_ok(render == 3 && render == sample(body, "dunghen_letters_rendered_total"),
         "letter render time: one observation per letter rendered (%g)", render);
  double sendmail = histogram_count(body, "dunghen_sendmail_duration_seconds");
  tap_ok(sendmail >= 1 && sendmail == sample(body, "dunghen_mail_sent_total") +
                                          sample(body, "dunghen_mail_attempt_failures_total"),
         "sendmail run time: one observation per run (%g)", sendmail);
  double reload = histogram_count(body, "dunghen_reload_duration_seconds");
  tap_ok(reload == 1, "reload time: the one reload (%g)", reload);
}

/* The per-agency gauges against counting the tables. */
static bool agencies_match(const struct e2e_harness *harness, const char *body, bool quiet) {
  static const char *const agencies[] = {"DLK-TTPVHCC", "DLK-SNNMT"};
  static const char *const names[] = {"dunghen_agency_open_dossiers",
                                      "dunghen_agency_overdue_dossiers",
                                      "dunghen_agency_letters_pending"};
  static const char *const tables[] = {"clock", "clock", "letter_log"};
  static const char *const states[] = {
      "'on_track', 'due_soon', 'overdue', 'rescheduled', 'overdue_again', 'paused'",
      "'overdue', 'overdue_again'", "'pending'"};
  bool same = true;
  for (size_t agency = 0; agency < 2; agency++)
    for (size_t kind = 0; kind < 3; kind++) {
      char series[160];
      snprintf(series, sizeof series, "%s{agency=\"%s\"}", names[kind], agencies[agency]);
      double shown = sample(body, series);
      long long counted = e2e_db_integer(
          harness, "SELECT count(*) FROM dunghen.%s WHERE agency_code = '%s' AND state IN (%s)",
          tables[kind], agencies[agency], states[kind]);
      if (shown != (double)counted) {
        if (!quiet)
          tap_diagnostic("%s: /metrics %g, tables %lld", series, shown, counted);
        same = false;
      }
    }
  return same;
}

/* The counts are read at most every 2 s after a job: poke a pass until they have caught up. */
static bool wait_agencies(const struct e2e_harness *harness, const struct e2e_daemon *daemon,
                          char *body) {
  for (int attempt = 0; attempt < 8; attempt++) {
    e2e_sleep_seconds(2.2);
    e2e_db_exec(harness, "UPDATE onestop.ho_so SET trich_yeu = 'x%d' WHERE ma_ho_so = 'MET-4'",
                attempt);
    for (int poll = 0; poll < 10; poll++) {
      e2e_sleep_seconds(0.2);
      if (e2e_http_get(daemon->port, "/metrics", body, BODY_SIZE) == 200 &&
          agencies_match(harness, body, true))
        return true;
    }
  }
  return agencies_match(harness, body, false);
}

static void test_live_metrics(struct setup *setup, struct e2e_daemon *daemon, int64_t reload_from,
                              int64_t reload_to, char *body) {
  struct e2e_harness *harness = &setup->harness;
  tap_ok(wait_agencies(harness, daemon, body),
         "per agency: open, overdue and letters pending equal counting the tables");
  tap_contains(body, "dunghen_agency_open_dossiers{agency=\"DLK-TTPVHCC\"} 2\n",
               "per agency: both dossiers of DLK-TTPVHCC are open");
  tap_contains(body, "dunghen_agency_open_dossiers{agency=\"DLK-SNNMT\"} 2\n",
               "per agency: both dossiers of DLK-SNNMT are open");
  FILE *file = fopen(setup->metrics_path, "w");
  if (file != NULL) {
    fputs(body, file);
    fclose(file);
  }
  char output[16384], command[2 * PATH_MAX];
  snprintf(command, sizeof command, "promtool check metrics < '%s' 2>&1", setup->metrics_path);
  int status = run(command, output, sizeof output);
  if (status != 0 || output[0] != '\0')
    tap_diagnostic("promtool check metrics:\n%s", output);
  tap_is_integer(status, 0, "promtool check metrics: exit status 0 on the live /metrics");
  tap_is_string(output, "", "promtool check metrics: no problem reported");
  test_histograms(body);
  tap_contains(body,
               "# TYPE dunghen_build_info gauge\ndunghen_build_info{version=\"" DUNGHEN_VERSION
               "\",libpq=\"",
               "dunghen_build_info names version " DUNGHEN_VERSION);
  tap_contains(body, "\"} 1\n# HELP", "dunghen_build_info is 1");
  double reloaded = sample(body, "dunghen_last_reload_success_timestamp_seconds");
  tap_ok(reloaded >= (double)reload_from && reloaded <= (double)reload_to,
         "the last successful reload's time is the reload's (%.0f in [%lld, %lld])", reloaded,
         (long long)reload_from, (long long)reload_to);
  tap_ok(sample(body, "dunghen_database_up") == 1, "dunghen_database_up is 1");
  tap_ok(strstr(body, "Nguyễn") == NULL && strstr(body, "066123456789") == NULL &&
             strstr(body, "Hòa Phú") == NULL,
         "/metrics carries no personal data");
}

static void test_contrib(const struct setup *setup) {
  char output[16384], command[4 * PATH_MAX];
  snprintf(command, sizeof command,
           "promtool check rules '%s/contrib/prometheus/dunghen-alerts.yml' 2>&1", setup->source);
  int status = run(command, output, sizeof output);
  tap_diagnostic("%s", output);
  tap_is_integer(status, 0, "promtool check rules accepts contrib/prometheus/dunghen-alerts.yml");
  tap_contains(output, "SUCCESS", "promtool check rules: SUCCESS");
  snprintf(command, sizeof command,
           "cd '%s/tests/e2e' && promtool test rules dunghen-alerts.test.yml 2>&1", setup->source);
  status = run(command, output, sizeof output);
  if (status != 0)
    tap_diagnostic("%s", output);
  tap_is_integer(status, 0, "promtool test rules: the alerts fire as tests/e2e says");
  snprintf(command, sizeof command,
           "python3 '%s/tests/e2e/check_contrib.py' '%s' '%s/contrib/prometheus/dunghen-alerts.yml'"
           " '%s/contrib/grafana/dunghen-dashboard.json' 2>&1",
           setup->source, setup->metrics_path, setup->source, setup->source);
  status = run(command, output, sizeof output);
  tap_diagnostic("%s", output);
  tap_is_integer(status, 0,
                 "the dashboard parses, and the rules and dashboard use only exposed metrics");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  static struct setup setup;
  static char body[BODY_SIZE];
  struct e2e_harness *harness = &setup.harness;
  setup.source = getenv("DUNGHEN_SOURCE_ROOT") != NULL ? getenv("DUNGHEN_SOURCE_ROOT") : ".";
  char probe[256];
  if (!tap_ok(run("command -v promtool", probe, sizeof probe) == 0,
              "promtool is installed (Debian's prometheus package; tools/dev deps)"))
    return tap_finish();
  if (!tap_ok(e2e_setup(harness, conninfo) && prepare(&setup),
              "database migrated, reference schema, agencies, spool and sendmail in"))
    return tap_finish();
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, setup.config, NULL), "the daemon starts")) {
    e2e_teardown(harness);
    return tap_finish();
  }
  tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "the daemon becomes ready");
  insert_dossier(harness, "MET-1", "DLK-TTPVHCC", "now() - interval '30 days'");
  insert_dossier(harness, "MET-2", "DLK-TTPVHCC", "now() - interval '30 days'");
  insert_dossier(harness, "MET-3", "DLK-SNNMT", "now() - interval '30 days'");
  insert_dossier(harness, "MET-4", "DLK-SNNMT", "now()");
  tap_ok(e2e_db_wait_integer(harness, 3, 20,
                             "SELECT count(*) FROM dunghen.letter_log WHERE state = 'rendered'"),
         "three apology letters rendered");
  tap_ok(e2e_db_wait_integer(harness, 1, 20,
                             "SELECT (count(*) > 0)::int FROM dunghen.delivery_log"
                             " WHERE state = 'sent'"),
         "mail handed to sendmail");
  int64_t reload_from = (int64_t)time(NULL);
  kill(daemon.pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(&daemon, "reload: config and rules from", 1, 10), "SIGHUP reloads");
  int64_t reload_to = (int64_t)time(NULL);
  test_live_metrics(&setup, &daemon, reload_from, reload_to, body);
  test_contrib(&setup);
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  e2e_teardown(harness);
  return result;
}
