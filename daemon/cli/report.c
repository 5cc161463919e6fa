/*
 * report.c: `dunghen report`, the period's progress figures (PRODUCT.md, "Statistics";
 * docs/REPORT.md) as text, CSV, JSON or PDF, read from one snapshot, writing nothing to the
 * database.
 *
 * The database and rules are found as `dunghen preview` finds them: the config's conninfo and
 * `paths.rules` (--config, or the default file), --db and --rules overriding them. The figures
 * are counted by store/report.h, labelled and completed by rules/report_rules.h, rendered by
 * core/report.h (text, CSV, JSON) or letter/report_pdf.h (PDF). The PDF's letterhead, place
 * and signer are the issuer's: --issuer CODE, else the --agency when agencies.yaml has it (an
 * agency reporting on itself), else the first agency of agencies.yaml (the shipped file lists
 * the provincial centre first); it is dated on the day of --now (or $DUNGHEN_NOW, else the
 * system clock) and numbered --number (default: left blank to fill in by hand).
 * Without --out the report goes to stdout (a PDF only when stdout is not a terminal); with it,
 * the file is written whole or not at all (a temporary file beside it, fsynced, renamed), mode
 * 0640 like the letters, since a report lists dossier codes.
 * Exit status: 0; 1 when the database or the file system fails; 2 for bad input (dates, an
 * empty or inverted period, an unknown grouping, format or agency, bad rules or config).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "core/report.h"
#include "letter/report_pdf.h"
#include "rules/report_rules.h"
#include "rules/ruleset.h"
#include "service/clock.h"
#include "service/file_write.h"
#include "service/loop.h"
#include "service/session.h"
#include "store/report.h"
#include "store/schema.h"

struct report_options {
  const char *from, *to;
  enum report_grouping grouping;
  const char *agency;
  enum report_format format;
  const char *out;
  const char *config;
  const char *conninfo;
  const char *rules;
  const char *issuer; /* PDF: NULL for the default (see above) */
  long number;        /* PDF: 0 leaves it blank */
  const char *now;    /* PDF: the report's date; NULL: $DUNGHEN_NOW or the system clock */
};

static enum status parse_day(const char *option, const char *text, int64_t *day,
                             struct error *error) {
  struct civil_date date;
  if (civil_parse_date(text, &date, error) != STATUS_OK)
    return error_prefix(error, "%s", option);
  *day = civil_days_from_date(date.year, date.month, date.day);
  return STATUS_OK;
}

/* ---- the file ---- */

static enum status write_stdout(const char *data, size_t size, struct error *error) {
  if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0)
    return error_set(error, STATUS_RUNTIME, "writing the report to stdout failed");
  return STATUS_OK;
}

/* ---- the run ---- */

static enum status connect_database(const struct config *config, PGconn **connection,
                                    struct error *error) {
  int version;
  return session_open_command(config->conninfo, &config->timeouts, "dunghen-report", connection,
                              &version, error);
}

/* --agency must name an agency of agencies.yaml or one the database has dossiers of. */
static enum status check_agency(PGconn *connection, const struct ruleset *set, const char *agency,
                                struct error *error) {
  if (agency == NULL || agencies_find(&set->agencies, agency) != NULL)
    return STATUS_OK;
  bool seen = false;
  enum status status = report_agency_seen(connection, agency, &seen, error);
  if (status != STATUS_OK || seen)
    return status;
  return error_set(error, STATUS_INVALID,
                   "unknown agency '%s': not in agencies.yaml and no dossier of it in the "
                   "database",
                   agency);
}

/* The agency whose letterhead heads the PDF (see the top of this file). */
static enum status find_issuer(const struct report_options *options, const struct ruleset *set,
                               const struct agency **issuer, struct error *error) {
  const struct agency_table *agencies = &set->agencies;
  if (options->issuer != NULL) {
    *issuer = agencies_find(agencies, options->issuer);
    if (*issuer == NULL)
      return error_set(error, STATUS_INVALID,
                       "--issuer: unknown agency '%s' (the PDF's letterhead comes from "
                       "agencies.yaml)",
                       options->issuer);
    return STATUS_OK;
  }
  *issuer = options->agency != NULL ? agencies_find(agencies, options->agency) : NULL;
  if (*issuer == NULL && agencies->count > 0)
    *issuer = &agencies->agencies[0];
  if (*issuer == NULL)
    return error_set(error, STATUS_INVALID,
                     "the PDF needs an issuer's letterhead, and agencies.yaml lists no agency");
  return STATUS_OK;
}

