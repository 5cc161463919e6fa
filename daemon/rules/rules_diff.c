/*
 * rules_diff.c: the comparison of two rule sets (see rules_diff.h).
 *
 * Every sentence is one printf format written out whole where it is emitted, so that the
 * Vietnamese translation can later wrap each in gettext without gluing fragments together. What
 * goes into its %s is data (dates, codes, durations, the YAML's own keys and words such as
 * number_format, hours, restart or none, and the admins' texts), or, in a procedure version's
 * sentences, the version's name, itself made by one whole format. Only what moves a deadline, an
 * escalation, a letter or a mail is compared: a procedure's field, level, source and confidence
 * are for explanations, file positions for errors, and changing them moves nothing.
 */
#include "rules/rules_diff.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buffer.h"
#include "core/civil.h"
#include "core/deadline.h"
#include "rules/translate.h"

enum { DATE_TEXT_SIZE = 16, LABEL_SIZE = 160, DURATIONS_TEXT_SIZE = 128 };

static const char *const weekday_names[7] = {N_("Monday"),   N_("Tuesday"), N_("Wednesday"),
                                             N_("Thursday"), N_("Friday"),  N_("Saturday"),
                                             N_("Sunday")};

struct differ {
  struct rules_diff *diff;
  size_t capacity;
  bool failed; /* out of memory: the list is incomplete and will be dropped */
};

/* One sentence, its format translated (po/meson.build extracts the formats given to change()):
 * English in the daemon's log and in JSON (cli/language.h). */
DUNGHEN_PRINTF(4, 5)
static void change(struct differ *differ, const char *kind, const char *subject, const char *format,
                   ...) {
  if (differ->failed)
    return;
  struct rules_diff *diff = differ->diff;
  if (diff->count == differ->capacity) {
    size_t capacity = differ->capacity > 0 ? differ->capacity * 2 : 16;
    struct rules_change *changes = realloc(diff->changes, capacity * sizeof *changes);
    if (changes == NULL) {
      differ->failed = true;
      return;
    }
    diff->changes = changes;
    differ->capacity = capacity;
  }
  va_list arguments;
  va_start(arguments, format);
  char *sentence = NULL;
  int length = vasprintf(&sentence, _(format), arguments);
  va_end(arguments);
  struct rules_change *entry = &diff->changes[diff->count];
  entry->kind = strdup(kind);
  entry->subject = strdup(subject);
  entry->sentence = length >= 0 ? sentence : NULL;
  /* Counted even when incomplete, so that rules_diff_free releases what was allocated. */
  diff->count++;
  differ->failed = entry->kind == NULL || entry->subject == NULL || entry->sentence == NULL;
}

static bool texts_differ(const char *before, const char *after) {
  if (before == NULL || after == NULL)
    return before != after;
  return strcmp(before, after) != 0;
}

static bool durations_differ(const struct duration *before, const struct duration *after) {
  return before->amount != after->amount || before->unit != after->unit;
}

/* --- calendar ------------------------------------------------------------------------------ */

/* Weekdays as runs: "Monday-Friday", "Monday, Wednesday-Saturday". */
static void add_week(struct buffer *text, const struct calendar *calendar) {
  size_t start = text->length;
  for (int day = 0; day < 7; day++) {
    if (!calendar_weekday_working(calendar, day) ||
        (day > 0 && calendar_weekday_working(calendar, day - 1)))
      continue;
    int last = day;
    while (last < 6 && calendar_weekday_working(calendar, last + 1))
      last++;
    buffer_add(text, text->length > start ? ", " : "");
    buffer_add(text, _(weekday_names[day]));
    if (last > day)
      buffer_add_format(text, "-%s", _(weekday_names[last]));
  }
  if (text->length == start)
    buffer_add(text, _("none"));
}

static void add_hours(struct buffer *text, const struct working_hours *hours) {
  for (int i = 0; i < hours->count; i++)
    buffer_add_format(text, "%s%02d:%02d-%02d:%02d", i > 0 ? ", " : "",
                      hours->intervals[i].start / 3600, hours->intervals[i].start / 60 % 60,
                      hours->intervals[i].end / 3600, hours->intervals[i].end / 60 % 60);
  if (hours->count == 0)
    buffer_add(text, _("none"));
}

