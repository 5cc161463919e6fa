/*
 * deadline.c: `dunghen deadline`, the statutory deadline of one dossier, optionally explained.
 *
 *   dunghen deadline --received TS (--procedure CODE [--channel C] | --duration D)
 *                    [--pause FROM/TO]... [--counting hours|days] [--cutoff HH:MM|none]
 *                    [--supplement pause|restart] [--rules DIR] [--explain]
 *                    [--apology-at TS [--promised TS] [--extension D]]
 *
 * The first line is the deadline as ISO 8601 with its offset, or `stopped` when an open pause
 * (`--pause FROM/` or `FROM/open`) holds the clock. --explain adds the derivation: the rule
 * version (source, dates, confidence), the effective start, every skipped day with its reason,
 * every pause, the result. Flags override the procedure's rule; without --procedure the
 * built-in defaults apply (hours, no cut-off, pause). Usage errors and unknown codes exit 2.
 * --apology-at TS adds the apology letter drafted at TS (core/dossier.h, the daemon's own
 * decision): a second line `letter: dated DAY, new date TS, wording W, form F`, and with
 * --explain its derivation after the deadline's. The letter cites the deadline unless
 * --promised gives the receipt slip's time; the extension is the procedure's (5wd without one)
 * unless --extension overrides it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/language.h"
#include "core/civil.h"
#include "core/deadline.h"
#include "core/dossier.h"
#include "core/explanation.h"
#include "rules/rules.h"
#include "rules/translate.h"

static const char COMMAND[] = "deadline";

struct options {
  const char *received;
  const char *procedure;
  const char *channel;
  const char *duration;
  const char *counting;
  const char *cutoff;
  const char *supplement;
  const char *rules;
  const char *apology_at;
  const char *promised;
  const char *extension;
  bool explain;
  const char **pauses;
  size_t pause_count;
};

/* Matches `--name VALUE` and `--name=VALUE`; *index moves past the value. */
static int take_value(int argc, char **argv, int *index, const char *name, const char **value) {
  const char *argument = argv[*index];
  size_t length = strlen(name);
  if (strncmp(argument, name, length) != 0)
    return 0;
  if (argument[length] == '=') {
    *value = argument + length + 1;
    return 1;
  }
  if (argument[length] != '\0')
    return 0;
  if (*index + 1 >= argc)
    return -1;
  *value = argv[++*index];
  return 1;
}

static int parse_options(int argc, char **argv, struct options *options) {
  static const char *const names[] = {"--received",   "--procedure", "--channel",    "--duration",
                                      "--counting",   "--cutoff",    "--supplement", "--rules",
                                      "--apology-at", "--promised",  "--extension",  "--pause"};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--explain") == 0) {
      options->explain = true;
      continue;
    }
    const char *value = NULL;
    int matched = 0;
    size_t which = 0;
    for (; which < sizeof names / sizeof names[0] && matched == 0; which++)
      matched = take_value(argc, argv, &i, names[which], &value);
    if (matched < 0)
      return cli_usage_error(COMMAND, "%s needs a value", argv[i]);
    if (matched == 0)
      return cli_usage_error(COMMAND, "unexpected argument '%s'", argv[i]);
    const char **slots[] = {&options->received,   &options->procedure, &options->channel,
                            &options->duration,   &options->counting,  &options->cutoff,
                            &options->supplement, &options->rules,     &options->apology_at,
                            &options->promised,   &options->extension};
    if (which - 1 < sizeof slots / sizeof slots[0]) {
      *slots[which - 1] = value;
      continue;
    }
    options->pauses[options->pause_count++] = value;
  }
  if (options->received == NULL)
    return cli_usage_error(COMMAND, "missing --received TS");
  if ((options->procedure == NULL) == (options->duration == NULL))
    return options->procedure == NULL
               ? cli_usage_error(COMMAND, "missing --procedure CODE or --duration D")
               : cli_usage_error(COMMAND, "give --procedure or --duration, not both");
  if (options->channel != NULL && options->procedure == NULL)
    return cli_usage_error(COMMAND, "--channel applies only with --procedure");
  if ((options->promised != NULL || options->extension != NULL) && options->apology_at == NULL)
    return cli_usage_error(COMMAND, "--promised and --extension apply only with --apology-at");
  return 0;
}

/* `FROM/TO`, `FROM/` or `FROM/open` (a pause not resumed yet). */
static int parse_pause(const char *text, struct pause_interval *pause) {
  const char *slash = strchr(text, '/');
  if (slash == NULL)
    return cli_usage_error(COMMAND, "--pause needs FROM/TO, not '%s'", text);
  char from[TIMESTAMP_TEXT_SIZE];
  size_t length = (size_t)(slash - text);
  if (length >= sizeof from)
    return cli_usage_error(COMMAND, "--pause: '%s' is not a timestamp", text);
  memcpy(from, text, length);
  from[length] = '\0';
  struct error error = {0};
  if (civil_parse_timestamp(from, &pause->from, &error) != STATUS_OK)
    return cli_usage_error(COMMAND, "--pause: %s", error.message);
  const char *to = slash + 1;
  if (*to == '\0' || strcmp(to, "open") == 0) {
    pause->to = PAUSE_OPEN;
    return 0;
  }
  if (civil_parse_timestamp(to, &pause->to, &error) != STATUS_OK)
    return cli_usage_error(COMMAND, "--pause: %s", error.message);
  return 0;
}

