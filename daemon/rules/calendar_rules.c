/*
 * calendar_rules.c: reads rules/calendar.yaml and decides every exception day of the calendar.
 *
 * The file is read in one pass into plain structs that still point into the YAML tree (names,
 * sources, nodes for located errors), then every year of the range is decided: an announced
 * year takes its listed days verbatim; any other year gets its statutory holidays (those that
 * fall on a working weekday become days off) and, for each holiday that falls on a weekly rest
 * day, a compensatory day on the next working weekday that is neither a holiday nor already a
 * compensatory day (Labour Code 2019 art. 111(3)). Lunar holidays are converted with
 * core/lunar.h while loading, so a lunar date that does not exist in some year is an error here,
 * never a surprise later.
 *
 * Reading goes on after an error (rules/error_list.h) with the next part: the week's days and
 * hours, each holiday, the compensatory rule, each announced year, entry and date; a part with
 * an unknown key is not read further. The days are decided only when nothing failed.
 */
#include "rules/calendar_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/lunar.h"
#include "rules/error_list.h"
#include "rules/translate.h"
#include "rules/yaml_tree.h"

enum { REASON_SIZE = 768, MAX_HOLIDAY_DAYS = 30, MAX_OFFSET = 60 };

struct holiday {
  const char *name;
  const char *source; /* NULL when not given */
  bool lunar;
  int month;
  int day;
  int offset;
  int days;
  int from; /* inclusive years */
  int until;
  const struct yaml_tree_node *date_node;
};

struct compensation {
  bool enabled;
  const char *reason; /* with `{holiday}` */
  const char *source;
  int from;
  int until;
};

struct announced_day {
  int64_t day;
  bool working;
  const char *reason;
  const char *source;
  bool counted; /* taken as the compensatory day of a statutory holiday (note_compensation) */
};

/* One day off of a statutory year: `holiday` is an index into the holiday list. */
struct occurrence {
  int64_t day;
  size_t holiday;
};

struct loader {
  const struct yaml_tree *tree;
  struct error *error;       /* the failure of the check at hand */
  struct error_list *errors; /* every failure noted so far */
  bool week_failed;          /* the announced days are then not checked against the week */
  bool working_weekdays[7];
  struct working_hours hours;
  struct holiday *holidays;
  size_t holiday_count;
  struct compensation compensation;
  struct announced_day *announced;
  size_t announced_count;
  size_t announced_capacity;
  struct calendar_rules_summary *summary;
  const struct yaml_tree_node *announced_keys[CALENDAR_YEAR_COUNT]; /* for the gaps' place */
  struct occurrence *occurrences; /* scratch for one statutory year */
  size_t occurrence_capacity;
};

static const char *const weekday_keys[] = {"monday", "tuesday",  "wednesday", "thursday",
                                           "friday", "saturday", "sunday",    NULL};
static const char *const weekday_names[] = {N_("Monday"),   N_("Tuesday"), N_("Wednesday"),
                                            N_("Thursday"), N_("Friday"),  N_("Saturday"),
                                            N_("Sunday")};

static enum status missing_key(const struct loader *loader, const struct yaml_tree_node *mapping,
                               const char *key, const char *what) {
  return yaml_tree_error(loader->tree, mapping, loader->error, "missing '%s' in %s", key, _(what));
}

/* Notes the outcome of one part whose failure is in loader->error (see error_list_note). */
static enum status note(const struct loader *loader, enum status status) {
  return error_list_note(loader->errors, status, loader->error);
}

/* A non-empty string under a required key. */
static enum status read_text(const struct loader *loader, const struct yaml_tree_node *mapping,
                             const char *key, const char *what, const char **value) {
  const struct yaml_tree_node *node = yaml_tree_get(mapping, key);
  if (node == NULL)
    return missing_key(loader, mapping, key, what);
  enum status status = yaml_tree_read_string(loader->tree, node, value, loader->error);
  if (status != STATUS_OK)
    return status;
  if (**value == '\0')
    return yaml_tree_error(loader->tree, node, loader->error, "'%s' must not be empty", key);
  return STATUS_OK;
}

static enum status read_year(const struct loader *loader, const struct yaml_tree_node *node,
                             int *year) {
  int64_t value = 0;
  enum status status = yaml_tree_read_integer(loader->tree, node, CALENDAR_FIRST_YEAR,
                                              CALENDAR_LAST_YEAR, &value, loader->error);
  *year = (int)value;
  return status;
}