static bool same_hours(const struct working_hours *before, const struct working_hours *after) {
  if (before->count != after->count)
    return false;
  for (int i = 0; i < before->count; i++)
    if (before->intervals[i].start != after->intervals[i].start ||
        before->intervals[i].end != after->intervals[i].end)
      return false;
  return true;
}

static void compare_week(struct differ *differ, const struct calendar *before,
                         const struct calendar *after) {
  struct buffer was = {0}, becomes = {0};
  add_week(&was, before);
  add_week(&becomes, after);
  if (was.failed || becomes.failed)
    differ->failed = true;
  else if (strcmp(was.data, becomes.data) != 0)
    change(differ, "calendar", "week", "working week: %s -> %s", was.data, becomes.data);
  buffer_reset(&was);
  buffer_reset(&becomes);
  if (!same_hours(calendar_hours(before), calendar_hours(after))) {
    add_hours(&was, calendar_hours(before));
    add_hours(&becomes, calendar_hours(after));
    if (was.failed || becomes.failed)
      differ->failed = true;
    else
      change(differ, "calendar", "hours", "working hours: %s -> %s", was.data, becomes.data);
  }
  buffer_free(&was);
  buffer_free(&becomes);
}

/* What one calendar says of a day. A day it does not cover follows its weekly pattern. */
struct day_status {
  bool working;
  bool exception;
  const char *reason;
};

static struct day_status day_status(const struct calendar *calendar, int64_t day) {
  if (!calendar_covers(calendar, day))
    return (struct day_status){.working =
                                   calendar_weekday_working(calendar, (int)civil_weekday(day))};
  return (struct day_status){.working = calendar_is_working_day(calendar, day),
                             .exception = calendar_is_exception(calendar, day),
                             .reason = calendar_reason(calendar, day)};
}

static void compare_day(struct differ *differ, int64_t day, struct day_status was,
                        struct day_status becomes) {
  char date[DATE_TEXT_SIZE];
  civil_format_date(day, date, sizeof date);
  const char *weekday = _(weekday_names[civil_weekday(day)]);
  if (was.working && !becomes.working) {
    if (becomes.exception && becomes.reason != NULL)
      change(differ, "calendar", date, "%s (%s) becomes a day off: %s", date, weekday,
             becomes.reason);
    else if (was.reason != NULL)
      change(differ, "calendar", date, "%s (%s) becomes a day off, no longer '%s'", date, weekday,
             was.reason);
    else
      change(differ, "calendar", date, "%s (%s) becomes a day off", date, weekday);
  } else if (!was.working && becomes.working) {
    if (becomes.exception && becomes.reason != NULL)
      change(differ, "calendar", date, "%s (%s) becomes a working day: %s", date, weekday,
             becomes.reason);
    else if (was.reason != NULL)
      change(differ, "calendar", date, "%s (%s) becomes a working day, no longer '%s'", date,
             weekday, was.reason);
    else
      change(differ, "calendar", date, "%s (%s) becomes a working day", date, weekday);
  } else if (!was.exception && becomes.reason != NULL) {
    /* Unchanged, but no longer by the weekly pattern: usually a holiday on a weekday the new
     * week works, which the week's sentence would otherwise claim. */
    if (becomes.working)
      change(differ, "calendar", date, "%s (%s) stays a working day: %s", date, weekday,
             becomes.reason);
    else
      change(differ, "calendar", date, "%s (%s) stays a day off: %s", date, weekday,
             becomes.reason);
  } else if (!becomes.exception && was.reason != NULL) {
    if (becomes.working)
      change(differ, "calendar", date, "%s (%s) stays a working day, no longer '%s'", date, weekday,
             was.reason);
    else
      change(differ, "calendar", date, "%s (%s) stays a day off, no longer '%s'", date, weekday,
             was.reason);
  } else if (was.reason != NULL && becomes.reason != NULL &&
             strcmp(was.reason, becomes.reason) != 0) {
    change(differ, "calendar", date, "%s: reason '%s' becomes '%s'", date, was.reason,
           becomes.reason);
  }
}