/* Fills the request from the procedure's version in force on the receipt day. */
static int request_from_procedure(const struct rules *rules, const struct options *options,
                                  struct deadline_request *request,
                                  const struct procedure_version **found,
                                  struct explanation *explanation) {
  const struct procedure *procedure = procedures_find(&rules->procedures, options->procedure);
  if (procedure == NULL) {
    const char *nearest = procedures_suggest(&rules->procedures, options->procedure);
    if (nearest != NULL)
      return cli_usage_error(COMMAND, "unknown procedure code '%s' (did you mean '%s'?)",
                             options->procedure, nearest);
    return cli_usage_error(COMMAND, "unknown procedure code '%s'", options->procedure);
  }
  int channel = CHANNEL_DIRECT;
  if (options->channel != NULL) {
    channel = channel_from_name(options->channel);
    if (channel < 0)
      return cli_usage_error(COMMAND, "--channel must be direct, online or postal, not '%s'",
                             options->channel);
  }
  int64_t day = civil_local_day(request->received_at);
  const struct procedure_version *version = procedure_version_at(procedure, day);
  if (version == NULL) {
    char date[16];
    civil_format_date(day, date, sizeof date);
    fprintf(stderr, _("dunghen %s: procedure '%s' has no version in force on %s\n"), COMMAND,
            procedure->code, date);
    return STATUS_INVALID;
  }
  /* The command line's pauses are waits for the applicant's supplement. */
  procedure_deadline_request(version, (enum channel)channel, request->received_at, request->pauses,
                             request->pause_count, true, request);
  *found = version;
  procedure_explain_version(explanation, procedure, version, (enum channel)channel);
  return 0;
}

/* Applies --duration, --counting, --cutoff and --supplement over the rule. */
static int apply_overrides(const struct options *options, struct deadline_request *request,
                           struct explanation *explanation) {
  struct error error = {0};
  if (options->duration != NULL) {
    if (deadline_parse_duration(options->duration, &request->duration, &error) != STATUS_OK)
      return cli_usage_error(COMMAND, "--duration: %s", error.message);
    explanation_add(explanation, "rule: --duration %s from the command line (no procedure)",
                    options->duration);
  }
  if (options->counting != NULL) {
    if (strcmp(options->counting, "hours") != 0 && strcmp(options->counting, "days") != 0)
      return cli_usage_error(COMMAND, "--counting must be hours or days, not '%s'",
                             options->counting);
    request->counting = strcmp(options->counting, "days") == 0 ? COUNTING_DAYS : COUNTING_HOURS;
  }
  if (options->cutoff != NULL) {
    if (strcmp(options->cutoff, "none") == 0)
      request->cutoff = NO_CUTOFF;
    else if (civil_parse_clock(options->cutoff, &request->cutoff, &error) != STATUS_OK)
      return cli_usage_error(COMMAND, "--cutoff: %s", error.message);
  }
  if (options->supplement != NULL) {
    if (strcmp(options->supplement, "pause") != 0 && strcmp(options->supplement, "restart") != 0)
      return cli_usage_error(COMMAND, "--supplement must be pause or restart, not '%s'",
                             options->supplement);
    request->supplement =
        strcmp(options->supplement, "restart") == 0 ? SUPPLEMENT_RESTART : SUPPLEMENT_PAUSE;
  }
  if (options->counting != NULL || options->cutoff != NULL || options->supplement != NULL)
    explanation_add(explanation, "overridden on the command line:%s%s%s%s%s%s",
                    options->counting ? " --counting " : "",
                    options->counting ? options->counting : "", options->cutoff ? " --cutoff " : "",
                    options->cutoff ? options->cutoff : "",
                    options->supplement ? " --supplement " : "",
                    options->supplement ? options->supplement : "");
  return 0;
}

static void print_result(const struct deadline_request *request,
                         const struct deadline_result *result,
                         const struct explanation *explanation, bool explain) {
  if (result->stopped) {
    printf("stopped\n");
    bool hours =
        request->duration.unit == UNIT_WORKING_HOURS ||
        (request->duration.unit == UNIT_WORKING_DAYS && request->counting == COUNTING_HOURS);
    if (hours)
      printf("remaining: %lld working seconds\n", (long long)result->remaining_seconds);
    else
      printf("remaining: %lld %s days\n", (long long)result->remaining_seconds,
             request->duration.unit == UNIT_CALENDAR_DAYS ? "calendar" : "working");
  } else {
    char text[TIMESTAMP_TEXT_SIZE];
    civil_format_timestamp(result->deadline, text);
    printf("%s\n", text);
  }
  for (size_t i = 0; explain && i < explanation->count; i++)
    printf("%s\n", explanation->lines[i]);
}

