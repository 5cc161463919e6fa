/*
 * preview.c: `dunghen preview`, what replacing the rules in force by DIR would do, writing
 * nothing (docs/PREVIEW.md).
 *
 * The rules in force are those `dunghen once` would load: the config's `paths.rules` (--config,
 * or the default file), else $DUNGHEN_RULES, else the installed rules; --db overrides the
 * config's conninfo. Both sets are loaded once; the rule changes come from rules_diff_compute();
 * then every open dossier (store/preview.h, one read-only snapshot, in batches) is evaluated
 * under both sets at `now` (--now or $DUNGHEN_NOW, else the system clock) and compared
 * (core/preview.h), counted by service/rules_impact.h as the reload guard counts. Only the
 * dossiers that differ are kept, sorted by code, for the listing; the summary counts every
 * examined dossier by procedure and by agency.
 * Progress goes to stderr every PROGRESS_EVERY dossiers when there are more than
 * PROGRESS_QUIET_UP_TO of them or stderr is a terminal.
 * Exit status: 0; 1 when the database fails; 2 for usage, config or rules errors
 * (FILE:LINE:COLUMN: message).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/language.h"
#include "core/civil.h"
#include "core/preview.h"
#include "core/text_column.h"
#include "rules/rules_diff.h"
#include "rules/ruleset.h"
#include "rules/translate.h"
#include "service/clock.h"
#include "service/loop.h"
#include "service/rules_impact.h"
#include "service/session.h"
#include "store/schema.h"

enum { PROGRESS_EVERY = 50000, PROGRESS_QUIET_UP_TO = 20000 };

struct preview_options {
  const char *rules;  /* the new rules: a directory or search path */
  const char *config; /* NULL: the default file */
  const char *conninfo;
  const char *now;
  bool json;
};

/* A dossier that differs, kept for the listing. */
struct changed_dossier {
  char *code;
  char *procedure_code; /* NULL: none */
  char *agency_code;
  struct preview_difference difference;
};

struct group {
  char *key; /* NULL: an empty slot */
  size_t examined, moved, escalations, letters;
};

/* Groups by key in an open-addressing table (a few hundred procedures or agencies). */
struct group_table {
  struct group *slots;
  size_t capacity, count;
};

struct preview_run {
  struct rules_impact_side before, after;
  int64_t now;
  int64_t total;
  bool progress;
  struct changed_dossier *changed;
  size_t changed_count, changed_capacity;
  struct group_table by_procedure, by_agency;
  struct rules_impact impact; /* the summary */
};

static uint64_t hash_text(const char *text) {
  uint64_t hash = UINT64_C(14695981039346656037);
  for (; *text != '\0'; text++)
    hash = (hash ^ (unsigned char)*text) * UINT64_C(1099511628211);
  return hash;
}

static bool groups_grow(struct group_table *table) {
  size_t capacity = table->capacity > 0 ? table->capacity * 2 : 64;
  struct group *slots = calloc(capacity, sizeof *slots);
  if (slots == NULL)
    return false;
  for (size_t i = 0; i < table->capacity; i++) {
    if (table->slots[i].key == NULL)
      continue;
    size_t slot = hash_text(table->slots[i].key) & (capacity - 1);
    while (slots[slot].key != NULL)
      slot = (slot + 1) & (capacity - 1);
    slots[slot] = table->slots[i];
  }
  free(table->slots);
  table->slots = slots;
  table->capacity = capacity;
  return true;
}

/* The group of `key` (NULL or blank: "(none)"), added when new; NULL when out of memory. */
static struct group *groups_find(struct group_table *table, const char *key) {
  if (key == NULL || key[strspn(key, " \t")] == '\0')
    key = "(none)";
  if ((table->count + 1) * 2 > table->capacity && !groups_grow(table))
    return NULL;
  size_t slot = hash_text(key) & (table->capacity - 1);
  while (table->slots[slot].key != NULL) {
    if (strcmp(table->slots[slot].key, key) == 0)
      return &table->slots[slot];
    slot = (slot + 1) & (table->capacity - 1);
  }
  table->slots[slot].key = strdup(key);
  if (table->slots[slot].key == NULL)
    return NULL;
  table->count++;
  return &table->slots[slot];
}