/*
 * Day by day over both ranges (a few hundred thousand table look-ups). A day that follows the
 * weekly pattern in both calendars is left out: if the pattern changed, the week's sentence says
 * so once, instead of once for every Saturday of three centuries.
 */
static void compare_calendars(struct differ *differ, const struct calendar *before,
                              const struct calendar *after) {
  compare_week(differ, before, after);
  int64_t first = calendar_first_day(before) < calendar_first_day(after)
                      ? calendar_first_day(before)
                      : calendar_first_day(after);
  int64_t last = calendar_last_day(before) > calendar_last_day(after) ? calendar_last_day(before)
                                                                      : calendar_last_day(after);
  for (int64_t day = first; day <= last && !differ->failed; day++) {
    struct day_status was = day_status(before, day);
    struct day_status becomes = day_status(after, day);
    if (was.exception || becomes.exception)
      compare_day(differ, day, was, becomes);
  }
}

/* --- procedures ---------------------------------------------------------------------------- */

static bool uniform_durations(const struct procedure_version *version) {
  for (int channel = 1; channel < CHANNEL_COUNT; channel++)
    if (durations_differ(&version->durations[0], &version->durations[channel]))
      return false;
  return true;
}

/* "15wd", or "direct 10wd, online 8wd, postal 12wd" when the channels differ. */
static void format_durations(const struct procedure_version *version,
                             char text[DURATIONS_TEXT_SIZE]) {
  char duration[DEADLINE_DURATION_TEXT_SIZE];
  if (uniform_durations(version)) {
    deadline_format_duration(&version->durations[0], text);
    return;
  }
  size_t length = 0;
  text[0] = '\0';
  for (int channel = 0; channel < CHANNEL_COUNT && length < DURATIONS_TEXT_SIZE; channel++) {
    deadline_format_duration(&version->durations[channel], duration);
    length +=
        (size_t)snprintf(text + length, DURATIONS_TEXT_SIZE - length, "%s%s %s",
                         channel > 0 ? ", " : "", channel_name((enum channel)channel), duration);
  }
}

static void format_cutoff(int cutoff, char text[DATE_TEXT_SIZE]) {
  if (cutoff == NO_CUTOFF)
    snprintf(text, DATE_TEXT_SIZE, "%s", _("none"));
  else
    snprintf(text, DATE_TEXT_SIZE, "%02d:%02d", cutoff / 3600 % 100, cutoff / 60 % 60);
}

/* The YAML's `until` (the last day in force), or "none" when the version has no end. */
static void format_last_day(int64_t valid_until, char text[DATE_TEXT_SIZE]) {
  if (valid_until == INT64_MAX)
    snprintf(text, DATE_TEXT_SIZE, "%s", _("none"));
  else
    civil_format_date(valid_until - 1, text, DATE_TEXT_SIZE);
}

static void compare_version_durations(struct differ *differ, const char *code, const char *label,
                                      const struct procedure_version *was,
                                      const struct procedure_version *becomes) {
  char before[DEADLINE_DURATION_TEXT_SIZE], after[DEADLINE_DURATION_TEXT_SIZE];
  if (uniform_durations(was) && uniform_durations(becomes)) {
    if (!durations_differ(&was->durations[0], &becomes->durations[0]))
      return;
    deadline_format_duration(&was->durations[0], before);
    deadline_format_duration(&becomes->durations[0], after);
    change(differ, "procedure", code, "%s: duration %s -> %s", label, before, after);
    return;
  }
  for (int channel = 0; channel < CHANNEL_COUNT; channel++) {
    if (!durations_differ(&was->durations[channel], &becomes->durations[channel]))
      continue;
    deadline_format_duration(&was->durations[channel], before);
    deadline_format_duration(&becomes->durations[channel], after);
    change(differ, "procedure", code, "%s: %s duration %s -> %s", label,
           channel_name((enum channel)channel), before, after);
  }
}