/* ---- week ---------------------------------------------------------------------------------- */

static void default_week(struct loader *loader) {
  for (int weekday = MONDAY; weekday <= SUNDAY; weekday++)
    loader->working_weekdays[weekday] = weekday <= FRIDAY;
  loader->hours = (struct working_hours){.count = 2};
  loader->hours.intervals[0].start = 7 * 3600;
  loader->hours.intervals[0].end = 11 * 3600 + 30 * 60;
  loader->hours.intervals[1].start = 13 * 3600 + 30 * 60;
  loader->hours.intervals[1].end = 17 * 3600;
}

static enum status read_working_days(struct loader *loader, const struct yaml_tree_node *list) {
  enum status status =
      yaml_tree_expect(loader->tree, list, YAML_TREE_SEQUENCE, "working_days", loader->error);
  if (status != STATUS_OK)
    return status;
  if (list->count == 0)
    return yaml_tree_error(loader->tree, list, loader->error,
                           "working_days must name at least one weekday");
  memset(loader->working_weekdays, 0, sizeof loader->working_weekdays);
  for (size_t i = 0; i < list->count; i++) {
    int weekday = 0;
    status =
        yaml_tree_read_choice(loader->tree, list->items[i], weekday_keys, &weekday, loader->error);
    if (status != STATUS_OK)
      return status;
    if (loader->working_weekdays[weekday])
      return yaml_tree_error(loader->tree, list->items[i], loader->error, "%s is listed twice",
                             weekday_keys[weekday]);
    loader->working_weekdays[weekday] = true;
  }
  return STATUS_OK;
}

static void format_clock(int seconds, char *text, size_t size) {
  snprintf(text, size, "%02d:%02d", seconds / 3600 % 100, seconds / 60 % 60);
}

static enum status read_interval(struct loader *loader, const struct yaml_tree_node *node,
                                 int index) {
  static const char *const keys[] = {"start", "end", NULL};
  const struct yaml_tree *tree = loader->tree;
  enum status status = yaml_tree_check_keys(tree, node, keys, N_("working hours"), loader->error);
  if (status != STATUS_OK)
    return status;
  const struct yaml_tree_node *start = yaml_tree_get(node, "start");
  const struct yaml_tree_node *end = yaml_tree_get(node, "end");
  if (start == NULL)
    return missing_key(loader, node, "start", N_("working hours"));
  if (end == NULL)
    return missing_key(loader, node, "end", N_("working hours"));
  int start_second = 0;
  int end_second = 0;
  status = yaml_tree_read_clock(tree, start, &start_second, loader->error);
  if (status == STATUS_OK)
    status = yaml_tree_read_clock(tree, end, &end_second, loader->error);
  if (status != STATUS_OK)
    return status;
  if (end_second <= start_second)
    return yaml_tree_error(tree, end, loader->error, "working hours end at %s, not after %s",
                           end->text, start->text);
  if (index > 0 && start_second < loader->hours.intervals[index - 1].end) {
    char previous[16];
    format_clock(loader->hours.intervals[index - 1].end, previous, sizeof previous);
    return yaml_tree_error(tree, start, loader->error,
                           "working hours starting at %s overlap the interval before, which "
                           "ends at %s (list intervals in order, without overlap)",
                           start->text, previous);
  }
  loader->hours.intervals[index].start = start_second;
  loader->hours.intervals[index].end = end_second;
  return STATUS_OK;
}

static enum status read_hours(struct loader *loader, const struct yaml_tree_node *list) {
  enum status status =
      yaml_tree_expect(loader->tree, list, YAML_TREE_SEQUENCE, "hours", loader->error);
  if (status != STATUS_OK)
    return status;
  if (list->count < 1 || list->count > CALENDAR_MAX_INTERVALS)
    return yaml_tree_error(loader->tree, list, loader->error,
                           "hours must list 1 to %d intervals, not %zu", CALENDAR_MAX_INTERVALS,
                           list->count);
  for (size_t i = 0; i < list->count; i++) {
    status = read_interval(loader, list->items[i], (int)i);
    if (status != STATUS_OK)
      return status;
  }
  loader->hours.count = (int)list->count;
  return STATUS_OK;
}