static enum status render_pdf(const struct report_options *options, const struct config *config,
                              const struct agency *issuer, const struct report *report,
                              struct buffer *out, struct error *error) {
  struct report_pdf_input input = {.report = report, .issuer = issuer, .number = options->number};
  struct clock clock;
  if (options->now == NULL)
    clock_init_real(&clock);
  else if (clock_init_simulated(&clock, options->now, NULL, error) != STATUS_OK)
    return error_prefix(error, "--now");
  input.day = civil_local_day(clock_now(&clock));
  unsigned char *data = NULL;
  size_t size = 0;
  enum status status = report_pdf_render(&input, config->font_directory, &data, &size, error);
  if (status == STATUS_OK)
    buffer_append(out, data, size);
  free(data);
  return status;
}

static enum status render(const struct report_options *options, const struct config *config,
                          const struct agency *issuer, const struct report *report,
                          struct buffer *out, struct error *error) {
  switch (options->format) {
  case REPORT_FORMAT_TEXT:
    report_format_text(report, out);
    break;
  case REPORT_FORMAT_CSV:
    report_format_csv(report, out);
    break;
  case REPORT_FORMAT_PDF: {
    enum status status = render_pdf(options, config, issuer, report, out, error);
    if (status != STATUS_OK)
      return status;
    break;
  }
  case REPORT_FORMAT_JSON:
  default:
    report_format_json(report, out);
    break;
  }
  if (out->failed)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report");
  return STATUS_OK;
}

static enum status run_report(const struct report_options *options, struct error *error) {
  struct report_query query = {.grouping = options->grouping, .agency = options->agency};
  enum status status = parse_day("--from", options->from, &query.period.from_day, error);
  if (status == STATUS_OK)
    status = parse_day("--to", options->to, &query.period.to_day, error);
  if (status != STATUS_OK)
    return status;
  if (options->format == REPORT_FORMAT_PDF && options->out == NULL && isatty(STDOUT_FILENO))
    return error_set(error, STATUS_INVALID,
                     "a PDF is not written to a terminal: give --out FILE.pdf, or redirect stdout");
  if (query.period.from_day > query.period.to_day)
    return error_set(error, STATUS_INVALID,
                     "the period is empty: --from %s is after --to %s (both days are included)",
                     options->from, options->to);
  struct loop_options loop = {.config_path = options->config};
  loop.overrides.conninfo = options->conninfo;
  loop.overrides.rules_directory = options->rules;
  struct config config;
  status = loop_load_config(&loop, &config, error);
  if (status != STATUS_OK)
    return status;
  struct ruleset *set = NULL;
  PGconn *connection = NULL;
  struct report report = {0};
  struct buffer out = {0};
  const struct agency *issuer = NULL;
  status = ruleset_load(config.rules_directory, query.period.to_day, &set, error);
  if (status == STATUS_OK && options->format == REPORT_FORMAT_PDF)
    status = find_issuer(options, set, &issuer, error);
  if (status == STATUS_OK)
    status = connect_database(&config, &connection, error);
  if (status == STATUS_OK)
    status = check_agency(connection, set, options->agency, error);
  if (status == STATUS_OK)
    status = report_read(connection, &query, &report, error);
  if (status == STATUS_OK)
    status = report_apply_rules(&report, &set->rules->procedures, &set->agencies, error);
  if (status == STATUS_OK)
    status = render(options, &config, issuer, &report, &out, error);
  if (status == STATUS_OK)
    status = options->out != NULL
                 ? file_write_atomically(options->out, out.data, out.length, FILE_WRITE_MODE, error)
                 : write_stdout(out.data, out.length, error);
  buffer_free(&out);
  report_free(&report);
  session_close(connection);
  ruleset_release(set);
  config_free(&config);
  return status;
}

/* ---- the command line ---- */