static void compare_version(struct differ *differ, const char *code, const char *label,
                            const struct procedure_version *was,
                            const struct procedure_version *becomes) {
  compare_version_durations(differ, code, label, was, becomes);
  if (was->counting != becomes->counting)
    change(differ, "procedure", code, "%s: counting %s -> %s", label,
           counting_mode_name(was->counting), counting_mode_name(becomes->counting));
  char before[DATE_TEXT_SIZE], after[DATE_TEXT_SIZE];
  if (was->cutoff != becomes->cutoff) {
    format_cutoff(was->cutoff, before);
    format_cutoff(becomes->cutoff, after);
    change(differ, "procedure", code, "%s: cut-off %s -> %s", label, before, after);
  }
  if (was->supplement != becomes->supplement)
    change(differ, "procedure", code, "%s: supplement %s -> %s", label,
           supplement_mode_name(was->supplement), supplement_mode_name(becomes->supplement));
  if (durations_differ(&was->extension, &becomes->extension)) {
    char extension_before[DEADLINE_DURATION_TEXT_SIZE],
        extension_after[DEADLINE_DURATION_TEXT_SIZE];
    deadline_format_duration(&was->extension, extension_before);
    deadline_format_duration(&becomes->extension, extension_after);
    change(differ, "procedure", code, "%s: extension %s -> %s", label, extension_before,
           extension_after);
  }
  if (was->valid_until != becomes->valid_until) {
    format_last_day(was->valid_until, before);
    format_last_day(becomes->valid_until, after);
    change(differ, "procedure", code, "%s: last day in force %s -> %s", label, before, after);
  }
}

/* How the sentences of one version name it: a procedure with a single version on both sides
 * needs no version at all; otherwise versions are known by their first day. */
static void version_label(const char *code, const struct procedure_version *version, bool alone,
                          char label[LABEL_SIZE]) {
  char from[DATE_TEXT_SIZE];
  if (alone) {
    snprintf(label, LABEL_SIZE, _("procedure %s"), code);
  } else if (version->valid_from == INT64_MIN) {
    snprintf(label, LABEL_SIZE, _("procedure %s, first version"), code);
  } else {
    civil_format_date(version->valid_from, from, sizeof from);
    snprintf(label, LABEL_SIZE, _("procedure %s, version from %s"), code, from);
  }
}

static void report_version(struct differ *differ, const char *code,
                           const struct procedure_version *version, bool added) {
  char from[DATE_TEXT_SIZE], durations[DURATIONS_TEXT_SIZE];
  format_durations(version, durations);
  if (version->valid_from == INT64_MIN) {
    if (added)
      change(differ, "procedure", code, "procedure %s: first version added: %s", code, durations);
    else
      change(differ, "procedure", code, "procedure %s: first version removed", code);
    return;
  }
  civil_format_date(version->valid_from, from, sizeof from);
  if (added)
    change(differ, "procedure", code, "procedure %s: version from %s added: %s", code, from,
           durations);
  else
    change(differ, "procedure", code, "procedure %s: version from %s removed", code, from);
}

/* Versions are sorted by their first day on both sides: one merge matches them. */
static void compare_procedure(struct differ *differ, const struct procedure *was,
                              const struct procedure *becomes) {
  const char *code = becomes->code;
  if (texts_differ(was->name, becomes->name))
    change(differ, "procedure", code, "procedure %s: name '%s' -> '%s'", code, was->name,
           becomes->name);
  bool alone = was->version_count == 1 && becomes->version_count == 1;
  size_t i = 0, j = 0;
  while (i < was->version_count || j < becomes->version_count) {
    const struct procedure_version *before = i < was->version_count ? &was->versions[i] : NULL;
    const struct procedure_version *after =
        j < becomes->version_count ? &becomes->versions[j] : NULL;
    if (after == NULL || (before != NULL && before->valid_from < after->valid_from)) {
      report_version(differ, code, before, false);
      i++;
    } else if (before == NULL || after->valid_from < before->valid_from) {
      report_version(differ, code, after, true);
      j++;
    } else {
      char label[LABEL_SIZE];
      version_label(code, after, alone, label);
      compare_version(differ, code, label, before, after);
      i++;
      j++;
    }
  }
}