static enum status read_week(struct loader *loader, const struct yaml_tree_node *week) {
  static const char *const keys[] = {"working_days", "hours", NULL};
  enum status status =
      note(loader, yaml_tree_check_keys(loader->tree, week, keys, "week", loader->error));
  loader->week_failed = status != STATUS_OK;
  if (status != STATUS_OK)
    return status;
  const struct yaml_tree_node *days = yaml_tree_get(week, "working_days");
  if (days != NULL && (status = note(loader, read_working_days(loader, days))) != STATUS_OK) {
    if (status == STATUS_RUNTIME)
      return status;
    loader->week_failed = true;
  }
  const struct yaml_tree_node *hours = yaml_tree_get(week, "hours");
  if (hours != NULL && note(loader, read_hours(loader, hours)) == STATUS_RUNTIME)
    return STATUS_RUNTIME;
  return STATUS_OK;
}

/* ---- holidays ------------------------------------------------------------------------------ */

static int two_digits(const char *text) {
  if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9')
    return -1;
  return (text[0] - '0') * 10 + (text[1] - '0');
}

/* `MM-DD`: a solar date that exists every year, or a lunar date (months 1-12, days 1-30). */
static enum status read_month_day(struct loader *loader, const struct yaml_tree_node *node,
                                  struct holiday *holiday) {
  const char *text = NULL;
  enum status status = yaml_tree_read_string(loader->tree, node, &text, loader->error);
  if (status != STATUS_OK)
    return status;
  int month = strlen(text) == 5 && text[2] == '-' ? two_digits(text) : -1;
  int day = month >= 0 ? two_digits(text + 3) : -1;
  if (month < 0 || day < 0)
    return yaml_tree_error(loader->tree, node, loader->error,
                           "expected a month and day as MM-DD, found '%s'", text);
  if (holiday->lunar) {
    if (month < 1 || month > 12 || day < 1 || day > 30)
      return yaml_tree_error(loader->tree, node, loader->error,
                             "'%s': no such lunar date (months 01-12, days 01-30)", text);
  } else {
    if (!civil_date_valid(2000, month, day))
      return yaml_tree_error(loader->tree, node, loader->error, "'%s': no such date", text);
    if (!civil_date_valid(2001, month, day))
      return yaml_tree_error(loader->tree, node, loader->error, "'%s' does not occur every year",
                             text);
  }
  holiday->month = month;
  holiday->day = day;
  holiday->date_node = node;
  return STATUS_OK;
}

static enum status read_small_integer(struct loader *loader, const struct yaml_tree_node *mapping,
                                      const char *key, int minimum, int maximum, int *value) {
  const struct yaml_tree_node *node = yaml_tree_get(mapping, key);
  if (node == NULL)
    return STATUS_OK;
  int64_t read = 0;
  enum status status =
      yaml_tree_read_integer(loader->tree, node, minimum, maximum, &read, loader->error);
  *value = (int)read;
  return status;
}

/* Optional `from` and `until` years, from <= until. */
static enum status read_years(struct loader *loader, const struct yaml_tree_node *mapping,
                              int *from, int *until) {
  *from = CALENDAR_FIRST_YEAR;
  *until = CALENDAR_LAST_YEAR;
  const struct yaml_tree_node *from_node = yaml_tree_get(mapping, "from");
  const struct yaml_tree_node *until_node = yaml_tree_get(mapping, "until");
  enum status status = STATUS_OK;
  if (from_node != NULL && (status = read_year(loader, from_node, from)) != STATUS_OK)
    return status;
  if (until_node != NULL && (status = read_year(loader, until_node, until)) != STATUS_OK)
    return status;
  if (*from > *until)
    return yaml_tree_error(loader->tree, until_node, loader->error, "until %d is before from %d",
                           *until, *from);
  return STATUS_OK;
}

