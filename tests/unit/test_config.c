/* Unit tests for service/config: defaults, every section, and each error's exact message. */
#include <string.h>

#include "service/config.h"
#include "service/log.h"
#include "tap.h"

static void expect_error(const char *text, const char *message, const char *what) {
  struct config config;
  struct error error = {0};
  enum status status = config_load_buffer("dunghen.yaml", text, &config, &error);
  tap_is_integer(status, STATUS_INVALID, "%s is refused", what);
  tap_is_string(error.message, message, "%s: exact message", what);
}

static void test_defaults(void) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", "", &config, &error), STATUS_OK,
                 "an empty file means all defaults");
  tap_ok(config.conninfo == NULL, "no conninfo: the PG environment is used");
  tap_is_string(config.http_address, "127.0.0.1", "HTTP listens on loopback by default");
  tap_is_integer(config.http_port, CONFIG_DEFAULT_HTTP_PORT, "default port");
  tap_ok(config.http_enabled, "HTTP is on by default");
  tap_is_integer(config.poll_interval, CONFIG_DEFAULT_POLL_INTERVAL, "default poll interval");
  tap_is_integer(config.overlap, CONFIG_DEFAULT_OVERLAP, "default overlap");
  tap_is_integer(config.batch_size, CONFIG_DEFAULT_BATCH_SIZE, "default batch size");
  tap_is_integer(config.first_pass_sessions, 2, "the first pass on two sessions by default");
  tap_is_integer(config.log_level, LOG_INFO, "default log level");
  tap_is_string(config.spool_directory, CONFIG_DEFAULT_SPOOL, "default spool");
  tap_is_string(config.spool_directory, "/var/lib/dunghen/spool", "the default spool's path");
  tap_ok(config.letters_directory == NULL, "letters directory left to the installed default");
  tap_ok(!config.true_italic, "italics are slanted from the upright faces by default");
  tap_ok(config.font_directory == NULL, "fonts: the installed subset by default");
  tap_ok(config.rules_directory == NULL, "rules directory left to the environment");
  config_free(&config);
}

static void test_full(void) {
  const char *text = "database:\n"
                     "  conninfo: host=/run/postgresql dbname=onestop user=dunghen\n"
                     "  connect_timeout: 5\n"
                     "  ping_interval: 15\n"
                     "paths:\n"
                     "  rules: /etc/dunghen/rules\n"
                     "  letters: /usr/share/dunghen/letters\n"
                     "  spool: /var/lib/dunghen/spool\n"
                     "letters:\n"
                     "  true_italic: yes\n"
                     "  fonts: /usr/share/fonts/truetype/liberation2\n"
                     "http:\n"
                     "  enabled: true\n"
                     "  address: ::1\n"
                     "  port: 0\n"
                     "sync:\n"
                     "  poll_interval: 10\n"
                     "  overlap: 120\n"
                     "  batch_size: 500\n"
                     "  first_pass_sessions: 1\n"
                     "log:\n"
                     "  level: debug\n";
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", text, &config, &error), STATUS_OK,
                 "a complete config loads");
  tap_is_string(config.conninfo, "host=/run/postgresql dbname=onestop user=dunghen", "conninfo");
  tap_is_integer(config.connect_timeout, 5, "connect_timeout");
  tap_is_integer(config.ping_interval, 15, "ping_interval");
  tap_is_string(config.rules_directory, "/etc/dunghen/rules", "rules");
  tap_is_string(config.letters_directory, "/usr/share/dunghen/letters", "letters");
  tap_is_string(config.spool_directory, "/var/lib/dunghen/spool", "spool");
  tap_ok(config.true_italic, "letters.true_italic");
  tap_is_string(config.font_directory, "/usr/share/fonts/truetype/liberation2", "letters.fonts");
  tap_is_string(config.http_address, "::1", "http address");
  tap_is_integer(config.http_port, 0, "port 0 (any free port)");
  tap_is_integer(config.poll_interval, 10, "poll_interval");
  tap_is_integer(config.overlap, 120, "overlap");
  tap_is_integer(config.batch_size, 500, "batch_size");
  tap_is_integer(config.first_pass_sessions, 1, "first_pass_sessions");
  tap_is_integer(config.log_level, LOG_DEBUG, "log level");
  tap_is_string(config.file, "dunghen.yaml", "the file is remembered");
  tap_is_integer(config_set_string(&config.conninfo, "dbname=other", &error), STATUS_OK,
                 "an override replaces a value");
  tap_is_string(config.conninfo, "dbname=other", "overridden conninfo");
  config_free(&config);
}