enum {
  OPTION_FROM = 1,
  OPTION_TO,
  OPTION_BY,
  OPTION_AGENCY,
  OPTION_FORMAT,
  OPTION_OUT,
  OPTION_CONFIG,
  OPTION_DB,
  OPTION_RULES,
  OPTION_ISSUER,
  OPTION_NUMBER,
  OPTION_NOW,
};

static int parse_format(const char *text, enum report_format *format) {
  static const char *const names[] = {
      [REPORT_FORMAT_TEXT] = "text",
      [REPORT_FORMAT_CSV] = "csv",
      [REPORT_FORMAT_JSON] = "json",
      [REPORT_FORMAT_PDF] = "pdf",
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(text, names[i]) == 0) {
      *format = (enum report_format)i;
      return 0;
    }
  return cli_usage_error("report", "--format is text, csv, json or pdf, not '%s'", text);
}

static int parse_options(int argc, char **argv, struct report_options *options) {
  static const struct option long_options[] = {
      {"from", required_argument, NULL, OPTION_FROM},
      {"to", required_argument, NULL, OPTION_TO},
      {"by", required_argument, NULL, OPTION_BY},
      {"agency", required_argument, NULL, OPTION_AGENCY},
      {"format", required_argument, NULL, OPTION_FORMAT},
      {"out", required_argument, NULL, OPTION_OUT},
      {"config", required_argument, NULL, OPTION_CONFIG},
      {"db", required_argument, NULL, OPTION_DB},
      {"rules", required_argument, NULL, OPTION_RULES},
      {"issuer", required_argument, NULL, OPTION_ISSUER},
      {"number", required_argument, NULL, OPTION_NUMBER},
      {"now", required_argument, NULL, OPTION_NOW},
      {NULL, 0, NULL, 0},
  };
  memset(options, 0, sizeof *options);
  options->grouping = REPORT_BY_AGENCY;
  options->format = REPORT_FORMAT_TEXT;
  optind = 1;
  opterr = 0;
  int option;
  struct error error;
  while ((option = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
    switch (option) {
    case OPTION_FROM:
      options->from = optarg;
      break;
    case OPTION_TO:
      options->to = optarg;
      break;
    case OPTION_BY:
      if (report_grouping_parse(optarg, &options->grouping, &error) != STATUS_OK)
        return cli_usage_error("report", "--by: %s", error.message);
      break;
    case OPTION_AGENCY:
      if (optarg[0] == '\0')
        return cli_usage_error("report", "--agency needs an agency code");
      options->agency = optarg;
      break;
    case OPTION_FORMAT:
      if (parse_format(optarg, &options->format) != 0)
        return STATUS_INVALID;
      break;
    case OPTION_OUT:
      if (optarg[0] == '\0')
        return cli_usage_error("report", "--out needs a file name");
      options->out = optarg;
      break;
    case OPTION_CONFIG:
      options->config = optarg;
      break;
    case OPTION_DB:
      options->conninfo = optarg;
      break;
    case OPTION_RULES:
      options->rules = optarg;
      break;
    case OPTION_ISSUER:
      options->issuer = optarg;
      break;
    case OPTION_NUMBER: {
      char *end = NULL;
      errno = 0;
      options->number = strtol(optarg, &end, 10);
      if (end == optarg || *end != '\0' || errno != 0 || options->number < 0 ||
          options->number > 999999)
        return cli_usage_error("report", "--number is a number from 0 to 999999, not '%s'", optarg);
      break;
    }
    case OPTION_NOW:
      options->now = optarg;
      break;
    default:
      return cli_option_error("report", option, argv);
    }
  }
  if (cli_no_arguments("report", argc, argv) != 0)
    return STATUS_INVALID;
  if (options->from == NULL || options->to == NULL)
    return cli_usage_error("report", "--from DATE and --to DATE are required (YYYY-MM-DD)");
  options->now = cli_now(options->now);
  return 0;
}

int command_report(int argc, char **argv) {
  struct report_options options;
  int usage = parse_options(argc, argv, &options);
  if (usage != 0)
    return usage;
  struct error error;
  error_clear(&error);
  if (run_report(&options, &error) != STATUS_OK)
    return cli_report("report", &error);
  return 0;
}
