/*
 * preview.c: one dossier's clock under two rule sets, compared (see preview.h).
 */
#include "core/preview.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Whether every level due in `left` (of `left_ladder`) is due by name in `right`. */
static bool due_included(const struct ladder *left_ladder, uint32_t left,
                         const struct ladder *right_ladder, uint32_t right) {
  for (size_t i = 0; i < left_ladder->count && i < 32; i++) {
    if ((left & (UINT32_C(1) << i)) == 0)
      continue;
    int found = ladder_find(right_ladder, left_ladder->levels[i].name);
    if (found < 0 || found >= 32 || (right & (UINT32_C(1) << found)) == 0)
      return false;
  }
  return true;
}

/* Signed working seconds from `from` to `to` on `calendar`. */
static int64_t working_shift(const struct calendar *calendar, int64_t from, int64_t to) {
  if (to >= from)
    return calendar_working_seconds_between(calendar, from, to);
  return -calendar_working_seconds_between(calendar, to, from);
}

void preview_compare(const struct calendar *calendar_after, const struct ladder *ladder_before,
                     const struct ladder *ladder_after, const struct dossier_evaluation *before,
                     const struct dossier_evaluation *after,
                     struct preview_difference *difference) {
  memset(difference, 0, sizeof *difference);
  difference->state_before = before->state;
  difference->state_after = after->state;
  difference->has_deadline_before = before->has_deadline;
  difference->has_deadline_after = after->has_deadline;
  difference->deadline_before = before->deadline.deadline;
  difference->deadline_after = after->deadline.deadline;
  if (before->has_deadline && after->has_deadline) {
    difference->moved = before->deadline.deadline != after->deadline.deadline;
    if (difference->moved)
      difference->shift_seconds =
          working_shift(calendar_after, before->deadline.deadline, after->deadline.deadline);
  } else if (before->stopped && after->stopped) {
    difference->moved = before->deadline.remaining_seconds != after->deadline.remaining_seconds;
    difference->shift_seconds =
        after->deadline.remaining_seconds - before->deadline.remaining_seconds;
  } else {
    difference->moved = before->has_deadline != after->has_deadline;
  }
  difference->state_changed =
      before->state != after->state || strcmp(before->flag, after->flag) != 0;
  difference->escalations_changed =
      !due_included(ladder_before, before->due, ladder_after, after->due) ||
      !due_included(ladder_after, after->due, ladder_before, before->due);
  for (size_t i = 0; i < ladder_after->count && i < 32; i++) {
    if ((after->due & (UINT32_C(1) << i)) == 0)
      continue;
    difference->escalations |= UINT32_C(1) << i;
    difference->escalation_count++;
    if (ladder_after->levels[i].action == LADDER_LETTER)
      difference->letter = true;
  }
  difference->differs =
      difference->moved || difference->state_changed || difference->escalations_changed;
}

void preview_describe_shift(const struct translation *translation, int64_t seconds,
                            int64_t seconds_per_day, char buffer[PREVIEW_SHIFT_SIZE]) {
  if (seconds == 0) {
    snprintf(buffer, PREVIEW_SHIFT_SIZE, "%s", translation_text(translation, "no shift"));
    return;
  }
  char sign = seconds < 0 ? '-' : '+';
  uint64_t size = seconds < 0 ? (uint64_t)0 - (uint64_t)seconds : (uint64_t)seconds;
  if (seconds_per_day > 0 && size % (uint64_t)seconds_per_day == 0) {
    uint64_t days = size / (uint64_t)seconds_per_day;
    snprintf(buffer, PREVIEW_SHIFT_SIZE,
             translation_plural(translation, "%c%llu working day", "%c%llu working days",
                                (unsigned long)days),
             sign, (unsigned long long)days);
    return;
  }
  uint64_t hours = size / 3600, minutes = size % 3600 / 60, rest = size % 60;
  char amount[PREVIEW_SHIFT_SIZE];
  int length = snprintf(amount, sizeof amount, "%c", sign);
  if (hours > 0 || (minutes == 0 && rest == 0))
    length += snprintf(amount + length, sizeof amount - (size_t)length, "%" PRIu64 "h", hours);
  if (minutes > 0)
    length += snprintf(amount + length, sizeof amount - (size_t)length, "%" PRIu64 "m", minutes);
  if (rest > 0)
    snprintf(amount + length, sizeof amount - (size_t)length, "%" PRIu64 "s", rest);
  snprintf(buffer, PREVIEW_SHIFT_SIZE, translation_text(translation, "%s working time"), amount);
}

void preview_format_shift(int64_t seconds, int64_t seconds_per_day,
                          char buffer[PREVIEW_SHIFT_SIZE]) {
  preview_describe_shift(NULL, seconds, seconds_per_day, buffer);
}

int64_t preview_seconds_per_day(const struct calendar *calendar) {
  const struct working_hours *hours = calendar_hours(calendar);
  int64_t total = 0;
  for (int i = 0; i < hours->count; i++)
    total += hours->intervals[i].end - hours->intervals[i].start;
  return total;
}