static void report_procedure(struct differ *differ, const struct procedure *procedure, bool added) {
  const char *code = procedure->code;
  char durations[DURATIONS_TEXT_SIZE];
  if (!added)
    change(differ, "procedure", code, "procedure %s removed: %s", code, procedure->name);
  else if (procedure->version_count == 1) {
    format_durations(&procedure->versions[0], durations);
    change(differ, "procedure", code, "procedure %s added: %s, %s", code, procedure->name,
           durations);
  } else
    change(differ, "procedure", code, "procedure %s added: %s, %zu versions", code, procedure->name,
           procedure->version_count);
}

/* Both tables are sorted by code. */
static void compare_procedures(struct differ *differ, const struct procedure_table *before,
                               const struct procedure_table *after) {
  size_t i = 0, j = 0;
  while ((i < before->count || j < after->count) && !differ->failed) {
    int order = i == before->count  ? 1
                : j == after->count ? -1
                                    : strcmp(before->items[i].code, after->items[j].code);
    if (order < 0)
      report_procedure(differ, &before->items[i++], false);
    else if (order > 0)
      report_procedure(differ, &after->items[j++], true);
    else
      compare_procedure(differ, &before->items[i++], &after->items[j++]);
  }
}

/* --- ladder -------------------------------------------------------------------------------- */

static const char *action_name(enum ladder_action action) {
  return action == LADDER_LETTER ? "letter" : "notify";
}

static void add_recipients(struct buffer *text, const struct ladder_level *level) {
  for (size_t i = 0; i < level->recipient_count; i++)
    buffer_add_format(text, "%s%s", i > 0 ? ", " : "", level->recipients[i]);
  if (level->recipient_count == 0)
    buffer_add(text, _("none"));
}

static bool lists_hold(char *const *items, size_t count, const char *item) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(items[i], item) == 0)
      return true;
  return false;
}

/* As sets: the order of the roles sends no mail to anyone else. */
static bool same_recipients(const struct ladder_level *was, const struct ladder_level *becomes) {
  for (size_t i = 0; i < was->recipient_count; i++)
    if (!lists_hold(becomes->recipients, becomes->recipient_count, was->recipients[i]))
      return false;
  for (size_t i = 0; i < becomes->recipient_count; i++)
    if (!lists_hold(was->recipients, was->recipient_count, becomes->recipients[i]))
      return false;
  return true;
}

static void compare_level(struct differ *differ, const struct ladder_level *was,
                          const struct ladder_level *becomes) {
  const char *name = becomes->name;
  if (texts_differ(was->title, becomes->title))
    change(differ, "ladder", name, "level %s: title '%s' -> '%s'", name, was->title,
           becomes->title);
  if (was->episode != becomes->episode)
    change(differ, "ladder", name, "level %s: episode %d -> %d", name, was->episode,
           becomes->episode);
  if (durations_differ(&was->offset, &becomes->offset)) {
    char before[DEADLINE_DURATION_TEXT_SIZE], after[DEADLINE_DURATION_TEXT_SIZE];
    deadline_format_duration(&was->offset, before);
    deadline_format_duration(&becomes->offset, after);
    change(differ, "ladder", name, "level %s: offset %s -> %s", name, before, after);
  }
  if (!was->on_delay_reason && becomes->on_delay_reason)
    change(differ, "ladder", name, "level %s: now also fires as soon as a delay reason is recorded",
           name);
  else if (was->on_delay_reason && !becomes->on_delay_reason)
    change(differ, "ladder", name, "level %s: no longer fires when a delay reason is recorded",
           name);
  if (was->action != becomes->action)
    change(differ, "ladder", name, "level %s: action %s -> %s", name, action_name(was->action),
           action_name(becomes->action));
  if (!same_recipients(was, becomes)) {
    struct buffer before = {0}, after = {0};
    add_recipients(&before, was);
    add_recipients(&after, becomes);
    if (before.failed || after.failed)
      differ->failed = true;
    else
      change(differ, "ladder", name, "level %s: recipients %s -> %s", name, before.data,
             after.data);
    buffer_free(&before);
    buffer_free(&after);
  }
}