static enum status read_holiday(struct loader *loader, const struct yaml_tree_node *node,
                                struct holiday *holiday) {
  static const char *const keys[] = {"name", "solar", "lunar",  "offset", "days",
                                     "from", "until", "source", NULL};
  const struct yaml_tree *tree = loader->tree;
  enum status status = yaml_tree_check_keys(tree, node, keys, N_("a holiday"), loader->error);
  if (status != STATUS_OK)
    return status;
  *holiday = (struct holiday){.days = 1};
  if ((status = read_text(loader, node, "name", N_("a holiday"), &holiday->name)) != STATUS_OK)
    return status;
  const struct yaml_tree_node *solar = yaml_tree_get(node, "solar");
  const struct yaml_tree_node *lunar = yaml_tree_get(node, "lunar");
  if (solar != NULL && lunar != NULL)
    return yaml_tree_error(tree, lunar, loader->error,
                           "holiday '%s' has both 'solar' and 'lunar': give one date",
                           holiday->name);
  if (solar == NULL && lunar == NULL)
    return yaml_tree_error(tree, node, loader->error,
                           "holiday '%s' needs a 'solar' or a 'lunar' date", holiday->name);
  holiday->lunar = lunar != NULL;
  if ((status = read_month_day(loader, lunar != NULL ? lunar : solar, holiday)) != STATUS_OK)
    return status;
  if ((status = read_small_integer(loader, node, "offset", -MAX_OFFSET, MAX_OFFSET,
                                   &holiday->offset)) != STATUS_OK ||
      (status = read_small_integer(loader, node, "days", 1, MAX_HOLIDAY_DAYS, &holiday->days)) !=
          STATUS_OK ||
      (status = read_years(loader, node, &holiday->from, &holiday->until)) != STATUS_OK)
    return status;
  if (yaml_tree_get(node, "source") != NULL &&
      (status = read_text(loader, node, "source", N_("a holiday"), &holiday->source)) != STATUS_OK)
    return status;
  return STATUS_OK;
}

static enum status read_holidays(struct loader *loader, const struct yaml_tree_node *list) {
  if (yaml_tree_is_null(list))
    return STATUS_OK;
  enum status status = note(
      loader, yaml_tree_expect(loader->tree, list, YAML_TREE_SEQUENCE, "holidays", loader->error));
  if (status != STATUS_OK)
    return status;
  loader->holidays = calloc(list->count + 1, sizeof *loader->holidays);
  if (loader->holidays == NULL)
    return note(loader, error_set(loader->error, STATUS_RUNTIME, "out of memory"));
  for (size_t i = 0; i < list->count; i++) {
    status = note(loader,
                  read_holiday(loader, list->items[i], &loader->holidays[loader->holiday_count]));
    if (status == STATUS_RUNTIME)
      return status;
    if (status == STATUS_OK)
      loader->holiday_count++;
  }
  return STATUS_OK;
}

static enum status read_compensation(struct loader *loader, const struct yaml_tree_node *node) {
  static const char *const keys[] = {"reason", "source", "from", "until", NULL};
  if (yaml_tree_is_null(node))
    return STATUS_OK;
  struct compensation *compensation = &loader->compensation;
  enum status status =
      yaml_tree_check_keys(loader->tree, node, keys, "compensatory", loader->error);
  if (status != STATUS_OK ||
      (status = read_text(loader, node, "reason", "compensatory", &compensation->reason)) !=
          STATUS_OK ||
      (status = read_years(loader, node, &compensation->from, &compensation->until)) != STATUS_OK)
    return status;
  if (yaml_tree_get(node, "source") != NULL &&
      (status = read_text(loader, node, "source", "compensatory", &compensation->source)) !=
          STATUS_OK)
    return status;
  compensation->enabled = true;
  return STATUS_OK;
}

/* ---- announced years ----------------------------------------------------------------------- */

static enum status add_announced(struct loader *loader, struct announced_day day) {
  if (loader->announced_count == loader->announced_capacity) {
    size_t capacity = loader->announced_capacity == 0 ? 128 : loader->announced_capacity * 2;
    struct announced_day *grown = realloc(loader->announced, capacity * sizeof *grown);
    if (grown == NULL)
      return error_set(loader->error, STATUS_RUNTIME, "out of memory");
    loader->announced = grown;
    loader->announced_capacity = capacity;
  }
  loader->announced[loader->announced_count++] = day;
  return STATUS_OK;
}

/* Checks one listed date: in its year, of the right kind of day, not listed before. */
static enum status check_announced_date(const struct loader *loader,
                                        const struct yaml_tree_node *node, int64_t day, int year,
                                        bool working, size_t year_start) {
  const struct yaml_tree *tree = loader->tree;
  struct civil_date date = civil_date_from_days(day);
  enum weekday weekday = civil_weekday(day);
  if (date.year != year)
    return yaml_tree_error(tree, node, loader->error, "%s is not in %d", node->text, year);
  bool known = !loader->week_failed; /* else which days are worked is unknown */
  if (known && !working && !loader->working_weekdays[weekday])
    return yaml_tree_error(tree, node, loader->error,
                           "%s is a %s, already a day off: days_off lists working weekdays only",
                           node->text, _(weekday_names[weekday]));
  if (known && working && loader->working_weekdays[weekday])
    return yaml_tree_error(tree, node, loader->error,
                           "%s is a %s, already a working day: days_worked lists rest days only",
                           node->text, _(weekday_names[weekday]));
  for (size_t i = year_start; i < loader->announced_count; i++)
    if (loader->announced[i].day == day)
      return yaml_tree_error(tree, node, loader->error, "%s is listed twice in %d", node->text,
                             year);
  return STATUS_OK;
}