/* The apology letter drafted at --apology-at, decided as the daemon decides it. */
static int print_apology(const struct options *options, const struct rules *rules,
                         const struct deadline_request *request,
                         const struct deadline_result *result,
                         const struct procedure_version *found) {
  if (result->stopped)
    return cli_usage_error(COMMAND, "--apology-at: an open pause holds the clock, so no letter");
  struct procedure_version version = {
      .counting = request->counting,
      .extension = {PROCEDURE_DEFAULT_EXTENSION_DAYS, UNIT_WORKING_DAYS}};
  if (found != NULL)
    version = *found;
  struct error error = {0};
  struct apology_facts facts = {.received_at = request->received_at,
                                .deadline = result->deadline,
                                .promised_at = result->deadline,
                                .version = &version};
  if (civil_parse_timestamp(options->apology_at, &facts.now, &error) != STATUS_OK)
    return cli_usage_error(COMMAND, "--apology-at: %s", error.message);
  if (options->promised != NULL &&
      civil_parse_timestamp(options->promised, &facts.promised_at, &error) != STATUS_OK)
    return cli_usage_error(COMMAND, "--promised: %s", error.message);
  if (options->extension != NULL &&
      deadline_parse_duration(options->extension, &version.extension, &error) != STATUS_OK)
    return cli_usage_error(COMMAND, "--extension: %s", error.message);
  struct explanation explanation;
  explanation_init(&explanation);
  explanation.translation = language_translation();
  struct apology_decision decision;
  int status = 0;
  if (dossier_apology(rules->calendar, &facts, &decision, &explanation, &error) != STATUS_OK)
    status = cli_report(COMMAND, &error);
  if (status == 0) {
    char day[16], new_date[TIMESTAMP_TEXT_SIZE];
    civil_format_date(decision.issue_day, day, sizeof day);
    civil_format_timestamp(decision.new_date, new_date);
    printf("letter: dated %s, new date %s, wording %s, form %s\n", day, new_date,
           decision.wording == APOLOGY_BEFORE_DEADLINE ? "before_deadline" : "after_deadline",
           decision.form == APOLOGY_FORM_2018 ? "2018" : "2025");
    if (options->explain) {
      printf(_("apology letter drafted %s:\n"), options->apology_at);
      for (size_t i = 0; i < explanation.count; i++)
        printf("%s\n", explanation.lines[i]);
    }
  }
  explanation_free(&explanation);
  return status;
}

static int run(const struct options *options, struct pause_interval *pauses,
               struct explanation *explanation) {
  struct deadline_request request = {0};
  request.counting = COUNTING_HOURS;
  request.cutoff = NO_CUTOFF;
  request.supplement = SUPPLEMENT_PAUSE;
  struct error error = {0};
  if (civil_parse_timestamp(options->received, &request.received_at, &error) != STATUS_OK)
    return cli_usage_error(COMMAND, "--received: %s", error.message);
  for (size_t i = 0; i < options->pause_count; i++) {
    int status = parse_pause(options->pauses[i], &pauses[i]);
    if (status != 0)
      return status;
  }
  request.pauses = pauses;
  request.pause_count = options->pause_count;
  struct rules *rules = NULL;
  if (rules_load(cli_rules_directory(options->rules), civil_local_day(request.received_at), &rules,
                 &error) != STATUS_OK)
    return cli_report(COMMAND, &error);
  int status = 0;
  const struct procedure_version *version = NULL;
  if (options->procedure != NULL)
    status = request_from_procedure(rules, options, &request, &version, explanation);
  if (status == 0)
    status = apply_overrides(options, &request, explanation);
  struct deadline_result result;
  if (status == 0 &&
      deadline_compute(rules->calendar, &request, &result, explanation, &error) != STATUS_OK)
    status = cli_report(COMMAND, &error);
  if (status == 0)
    print_result(&request, &result, explanation, options->explain);
  if (status == 0 && options->apology_at != NULL)
    status = print_apology(options, rules, &request, &result, version);
  rules_free(rules);
  return status;
}

int command_deadline(int argc, char **argv) {
  struct options options = {0};
  /* At most one pause per argument: sized once, freed once. */
  options.pauses = calloc((size_t)argc, sizeof *options.pauses);
  struct pause_interval *pauses = calloc((size_t)argc, sizeof *pauses);
  if (options.pauses == NULL || pauses == NULL) {
    free(options.pauses);
    free(pauses);
    fprintf(stderr, "dunghen %s: out of memory\n", COMMAND);
    return STATUS_RUNTIME;
  }
  int status = parse_options(argc, argv, &options);
  struct explanation explanation;
  explanation_init(&explanation);
  explanation.translation = language_translation();
  if (status == 0)
    status = run(&options, pauses, &explanation);
  explanation_free(&explanation);
  free(options.pauses);
  free(pauses);
  return status;
}