static void report_level(struct differ *differ, const struct ladder_level *level, bool added) {
  if (!added) {
    change(differ, "ladder", level->name, "level %s removed", level->name);
    return;
  }
  char offset[DEADLINE_DURATION_TEXT_SIZE];
  deadline_format_duration(&level->offset, offset);
  struct buffer recipients = {0};
  add_recipients(&recipients, level);
  if (recipients.failed)
    differ->failed = true;
  else if (level->on_delay_reason)
    change(differ, "ladder", level->name,
           "level %s added: episode %d, offset %s and as soon as a delay reason is recorded, "
           "action %s, recipients %s",
           level->name, level->episode, offset, action_name(level->action), recipients.data);
  else
    change(differ, "ladder", level->name,
           "level %s added: episode %d, offset %s, action %s, recipients %s", level->name,
           level->episode, offset, action_name(level->action), recipients.data);
  buffer_free(&recipients);
}

/* The levels in the new ladder's order, then those it no longer has, in the old one's. */
static void compare_ladders(struct differ *differ, const struct ladder *before,
                            const struct ladder *after) {
  if (durations_differ(&before->due_soon, &after->due_soon)) {
    char was[DEADLINE_DURATION_TEXT_SIZE], becomes[DEADLINE_DURATION_TEXT_SIZE];
    deadline_format_duration(&before->due_soon, was);
    deadline_format_duration(&after->due_soon, becomes);
    change(differ, "ladder", "ladder", "ladder: due soon %s -> %s before the deadline", was,
           becomes);
  }
  for (size_t i = 0; i < after->count; i++) {
    int index = ladder_find(before, after->levels[i].name);
    if (index < 0)
      report_level(differ, &after->levels[i], true);
    else
      compare_level(differ, &before->levels[index], &after->levels[i]);
  }
  for (size_t i = 0; i < before->count; i++)
    if (ladder_find(after, before->levels[i].name) < 0)
      report_level(differ, &before->levels[i], false);
}

/* --- agencies ------------------------------------------------------------------------------ */

/* The letterhead and text fields, by the key an admin writes in agencies.yaml. The signer's name
 * is compared apart: a person's name may not reach a log, and these sentences may. */
static const struct {
  const char *key;
  size_t offset;
} agency_texts[] = {
    {"governing_body", offsetof(struct agency, governing_body)},
    {"unit", offsetof(struct agency, unit)},
    {"name", offsetof(struct agency, name)},
    {"symbol", offsetof(struct agency, symbol)},
    {"place", offsetof(struct agency, place)},
    {"address", offsetof(struct agency, address)},
    {"signer.title", offsetof(struct agency, signer_title)},
    {"number_format", offsetof(struct agency, number_format)},
};

static const char *agency_text(const struct agency *agency, size_t field) {
  return *(char *const *)((const char *)agency + agency_texts[field].offset);
}

static int form_year(enum agency_form form) {
  return form == AGENCY_FORM_2018 ? 2018 : 2025;
}

/* A signer's title of several lines on one line of the sentence. */
static void add_one_line(struct buffer *text, const char *value) {
  for (const char *line = value; line != NULL && !text->failed;) {
    const char *end = strchr(line, '\n');
    buffer_append(text, line, end != NULL ? (size_t)(end - line) : strlen(line));
    if (end != NULL)
      buffer_add(text, " / ");
    line = end != NULL ? end + 1 : NULL;
  }
}

static void compare_agency_texts(struct differ *differ, const struct agency *was,
                                 const struct agency *becomes) {
  struct buffer before = {0}, after = {0};
  for (size_t field = 0; field < sizeof agency_texts / sizeof agency_texts[0]; field++) {
    if (!texts_differ(agency_text(was, field), agency_text(becomes, field)))
      continue;
    buffer_reset(&before);
    buffer_reset(&after);
    add_one_line(&before, agency_text(was, field));
    add_one_line(&after, agency_text(becomes, field));
    if (before.failed || after.failed)
      differ->failed = true;
    else
      change(differ, "agency", becomes->code, "agency %s: %s '%s' -> '%s'", becomes->code,
             agency_texts[field].key, before.data != NULL ? before.data : "",
             after.data != NULL ? after.data : "");
  }
  buffer_free(&before);
  buffer_free(&after);
}

static size_t addresses_missing(const struct agency_mailbox *from,
                                const struct agency_mailbox *in) {
  size_t missing = 0;
  for (size_t i = 0; i < from->count; i++)
    missing += !lists_hold(in->addresses, in->count, from->addresses[i]);
  return missing;
}