static int compare_groups(const void *left, const void *right) {
  const struct group *a = left, *b = right;
  if (a->key == NULL || b->key == NULL)
    return (a->key == NULL) - (b->key == NULL);
  return strcmp(a->key, b->key);
}

/* Sorts the groups by key into the first `count` slots (the table is no longer searchable). */
static void groups_sort(struct group_table *table) {
  if (table->capacity > 0)
    qsort(table->slots, table->capacity, sizeof *table->slots, compare_groups);
}

static void groups_free(struct group_table *table) {
  for (size_t i = 0; i < table->capacity; i++)
    free(table->slots[i].key);
  free(table->slots);
}

static void count_in(struct group *group, const struct preview_difference *difference) {
  group->examined++;
  if (!difference->differs)
    return;
  group->moved += difference->moved;
  group->escalations += (size_t)difference->escalation_count;
  group->letters += difference->letter;
}

static char *copy_text(const char *text, bool *failed) {
  if (text == NULL)
    return NULL;
  char *copy = strdup(text);
  *failed = *failed || copy == NULL;
  return copy;
}

static enum status keep_changed(struct preview_run *run, const struct dossier_facts *facts,
                                const struct preview_difference *difference, struct error *error) {
  if (run->changed_count == run->changed_capacity) {
    size_t capacity = run->changed_capacity > 0 ? run->changed_capacity * 2 : 256;
    struct changed_dossier *grown = realloc(run->changed, capacity * sizeof *grown);
    if (grown == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory");
    run->changed = grown;
    run->changed_capacity = capacity;
  }
  bool failed = false;
  struct changed_dossier *kept = &run->changed[run->changed_count++];
  *kept = (struct changed_dossier){
      .code = copy_text(facts->code, &failed),
      .procedure_code = copy_text(facts->procedure_code, &failed),
      .agency_code = copy_text(facts->agency_code, &failed),
      .difference = *difference,
  };
  return failed ? error_set(error, STATUS_RUNTIME, "out of memory") : STATUS_OK;
}

static void on_total(void *context, int64_t total) {
  struct preview_run *run = context;
  run->total = total;
  run->progress = total > PROGRESS_QUIET_UP_TO || isatty(STDERR_FILENO);
}

/* After rules_impact_measure() counted the dossier: its groups, the listing, the progress. */
static enum status on_dossier(void *context, const struct dossier_facts *facts,
                              const struct preview_difference *difference, struct error *error) {
  struct preview_run *run = context;
  struct group *procedure = groups_find(&run->by_procedure, facts->procedure_code);
  struct group *agency = groups_find(&run->by_agency, facts->agency_code);
  if (procedure == NULL || agency == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  count_in(procedure, difference);
  count_in(agency, difference);
  if (run->progress && run->impact.examined % PROGRESS_EVERY == 0)
    fprintf(stderr, "preview: %zu of %" PRId64 " dossiers\n", run->impact.examined, run->total);
  if (!difference->differs)
    return STATUS_OK;
  return keep_changed(run, facts, difference, error);
}

static int compare_changed(const void *left, const void *right) {
  const struct changed_dossier *a = left, *b = right;
  return strcmp(a->code, b->code);
}

/* ---- output ---- */

static void json_string(FILE *out, const char *text) {
  if (text == NULL) {
    fputs("null", out);
    return;
  }
  putc('"', out);
  for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
    if (*c == '"' || *c == '\\')
      fprintf(out, "\\%c", *c);
    else if (*c == '\n')
      fputs("\\n", out);
    else if (*c < 0x20 || *c == 0x7f)
      fprintf(out, "\\u%04x", *c);
    else
      putc(*c, out);
  }
  putc('"', out);
}

static void json_time(FILE *out, bool present, int64_t instant) {
  char text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(instant, text);
  json_string(out, present ? text : NULL);
}

static void json_groups(FILE *out, const struct group_table *table) {
  fputs("[", out);
  for (size_t i = 0; i < table->count; i++) {
    const struct group *group = &table->slots[i];
    fputs(i > 0 ? ", " : "", out);
    fputs("{\"key\": ", out);
    json_string(out, group->key);
    fprintf(out, ", \"examined\": %zu, \"moved\": %zu, \"escalations\": %zu, \"letters\": %zu}",
            group->examined, group->moved, group->escalations, group->letters);
  }
  fputs("]", out);
}

static void print_json(FILE *out, const struct preview_run *run, const struct rules_diff *diff) {
  const struct ladder *ladder = run->after.rules.ladder;
  fprintf(out,
          "{\"summary\": {\"examined\": %zu, \"moved\": %zu, \"escalations\": %zu, "
          "\"letters\": %zu, \"now\": ",
          run->impact.examined, run->impact.moved, run->impact.escalations, run->impact.letters);
  json_time(out, true, run->now);
  fputs(", \"by_procedure\": ", out);
  json_groups(out, &run->by_procedure);
  fputs(", \"by_agency\": ", out);
  json_groups(out, &run->by_agency);
  fputs("},\n \"changes\": [", out);
  for (size_t i = 0; i < diff->count; i++) {
    fputs(i > 0 ? ",\n  {\"kind\": " : "\n  {\"kind\": ", out);
    json_string(out, diff->changes[i].kind);
    fputs(", \"subject\": ", out);
    json_string(out, diff->changes[i].subject);
    fputs(", \"sentence\": ", out);
    json_string(out, diff->changes[i].sentence);
    fputs("}", out);
  }
  fputs("],\n \"dossiers\": [", out);
  int64_t per_day = preview_seconds_per_day(run->after.rules.calendar);
  for (size_t i = 0; i < run->changed_count; i++) {
    const struct changed_dossier *dossier = &run->changed[i];
    const struct preview_difference *difference = &dossier->difference;
    fputs(i > 0 ? ",\n  {\"code\": " : "\n  {\"code\": ", out);
    json_string(out, dossier->code);
    fputs(", \"procedure_code\": ", out);
    json_string(out, dossier->procedure_code);
    fputs(", \"agency_code\": ", out);
    json_string(out, dossier->agency_code);
    fputs(", \"deadline_before\": ", out);
    json_time(out, difference->has_deadline_before, difference->deadline_before);
    fputs(", \"deadline_after\": ", out);
    json_time(out, difference->has_deadline_after, difference->deadline_after);
    char shift[PREVIEW_SHIFT_SIZE];
    preview_format_shift(difference->shift_seconds, per_day, shift);
    fprintf(out, ", \"shift_seconds\": %" PRId64 ", \"shift\": ", difference->shift_seconds);
    json_string(out, shift);
    fputs(", \"state_before\": ", out);
    json_string(out, dossier_state_name(difference->state_before));
    fputs(", \"state_after\": ", out);
    json_string(out, dossier_state_name(difference->state_after));
    fputs(", \"escalations\": [", out);
    int listed = 0;
    for (size_t level = 0; level < ladder->count; level++) {
      if ((difference->escalations & (UINT32_C(1) << level)) == 0)
        continue;
      fputs(listed++ > 0 ? ", " : "", out);
      json_string(out, ladder->levels[level].name);
    }
    fprintf(out, "], \"letter\": %s}", difference->letter ? "true" : "false");
  }
  fputs(run->changed_count > 0 ? "\n ]}\n" : "]}\n", out);
}

static void text_deadline(FILE *out, bool present, int64_t instant) {
  char text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(instant, text);
  fputs(present ? text : _("none"), out);
}

/* One line of a counts table: the key, then the four counts, each padded to its heading's
 * width counted in columns (the headings may be Vietnamese). */
static void text_group_line(struct buffer *line, const char *key, const char *const counts[4]) {
  static const size_t widths[4] = {9, 9, 11, 9};
  buffer_add(line, "  ");
  text_column_add(line, key, strlen(key), 20, false);
  for (size_t i = 0; i < 4; i++) {
    buffer_add(line, " ");
    text_column_add(line, counts[i], strlen(counts[i]), widths[i], true);
  }
  buffer_add(line, "\n");
}

static void text_groups(FILE *out, const char *heading, const char *column,
                        const struct group_table *table) {
  struct buffer lines = {0};
  buffer_add_format(&lines, "\n%s\n", heading);
  const char *const headings[4] = {_("examined"), _("moved"), _("escalations"), _("letters")};
  text_group_line(&lines, column, headings);
  for (size_t i = 0; i < table->count; i++) {
    const struct group *group = &table->slots[i];
    char figures[4][24];
    snprintf(figures[0], sizeof figures[0], "%zu", group->examined);
    snprintf(figures[1], sizeof figures[1], "%zu", group->moved);
    snprintf(figures[2], sizeof figures[2], "%zu", group->escalations);
    snprintf(figures[3], sizeof figures[3], "%zu", group->letters);
    const char *const counts[4] = {figures[0], figures[1], figures[2], figures[3]};
    text_group_line(&lines, group->key, counts);
  }
  if (!lines.failed)
    fputs(lines.data, out);
  buffer_free(&lines);
}

static void print_text(FILE *out, const struct preview_run *run, const struct rules_diff *diff) {
  const struct ladder *ladder = run->after.rules.ladder;
  char now[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(run->now, now);
  if (diff->count == 0)
    fputs(_("Rule changes: none found\n"), out);
  else
    fprintf(out, _("Rule changes (%zu):\n"), diff->count);
  for (size_t i = 0; i < diff->count; i++)
    fprintf(out, "  %s\n", diff->changes[i].sentence);
  fprintf(out, _("\nDossiers that change at %s: %zu of %zu open\n"), now, run->changed_count,
          run->impact.examined);
  int64_t per_day = preview_seconds_per_day(run->after.rules.calendar);
  for (size_t i = 0; i < run->changed_count; i++) {
    const struct changed_dossier *dossier = &run->changed[i];
    const struct preview_difference *difference = &dossier->difference;
    fprintf(out, _("  %s (procedure %s, agency %s)\n    deadline: "), dossier->code,
            dossier->procedure_code != NULL ? dossier->procedure_code : _("(none)"),
            dossier->agency_code != NULL ? dossier->agency_code : _("(none)"));
    text_deadline(out, difference->has_deadline_before, difference->deadline_before);
    fputs(" -> ", out);
    text_deadline(out, difference->has_deadline_after, difference->deadline_after);
    if (difference->moved) {
      char shift[PREVIEW_SHIFT_SIZE];
      preview_describe_shift(language_translation(), difference->shift_seconds, per_day, shift);
      fprintf(out, " (%s)", shift);
    }
    fprintf(out, _("\n    state: %s -> %s\n    raised at once: "),
            dossier_state_name(difference->state_before),
            dossier_state_name(difference->state_after));
    int listed = 0;
    for (size_t level = 0; level < ladder->count; level++)
      if ((difference->escalations & (UINT32_C(1) << level)) != 0)
        fprintf(out, "%s%s", listed++ > 0 ? ", " : "", ladder->levels[level].name);
    fprintf(out, "%s\n",
            listed == 0          ? _("nothing")
            : difference->letter ? _(" (apology letter)")
                                 : "");
  }
  fprintf(out, _("\nSummary: %zu examined, %zu moved, %zu escalations, %zu letters\n"),
          run->impact.examined, run->impact.moved, run->impact.escalations, run->impact.letters);
  text_groups(out, _("By procedure:"), _("procedure"), &run->by_procedure);
  text_groups(out, _("By agency:"), _("agency"), &run->by_agency);
}

/* ---- the run ---- */

static enum status load_side(const char *directory, const char *which, int64_t now,
                             struct rules_impact_side *side, struct error *error) {
  struct ruleset *set = NULL;
  enum status status = ruleset_load(directory, civil_local_day(now), &set, error);
  if (status == STATUS_OK)
    status = rules_impact_side_init(side, set, error);
  ruleset_release(set);
  if (status != STATUS_OK && status != STATUS_INVALID)
    return error_prefix(error, "%s", which);
  return status;
}

static enum status connect_database(const struct config *config, PGconn **connection,
                                    struct error *error) {
  int version;
  return session_open_command(config->conninfo, &config->timeouts, "dunghen-preview", connection,
                              &version, error);
}

static void run_free(struct preview_run *run) {
  for (size_t i = 0; i < run->changed_count; i++) {
    free(run->changed[i].code);
    free(run->changed[i].procedure_code);
    free(run->changed[i].agency_code);
  }
  free(run->changed);
  groups_free(&run->by_procedure);
  groups_free(&run->by_agency);
  rules_impact_side_free(&run->before);
  rules_impact_side_free(&run->after);
}

static enum status run_preview(const struct preview_options *options, struct error *error) {
  struct loop_options loop = {.config_path = options->config};
  loop.overrides.conninfo = options->conninfo;
  struct clock clock;
  if (options->now == NULL)
    clock_init_real(&clock);
  else if (clock_init_simulated(&clock, options->now, NULL, error) != STATUS_OK)
    return error_prefix(error, "--now");
  struct config config;
  enum status status = loop_load_config(&loop, &config, error);
  if (status != STATUS_OK)
    return status;
  struct preview_run run = {.now = clock_now(&clock)};
  struct rules_diff diff = {0};
  PGconn *connection = NULL;
  status = load_side(config.rules_directory, "the rules in force", run.now, &run.before, error);
  if (status == STATUS_OK)
    status = load_side(options->rules, "the new rules", run.now, &run.after, error);
  if (status == STATUS_OK) {
    for (size_t i = 0; i < run.after.set->rules->warning_count; i++)
      fprintf(stderr, _("dunghen preview: warning: %s\n"), run.after.set->rules->warnings[i]);
    status = rules_diff_compute(run.before.set, run.after.set, &diff, error);
  }
  if (status == STATUS_OK)
    status = connect_database(&config, &connection, error);
  if (status == STATUS_OK) {
    struct rules_impact_observer observer = {&run, on_total, on_dossier};
    status = rules_impact_measure(connection, &run.before, &run.after, run.now, &observer,
                                  &run.impact, error);
  }
  if (status == STATUS_OK) {
    if (run.progress)
      fprintf(stderr, "preview: %zu of %" PRId64 " dossiers, done\n", run.impact.examined,
              run.total);
    if (run.changed_count > 1) /* qsort may not be given the NULL of an empty list */
      qsort(run.changed, run.changed_count, sizeof *run.changed, compare_changed);
    groups_sort(&run.by_procedure);
    groups_sort(&run.by_agency);
    if (options->json)
      print_json(stdout, &run, &diff);
    else
      print_text(stdout, &run, &diff);
    if (fflush(stdout) != 0 || ferror(stdout))
      status = error_set(error, STATUS_RUNTIME, "writing the preview failed");
  }
  session_close(connection);
  rules_diff_free(&diff);
  run_free(&run);
  config_free(&config);
  return status;
}

enum { OPTION_RULES = 1, OPTION_CONFIG, OPTION_DB, OPTION_NOW, OPTION_FORMAT };

static int parse_options(int argc, char **argv, struct preview_options *options) {
  static const struct option long_options[] = {
      {"rules", required_argument, NULL, OPTION_RULES},
      {"config", required_argument, NULL, OPTION_CONFIG},
      {"db", required_argument, NULL, OPTION_DB},
      {"now", required_argument, NULL, OPTION_NOW},
      {"format", required_argument, NULL, OPTION_FORMAT},
      {NULL, 0, NULL, 0},
  };
  memset(options, 0, sizeof *options);
  optind = 1;
  opterr = 0;
  int option;
  while ((option = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
    switch (option) {
    case OPTION_RULES:
      options->rules = optarg;
      break;
    case OPTION_CONFIG:
      options->config = optarg;
      break;
    case OPTION_DB:
      options->conninfo = optarg;
      break;
    case OPTION_NOW:
      options->now = optarg;
      break;
    case OPTION_FORMAT:
      if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
        return cli_usage_error("preview", "--format is text or json, not '%s'", optarg);
      options->json = strcmp(optarg, "json") == 0;
      break;
    default:
      return cli_option_error("preview", option, argv);
    }
  }
  if (cli_no_arguments("preview", argc, argv) != 0)
    return STATUS_INVALID;
  if (options->rules == NULL)
    return cli_usage_error("preview", "--rules DIR is required (the rules to preview)");
  options->now = cli_now(options->now);
  return 0;
}

int command_preview(int argc, char **argv) {
  struct preview_options options;
  int usage = parse_options(argc, argv, &options);
  if (usage != 0)
    return usage;
  /* JSON is for programs: its sentences and shifts stay English whatever the locale. */
  if (options.json)
    language_english();
  struct error error;
  error_clear(&error);
  if (run_preview(&options, &error) != STATUS_OK)
    return cli_report("preview", &error);
  return 0;
}