static void test_retention(void) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", "", &config, &error), STATUS_OK, "defaults");
  tap_ok(config.retention.escalation_days == 0 && config.retention.clock_days == 0 &&
             config.retention.delivery_days == RETENTION_DEFAULT_DELIVERY_DAYS,
         "by default escalations and clocks are kept forever, deliveries a year");
  config_free(&config);
  tap_is_integer(config_load_buffer("dunghen.yaml",
                                    "retention:\n  escalations: 730\n  clocks: 1095\n"
                                    "  deliveries: 90\n  batch_size: 500\n",
                                    &config, &error),
                 STATUS_OK, "a retention section %s", error.message);
  tap_ok(config.retention.escalation_days == 730 && config.retention.clock_days == 1095 &&
             config.retention.delivery_days == 90 && config.retention.batch_size == 500,
         "is read");
  config_free(&config);
  expect_error("retention:\n  escalations: 730\n  clocks: 365\n",
               "dunghen.yaml:3:11: retention.clocks (365 days) must be at least "
               "retention.escalations (days): a dossier's escalations are found through its "
               "clock",
               "clocks kept for less time than their escalations");
  expect_error("retention:\n  clocks: 365\n",
               "dunghen.yaml:2:11: retention.clocks (365 days) must be at least "
               "retention.escalations (0, kept forever): a dossier's escalations are found "
               "through its clock",
               "clocks deleted while escalations are kept forever");
  expect_error("retention:\n  letters: 30\n",
               "dunghen.yaml:2:3: unknown key 'letters' in retention",
               "a retention for letters (never deleted)");
  expect_error("retention:\n  deliveries: -1\n",
               "dunghen.yaml:2:15: retention.deliveries: -1 is out of range (0 to 36500)",
               "a negative retention");
}

/* The reload guard's limits (docs/PREVIEW.md, "The reload guard"). */
static void test_reload(void) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", "", &config, &error), STATUS_OK, "defaults");
  tap_ok(config.reload.max_letters == 20 && config.reload.max_escalations == 500,
         "by default a reload may queue 20 letters and raise 500 escalations");
  config_free(&config);
  tap_is_integer(config_load_buffer("dunghen.yaml",
                                    "reload:\n  max_letters: 0\n  max_escalations: 1200\n", &config,
                                    &error),
                 STATUS_OK, "a reload section %s", error.message);
  tap_ok(config.reload.max_letters == 0 && config.reload.max_escalations == 1200, "is read");
  config_free(&config);
  expect_error("reload:\n  max_leters: 5\n",
               "dunghen.yaml:2:3: unknown key 'max_leters' in reload (did you mean "
               "'max_letters'?)",
               "a misspelt limit");
  expect_error("reload:\n  max_letters: -1\n",
               "dunghen.yaml:2:16: reload.max_letters: -1 is out of range (0 to 100000000)",
               "a negative limit");
  expect_error("reload:\n  max_escalations: many\n",
               "dunghen.yaml:2:20: reload.max_escalations: expected a whole number, found 'many'",
               "a limit that is not a number");
  expect_error("reload: 20\n", "dunghen.yaml:1:9: reload must be a mapping, not a single value",
               "a reload section that is not a mapping");
}