static enum status read_announced_entry(struct loader *loader, const struct yaml_tree_node *node,
                                        int year, bool working, size_t year_start) {
  static const char *const keys[] = {"dates", "reason", "source", NULL};
  const struct yaml_tree *tree = loader->tree;
  const char *what = working ? N_("a days_worked entry") : N_("a days_off entry");
  enum status status = yaml_tree_check_keys(tree, node, keys, what, loader->error);
  /* Up to the list of dates, the entry is one part; then each date is one. */
  const char *reason = NULL;
  const char *source = NULL;
  if (status != STATUS_OK ||
      (status = read_text(loader, node, "reason", what, &reason)) != STATUS_OK ||
      (status = read_text(loader, node, "source", what, &source)) != STATUS_OK)
    return status;
  const struct yaml_tree_node *dates = yaml_tree_get(node, "dates");
  if (dates == NULL)
    return missing_key(loader, node, "dates", what);
  if ((status = yaml_tree_expect(tree, dates, YAML_TREE_SEQUENCE, "dates", loader->error)) !=
      STATUS_OK)
    return status;
  if (dates->count == 0)
    return yaml_tree_error(tree, dates, loader->error, "dates must list at least one date");
  for (size_t i = 0; i < dates->count; i++) {
    int64_t day = 0;
    if ((status = yaml_tree_read_date(tree, dates->items[i], &day, loader->error)) == STATUS_OK &&
        (status = check_announced_date(loader, dates->items[i], day, year, working, year_start)) ==
            STATUS_OK)
      status = add_announced(loader, (struct announced_day){day, working, reason, source, false});
    if (note(loader, status) == STATUS_RUNTIME)
      return STATUS_RUNTIME;
  }
  return STATUS_OK;
}

static enum status read_announced_list(struct loader *loader, const struct yaml_tree_node *list,
                                       const char *key, int year, size_t year_start) {
  if (yaml_tree_is_null(list))
    return STATUS_OK;
  enum status status =
      note(loader, yaml_tree_expect(loader->tree, list, YAML_TREE_SEQUENCE, key, loader->error));
  for (size_t i = 0; status == STATUS_OK && i < list->count; i++)
    if (note(loader, read_announced_entry(loader, list->items[i], year,
                                          strcmp(key, "days_worked") == 0, year_start)) ==
        STATUS_RUNTIME)
      return STATUS_RUNTIME;
  return status == STATUS_RUNTIME ? status : STATUS_OK;
}

static enum status read_announced(struct loader *loader, const struct yaml_tree_node *mapping) {
  static const char *const keys[] = {"days_off", "days_worked", NULL};
  if (yaml_tree_is_null(mapping))
    return STATUS_OK;
  const struct yaml_tree *tree = loader->tree;
  enum status status =
      note(loader, yaml_tree_expect(tree, mapping, YAML_TREE_MAPPING, "announced", loader->error));
  if (status != STATUS_OK)
    return status;
  struct calendar_rules_summary *summary = loader->summary;
  for (size_t i = 0; i < mapping->count; i++) {
    int year = 0;
    const struct yaml_tree_node *schedule = mapping->pairs[i].value;
    if ((status = note(loader, read_year(loader, mapping->pairs[i].key, &year))) != STATUS_OK) {
      if (status == STATUS_RUNTIME)
        return status;
      continue;
    }
    char what[32];
    snprintf(what, sizeof what, _("the schedule of %d"), year);
    if (!yaml_tree_is_null(schedule) &&
        (status = note(loader, yaml_tree_check_keys(tree, schedule, keys, what, loader->error))) !=
            STATUS_OK) {
      if (status == STATUS_RUNTIME)
        return status;
      continue;
    }
    size_t year_start = loader->announced_count;
    if (read_announced_list(loader, yaml_tree_get(schedule, "days_off"), "days_off", year,
                            year_start) == STATUS_RUNTIME ||
        read_announced_list(loader, yaml_tree_get(schedule, "days_worked"), "days_worked", year,
                            year_start) == STATUS_RUNTIME)
      return STATUS_RUNTIME;
    summary->announced[year - CALENDAR_FIRST_YEAR] = true;
    loader->announced_keys[year - CALENDAR_FIRST_YEAR] = mapping->pairs[i].key;
    summary->announced_count++;
    if (summary->first_announced_year == 0 || year < summary->first_announced_year)
      summary->first_announced_year = year;
    if (year > summary->last_announced_year)
      summary->last_announced_year = year;
  }
  return STATUS_OK;
}