/* Mail, role by role in the ladder's list of roles; counts rather than addresses, which may name
 * a person. */
static void compare_mail(struct differ *differ, const struct agency *was,
                         const struct agency *becomes) {
  const char *code = becomes->code;
  for (size_t i = 0; ladder_roles[i] != NULL; i++) {
    const struct agency_mailbox *before = agency_mailbox(was, ladder_roles[i]);
    const struct agency_mailbox *after = agency_mailbox(becomes, ladder_roles[i]);
    if (before == NULL && after != NULL)
      change(differ, "agency", code, "agency %s: mail for role %s added, addresses: %zu", code,
             ladder_roles[i], after->count);
    else if (before != NULL && after == NULL)
      change(differ, "agency", code, "agency %s: no more mail for role %s", code, ladder_roles[i]);
    else if (before != NULL) {
      size_t added = addresses_missing(after, before);
      size_t removed = addresses_missing(before, after);
      if (added > 0 || removed > 0)
        change(differ, "agency", code,
               "agency %s: mail addresses for role %s change: %zu added, %zu removed", code,
               ladder_roles[i], added, removed);
    }
  }
}

static void compare_agency(struct differ *differ, const struct agency *was,
                           const struct agency *becomes) {
  const char *code = becomes->code;
  compare_agency_texts(differ, was, becomes);
  if (texts_differ(was->signer_name, becomes->signer_name))
    change(differ, "agency", code, "agency %s: the signer's name changes", code);
  if (was->form != becomes->form)
    change(differ, "agency", code, "agency %s: form %d -> %d", code, form_year(was->form),
           form_year(becomes->form));
  compare_mail(differ, was, becomes);
}

/* Both code lists are sorted (ruleset.h); an empty list accepts every agency. */
static void compare_agencies(struct differ *differ, const struct ruleset *before,
                             const struct ruleset *after) {
  if (before->agency_count == 0 && after->agency_count > 0)
    change(differ, "agency", "agencies",
           "agencies are now listed: a dossier of an agency not in agencies.yaml is flagged");
  else if (before->agency_count > 0 && after->agency_count == 0)
    change(differ, "agency", "agencies",
           "agencies are no longer listed: dossiers of every agency are accepted");
  size_t i = 0, j = 0;
  while ((i < before->agency_count || j < after->agency_count) && !differ->failed) {
    int order = i == before->agency_count ? 1
                : j == after->agency_count
                    ? -1
                    : strcmp(before->agency_codes[i], after->agency_codes[j]);
    const struct agency *was =
        order <= 0 ? agencies_find(&before->agencies, before->agency_codes[i++]) : NULL;
    const struct agency *becomes =
        order >= 0 ? agencies_find(&after->agencies, after->agency_codes[j++]) : NULL;
    if (becomes == NULL)
      change(differ, "agency", was->code, "agency %s removed: %s", was->code, was->name);
    else if (was == NULL)
      change(differ, "agency", becomes->code, "agency %s added: %s, form %d", becomes->code,
             becomes->name, form_year(becomes->form));
    else
      compare_agency(differ, was, becomes);
  }
}

/* --- the whole set ------------------------------------------------------------------------- */

enum status rules_diff_compute(const struct ruleset *before, const struct ruleset *after,
                               struct rules_diff *diff, struct error *error) {
  *diff = (struct rules_diff){0};
  struct differ differ = {.diff = diff};
  compare_calendars(&differ, before->rules->calendar, after->rules->calendar);
  compare_procedures(&differ, &before->rules->procedures, &after->rules->procedures);
  compare_ladders(&differ, before->ladder, after->ladder);
  compare_agencies(&differ, before, after);
  if (differ.failed) {
    rules_diff_free(diff);
    return error_set(error, STATUS_RUNTIME, "out of memory while comparing the rules");
  }
  return STATUS_OK;
}

void rules_diff_free(struct rules_diff *diff) {
  for (size_t i = 0; i < diff->count; i++) {
    free(diff->changes[i].kind);
    free(diff->changes[i].subject);
    free(diff->changes[i].sentence);
  }
  free(diff->changes);
  *diff = (struct rules_diff){0};
}