static void test_reports(void) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", "", &config, &error), STATUS_OK, "defaults");
  tap_ok(!config.reports.enabled, "the scheduled report is off by default");
  tap_ok(config.reports.period == REPORT_PERIOD_MONTH &&
             config.reports.grouping == REPORT_BY_AGENCY,
         "monthly, by agency, by default");
  tap_ok(config.reports.role_count == 1 &&
             strcmp(config.reports.roles[0], "provincial_office") == 0 &&
             config.reports.roles[1] == NULL,
         "mailed to the provincial office by default");
  tap_ok(config.reports.issuer == NULL, "issuer: the rules' first agency by default");
  config_free(&config);
  tap_is_integer(config_load_buffer("dunghen.yaml",
                                    "reports:\n  enabled: yes\n  period: quarter\n  by: field\n"
                                    "  roles: [one_stop_unit, provincial_office]\n"
                                    "  issuer: DLK-TTPVHCC\n",
                                    &config, &error),
                 STATUS_OK, "a reports section %s", error.message);
  tap_ok(config.reports.enabled && config.reports.period == REPORT_PERIOD_QUARTER &&
             config.reports.grouping == REPORT_BY_FIELD,
         "enabled, quarterly, by field");
  tap_ok(config.reports.role_count == 2 && strcmp(config.reports.roles[0], "one_stop_unit") == 0 &&
             strcmp(config.reports.roles[1], "provincial_office") == 0,
         "two roles");
  tap_is_string(config.reports.issuer, "DLK-TTPVHCC", "the issuer");
  tap_ok(config.reports.issuer_line == 6 && config.reports.issuer_column == 11,
         "and where it was written, for the check against the rules");
  struct config_reports copy;
  tap_is_integer(config_reports_copy(&config.reports, &copy, &error), STATUS_OK, "copied");
  tap_ok(copy.roles != config.reports.roles && strcmp(copy.roles[1], "provincial_office") == 0 &&
             copy.issuer != config.reports.issuer && strcmp(copy.issuer, "DLK-TTPVHCC") == 0,
         "deeply");
  config_reports_free(&copy);
  config_free(&config);
  tap_is_integer(config_load_buffer("dunghen.yaml", "reports:\n  roles: signer\n", &config, &error),
                 STATUS_OK, "one role as a single value");
  tap_ok(config.reports.role_count == 1 && strcmp(config.reports.roles[0], "signer") == 0,
         "is a list of one");
  config_free(&config);
  expect_error("reports:\n  enabled: true\n  period: week\n",
               "dunghen.yaml:3:11: reports.period: 'week' is not one of: month, quarter",
               "an unknown period");
  expect_error("reports:\n  by: office\n",
               "dunghen.yaml:2:7: reports.by: 'office' is not one of: agency, field, procedure, "
               "channel",
               "an unknown grouping");
  expect_error("reports:\n  roles: [provincial_ofice]\n",
               "dunghen.yaml:2:11: reports.roles: 'provincial_ofice' is not one of: "
               "handling_agency, agency_head, signer, one_stop_unit, provincial_office, applicant",
               "an unknown role");
  expect_error("reports:\n  roles: []\n",
               "dunghen.yaml:2:10: reports.roles: name at least one role", "no role");
  expect_error("reports:\n  roles: [applicant]\n",
               "dunghen.yaml:2:10: reports.roles: the report is not mailed to applicants (roles: "
               "handling_agency, agency_head, signer, one_stop_unit, provincial_office)",
               "the applicant");
  expect_error("reports:\n  issuer: ''\n", "dunghen.yaml:2:11: reports.issuer: must not be empty",
               "an empty issuer");
  expect_error("reports:\n  periode: month\n",
               "dunghen.yaml:2:3: unknown key 'periode' in reports (did you mean 'period'?)",
               "a misspelt key");
  expect_error("reports:\n  enabled: monthly\n",
               "dunghen.yaml:2:12: reports.enabled: 'monthly' is not one of: false, true, no, yes",
               "an enabled that is not a boolean");
  expect_error("reports: month\n",
               "dunghen.yaml:1:10: reports must be a mapping, not a single value",
               "a reports section that is a scalar");
}