/* ---- deciding the days --------------------------------------------------------------------- */

/* The rules' own words in the admin's language: the shipped calendar's names, reasons and
 * sources are in the catalogue (po/rules-calendar.pot); an admin's own text stays as written. */
static const char *translated(const char *text) {
  return *text != '\0' ? _(text) : text;
}

static void compose_reason(char *buffer, const char *reason, const char *source) {
  if (source != NULL)
    snprintf(buffer, REASON_SIZE, "%s — %s", translated(reason), translated(source));
  else
    snprintf(buffer, REASON_SIZE, "%s", translated(reason));
}

/* The compensation template with `{holiday}` replaced by the holiday's name. */
static void compensation_reason(const struct compensation *compensation, const char *holiday,
                                char *buffer) {
  char text[REASON_SIZE];
  const char *template = translated(compensation->reason);
  const char *marker = strstr(template, "{holiday}");
  if (marker == NULL)
    snprintf(text, sizeof text, "%s", template);
  else
    snprintf(text, sizeof text, "%.*s%s%s", (int)(marker - template), template, translated(holiday),
             marker + strlen("{holiday}"));
  compose_reason(buffer, text, compensation->source);
}

static bool day_announced(const struct loader *loader, int64_t day) {
  int year = civil_date_from_days(day).year;
  return year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR &&
         loader->summary->announced[year - CALENDAR_FIRST_YEAR];
}

static bool pattern_working(const struct loader *loader, int64_t day) {
  return loader->working_weekdays[civil_weekday(day)];
}

static int compare_occurrences(const void *left, const void *right) {
  const struct occurrence *a = left;
  const struct occurrence *b = right;
  if (a->day != b->day)
    return a->day < b->day ? -1 : 1;
  return a->holiday < b->holiday ? -1 : a->holiday > b->holiday;
}

static enum status holiday_anchor(struct loader *loader, const struct holiday *holiday, int year,
                                  int64_t *anchor) {
  if (!holiday->lunar) {
    *anchor = civil_days_from_date(year, holiday->month, holiday->day);
    return STATUS_OK;
  }
  struct lunar_date lunar = {year, holiday->month, holiday->day, false};
  struct error inner;
  if (lunar_to_solar(&lunar, anchor, &inner) != STATUS_OK)
    return yaml_tree_error(loader->tree, holiday->date_node, loader->error, "holiday '%s': %s",
                           holiday->name, inner.message);
  return STATUS_OK;
}

/* The holidays of one statutory year, sorted by day, one per day (the first listed wins). */
static enum status collect_occurrences(struct loader *loader, int year, size_t *count) {
  *count = 0;
  for (size_t i = 0; i < loader->holiday_count; i++) {
    const struct holiday *holiday = &loader->holidays[i];
    if (year < holiday->from || year > holiday->until)
      continue;
    int64_t anchor = 0;
    enum status status = holiday_anchor(loader, holiday, year, &anchor);
    if (status != STATUS_OK)
      return status;
    for (int k = 0; k < holiday->days; k++)
      loader->occurrences[(*count)++] = (struct occurrence){anchor + holiday->offset + k, i};
  }
  qsort(loader->occurrences, *count, sizeof *loader->occurrences, compare_occurrences);
  size_t kept = 0;
  for (size_t i = 0; i < *count; i++)
    if (kept == 0 || loader->occurrences[kept - 1].day != loader->occurrences[i].day)
      loader->occurrences[kept++] = loader->occurrences[i];
  *count = kept;
  return STATUS_OK;
}

static bool is_occurrence(const struct occurrence *occurrences, size_t count, int64_t day) {
  for (size_t i = 0; i < count; i++)
    if (occurrences[i].day == day)
      return true;
  return false;
}