static void test_errors(void) {
  expect_error("databse:\n  conninfo: x\n",
               "dunghen.yaml:1:1: unknown key 'databse' in the config (did you mean 'database'?)",
               "a misspelt section");
  expect_error("http:\n  prot: 80\n",
               "dunghen.yaml:2:3: unknown key 'prot' in http (did you mean 'port'?)",
               "a misspelt key");
  expect_error("http:\n  port: 70000\n",
               "dunghen.yaml:2:9: http.port: 70000 is out of range (0 to 65535)",
               "a port out of range");
  expect_error("sync:\n  poll_interval: often\n",
               "dunghen.yaml:2:18: sync.poll_interval: expected a whole number, found 'often'",
               "a poll interval that is not a number");
  expect_error("sync:\n  batch_size: 0\n",
               "dunghen.yaml:2:15: sync.batch_size: 0 is out of range (1 to 1000000)",
               "a zero batch size");
  expect_error("sync:\n  first_pass_sessions: 9\n",
               "dunghen.yaml:2:24: sync.first_pass_sessions: 9 is out of range (1 to 8)",
               "more first-pass sessions than a server should give one daemon");
  expect_error("log:\n  level: verbose\n",
               "dunghen.yaml:2:10: log.level: 'verbose' is not one of: error, warning, info, "
               "debug",
               "an unknown log level");
  expect_error("paths:\n  rules: rules/\n",
               "dunghen.yaml:2:10: paths.rules: 'rules/' is not an absolute path",
               "a relative rules directory");
  expect_error("paths:\n  spool: ''\n", "dunghen.yaml:2:10: paths.spool: must not be empty",
               "an empty spool");
  expect_error("http:\n  enabled: maybe\n",
               "dunghen.yaml:2:12: http.enabled: 'maybe' is not one of: false, true, no, yes",
               "a boolean that is not one");
  expect_error("letters:\n  true_italic: sometimes\n",
               "dunghen.yaml:2:16: letters.true_italic: 'sometimes' is not one of: false, true, "
               "no, yes",
               "an italic choice that is not a boolean");
  expect_error("letters:\n  italic: true\n", "dunghen.yaml:2:3: unknown key 'italic' in letters",
               "a misspelt letters key");
  expect_error("paths:\n  letters: letters\n",
               "dunghen.yaml:2:12: paths.letters: 'letters' is not an absolute path",
               "a relative letters directory");
  expect_error("database:\n  conninfo: [a, b]\n",
               "dunghen.yaml:2:13: database.conninfo: expected text, found a list",
               "a conninfo that is a list");
  expect_error("- database\n", "dunghen.yaml:1:1: the config must be a mapping, not a list",
               "a file that is a list");
  expect_error("http: 8080\n", "dunghen.yaml:1:7: http must be a mapping, not a single value",
               "a section that is a scalar");
  expect_error("log:\n  level: info\nlog:\n  level: debug\n",
               "dunghen.yaml:3:1: duplicate key 'log' (first at line 1)", "a duplicate section");
}

static void test_missing_file(void) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load("/nonexistent/dunghen.yaml", &config, &error), STATUS_INVALID,
                 "a missing file is invalid input");
  tap_is_string(error.message, "/nonexistent/dunghen.yaml: cannot open: No such file or directory",
                "a missing file: exact message");
}