static bool announced_off(const struct loader *loader, int64_t day) {
  for (size_t i = 0; i < loader->announced_count; i++)
    if (loader->announced[i].day == day && !loader->announced[i].working)
      return true;
  return false;
}

/* A statutory day off (on a working weekday) that an announced year does not list. */
static void note_gap(struct loader *loader, int64_t day, const char *reason) {
  struct calendar_rules_summary *summary = loader->summary;
  if (announced_off(loader, day))
    return;
  if (summary->gap_count == CALENDAR_MAX_GAPS) {
    summary->gaps_left_out++;
    return;
  }
  struct calendar_rules_gap *gap = &summary->gaps[summary->gap_count++];
  const struct yaml_tree_node *key =
      loader->announced_keys[civil_date_from_days(day).year - CALENDAR_FIRST_YEAR];
  gap->day = day;
  snprintf(gap->holiday, sizeof gap->holiday, "%s", reason);
  gap->line = key != NULL ? key->line : 1;
  gap->column = key != NULL ? key->column : 1;
}

/*
 * A compensatory day that an announced year owes: the Prime Minister may place it elsewhere
 * (before Tết, say), so any listed day off near the holiday that is not itself a statutory day
 * and not yet counted for another holiday settles it.
 */
static void note_compensation(struct loader *loader, const struct occurrence *occurrences,
                              size_t count, int64_t holiday_day, int64_t candidate,
                              const char *reason) {
  enum { NEAR_DAYS = 10 };
  for (size_t i = 0; i < loader->announced_count; i++) {
    struct announced_day *listed = &loader->announced[i];
    if (listed->working || listed->counted || is_occurrence(occurrences, count, listed->day) ||
        listed->day < holiday_day - NEAR_DAYS || listed->day > candidate + NEAR_DAYS)
      continue;
    listed->counted = true;
    return;
  }
  note_gap(loader, candidate, reason);
}

/* Sets a statutory day off unless its year is announced: the announcement decides there, and
 * a day it leaves out is noted as a gap for `dunghen check`. */
static enum status set_statutory_day(struct loader *loader, struct calendar *calendar, int64_t day,
                                     const char *reason) {
  if (!calendar_covers(calendar, day))
    return STATUS_OK;
  if (day_announced(loader, day)) {
    note_gap(loader, day, reason);
    return STATUS_OK;
  }
  return calendar_set_day(calendar, day, false, reason, loader->error);
}

static enum status apply_statutory_year(struct loader *loader, struct calendar *calendar,
                                        int year) {
  size_t count = 0;
  enum status status = collect_occurrences(loader, year, &count);
  if (status != STATUS_OK)
    return status;
  const struct occurrence *occurrences = loader->occurrences;
  char reason[REASON_SIZE];
  for (size_t i = 0; i < count && status == STATUS_OK; i++) {
    const struct holiday *holiday = &loader->holidays[occurrences[i].holiday];
    if (!pattern_working(loader, occurrences[i].day))
      continue;
    compose_reason(reason, holiday->name, holiday->source);
    status = set_statutory_day(loader, calendar, occurrences[i].day, reason);
  }
  const struct compensation *compensation = &loader->compensation;
  if (!compensation->enabled || year < compensation->from || year > compensation->until)
    return status;
  /* Compensatory days are given in order after the whole block of holidays (Tết on a weekend
   * pushes them past the end of Tết), each on a different day. */
  int64_t last_given = INT64_MIN;
  for (size_t i = 0; i < count && status == STATUS_OK; i++) {
    if (pattern_working(loader, occurrences[i].day))
      continue;
    int64_t candidate = occurrences[i].day + 1;
    if (candidate <= last_given)
      candidate = last_given + 1;
    while (!pattern_working(loader, candidate) || is_occurrence(occurrences, count, candidate))
      candidate++;
    last_given = candidate;
    compensation_reason(compensation, loader->holidays[occurrences[i].holiday].name, reason);
    if (day_announced(loader, candidate))
      note_compensation(loader, occurrences, count, occurrences[i].day, candidate, reason);
    else
      status = set_statutory_day(loader, calendar, candidate, reason);
  }
  return status;
}