/* database.statement_timeout, lock_timeout, idle_in_transaction_session_timeout. */
static void test_timeouts(void) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", "", &config, &error), STATUS_OK, "defaults");
  tap_is_integer(config.timeouts.statement, 300, "statement_timeout: 300 s by default");
  tap_is_integer(config.timeouts.lock, 30, "lock_timeout: 30 s by default");
  tap_is_integer(config.timeouts.idle_in_transaction, 600,
                 "idle_in_transaction_session_timeout: 600 s by default");
  config_free(&config);
  tap_is_integer(config_load_buffer("dunghen.yaml",
                                    "database:\n  statement_timeout: 0\n  lock_timeout: server\n"
                                    "  idle_in_transaction_session_timeout: 86400\n",
                                    &config, &error),
                 STATUS_OK, "timeouts: 0, server and the maximum are accepted");
  tap_is_integer(config.timeouts.statement, 0, "statement_timeout 0: no limit");
  tap_is_integer(config.timeouts.lock, CONFIG_TIMEOUT_SERVER,
                 "lock_timeout server: left to the role or server");
  tap_is_integer(config.timeouts.idle_in_transaction, 86400, "the maximum, 86400 s");
  config_free(&config);
  expect_error("database:\n  conninfo: dbname=onestop hots=db1\n",
               "dunghen.yaml:2:13: database.conninfo: unknown connection keyword 'hots'",
               "a conninfo with a misspelt keyword");
  expect_error("database:\n  conninfo: dbname=onestop password 's3cret\n",
               "dunghen.yaml:2:13: database.conninfo: not a libpq connection string (key=value "
               "pairs or a postgresql:// URI)",
               "a conninfo libpq cannot parse, without quoting it");
  expect_error("database:\n  statement_timeout: 5min\n",
               "dunghen.yaml:2:22: database.statement_timeout: seconds from 0 (no limit) to "
               "86400, or 'server' (the role's or the server's setting applies)",
               "a statement_timeout with a unit");
  expect_error("database:\n  lock_timeout: -1\n",
               "dunghen.yaml:2:17: database.lock_timeout: seconds from 0 (no limit) to 86400, or "
               "'server' (the role's or the server's setting applies)",
               "a negative lock_timeout");
  expect_error("database:\n  idle_in_transaction_session_timeout: [1]\n",
               "dunghen.yaml:2:40: database.idle_in_transaction_session_timeout: seconds from 0 "
               "(no limit) to 86400, or 'server' (the role's or the server's setting applies)",
               "an idle_in_transaction_session_timeout that is a list");
  expect_error("database:\n  statement_timeout: 86401\n",
               "dunghen.yaml:2:22: database.statement_timeout: seconds from 0 (no limit) to "
               "86400, or 'server' (the role's or the server's setting applies)",
               "a statement_timeout over a day");
  expect_error("database:\n  statment_timeout: 5\n",
               "dunghen.yaml:2:3: unknown key 'statment_timeout' in database (did you mean "
               "'statement_timeout'?)",
               "a misspelt statement_timeout");
  expect_error("database:\n  idle_in_transaction_session_timeout: 60\n"
               "mail:\n  enabled: true\n  from: a@example.org\n  timeout: 60\n",
               "dunghen.yaml:2:40: database.idle_in_transaction_session_timeout (60 s) must be "
               "longer than mail.timeout (60 s): a delivery's transaction stays open while "
               "sendmail runs",
               "an idle-in-transaction limit that sendmail could outlast");
  expect_error("mail:\n  enabled: true\n  from: a@example.org\n  timeout: 900\n",
               "dunghen.yaml:4:12: database.idle_in_transaction_session_timeout (600 s) must be "
               "longer than mail.timeout (900 s): a delivery's transaction stays open while "
               "sendmail runs",
               "a mail.timeout past the default idle-in-transaction limit");
  tap_is_integer(config_load_buffer("dunghen.yaml",
                                    "database:\n  idle_in_transaction_session_timeout: 0\n"
                                    "mail:\n  enabled: true\n  from: a@example.org\n"
                                    "  timeout: 900\n",
                                    &config, &error),
                 STATUS_OK, "no idle-in-transaction limit: any mail.timeout");
  config_free(&config);
}

int main(void) {
  test_defaults();
  test_timeouts();
  test_full();
  test_errors();
  test_retention();
  test_reload();
  test_reports();
  test_missing_file();
  return tap_finish();
}