static enum status build_calendar(struct loader *loader, struct calendar **calendar) {
  enum status status =
      calendar_create(loader->working_weekdays, &loader->hours, calendar, loader->error);
  if (status != STATUS_OK)
    return status;
  size_t most = 0;
  for (size_t i = 0; i < loader->holiday_count; i++)
    most += (size_t)loader->holidays[i].days;
  loader->occurrences = malloc((most + 1) * sizeof *loader->occurrences);
  if (loader->occurrences == NULL)
    return error_set(loader->error, STATUS_RUNTIME, "out of memory");
  for (int year = CALENDAR_FIRST_YEAR; year <= CALENDAR_LAST_YEAR && status == STATUS_OK; year++)
    status = apply_statutory_year(loader, *calendar, year);
  char reason[REASON_SIZE];
  for (size_t i = 0; i < loader->announced_count && status == STATUS_OK; i++) {
    const struct announced_day *day = &loader->announced[i];
    compose_reason(reason, day->reason, day->source);
    status = calendar_set_day(*calendar, day->day, day->working, reason, loader->error);
  }
  if (status == STATUS_OK)
    status = calendar_finish(*calendar, loader->error);
  return status;
}

static enum status load_tree(struct loader *loader, struct calendar **calendar) {
  static const char *const keys[] = {"week", "holidays", "compensatory", "announced", NULL};
  const struct yaml_tree *tree = loader->tree;
  if (tree->root == NULL)
    return note(loader, error_at(loader->error, tree->file, 1, 1, _("the calendar file is empty")));
  enum status status = note(
      loader, yaml_tree_check_keys(tree, tree->root, keys, N_("the calendar file"), loader->error));
  const struct yaml_tree_node *week = yaml_tree_get(tree->root, "week");
  default_week(loader);
  if (status != STATUS_OK ||
      (week != NULL && (status = read_week(loader, week)) == STATUS_RUNTIME) ||
      (status = read_holidays(loader, yaml_tree_get(tree->root, "holidays"))) == STATUS_RUNTIME ||
      (status =
           note(loader, read_compensation(loader, yaml_tree_get(tree->root, "compensatory")))) ==
          STATUS_RUNTIME ||
      (status = read_announced(loader, yaml_tree_get(tree->root, "announced"))) == STATUS_RUNTIME)
    return status;
  if (error_list_count(loader->errors) > 0)
    return STATUS_INVALID;
  loader->summary->holiday_count = loader->holiday_count;
  return note(loader, build_calendar(loader, calendar));
}

static enum status load(struct yaml_tree *tree, struct calendar **calendar,
                        struct calendar_rules_summary *summary, struct error *error) {
  struct calendar_rules_summary local_summary;
  struct error_list errors;
  struct error one;
  error_list_init(&errors, tree->file);
  struct loader loader = {.tree = tree,
                          .error = &one,
                          .errors = &errors,
                          .summary = summary != NULL ? summary : &local_summary};
  memset(loader.summary, 0, sizeof *loader.summary);
  enum status loaded = load_tree(&loader, calendar);
  enum status status = error_list_finish(&errors, error);
  if (status == STATUS_OK && loaded != STATUS_OK) /* every failure is noted; this is a bug */
    status = error_set(error, STATUS_RUNTIME, "the calendar failed without a reason");
  if (status != STATUS_OK) {
    calendar_free(*calendar);
    *calendar = NULL;
  }
  free(loader.holidays);
  free(loader.announced);
  free(loader.occurrences);
  yaml_tree_free(tree);
  return status;
}

enum status calendar_rules_load_file(const char *path, struct calendar **calendar,
                                     struct calendar_rules_summary *summary, struct error *error) {
  *calendar = NULL;
  struct yaml_tree *tree = NULL;
  enum status status = yaml_tree_load_file(path, &tree, error);
  if (status != STATUS_OK)
    return status;
  return load(tree, calendar, summary, error);
}

enum status calendar_rules_load_buffer(const char *name, const char *data, size_t size,
                                       struct calendar **calendar,
                                       struct calendar_rules_summary *summary,
                                       struct error *error) {
  *calendar = NULL;
  struct yaml_tree *tree = NULL;
  enum status status = yaml_tree_load_buffer(name, data, size, &tree, error);
  if (status != STATUS_OK)
    return status;
  return load(tree, calendar, summary, error);
}

bool calendar_rules_is_announced(const struct calendar_rules_summary *summary, int year) {
  return year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR &&
         summary->announced[year - CALENDAR_FIRST_YEAR];
}
