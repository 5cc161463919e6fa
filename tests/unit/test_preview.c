/*
 * core/preview.h: two evaluations of one dossier compared, and shifts of working time in words.
 * Calendar: Monday to Friday, 07:00-11:30 and 13:30-17:00 (8 working hours), no holidays.
 */
#include <string.h>

#include "core/civil.h"
#include "core/preview.h"
#include "tap.h"
#include "test_calendar.h"

static int64_t at(int month, int day, int hour, int minute) {
  return civil_instant_from_local(civil_days_from_date(2025, month, day),
                                  hour * 3600 + minute * 60);
}

/* Two ladders with the same levels in a different order: due sets are compared by name. */
static struct ladder_level levels_in_force[] = {
    {.name = "due_soon", .episode = 1, .action = LADDER_NOTIFY},
    {.name = "overdue", .episode = 1, .action = LADDER_NOTIFY},
    {.name = "apology", .episode = 1, .action = LADDER_LETTER},
};
static struct ladder_level levels_new[] = {
    {.name = "apology", .episode = 1, .action = LADDER_LETTER},
    {.name = "due_soon", .episode = 1, .action = LADDER_NOTIFY},
    {.name = "overdue", .episode = 1, .action = LADDER_NOTIFY},
};
static const struct ladder ladder_in_force = {.levels = levels_in_force, .count = 3};
static const struct ladder ladder_new = {.levels = levels_new, .count = 3};

static struct dossier_evaluation running(int64_t deadline, enum dossier_state state, uint32_t due) {
  struct dossier_evaluation evaluation;
  memset(&evaluation, 0, sizeof evaluation);
  evaluation.state = state;
  evaluation.episode = 1;
  evaluation.has_deadline = true;
  evaluation.deadline.deadline = deadline;
  evaluation.due = due;
  return evaluation;
}

static void test_compare(const struct calendar *calendar) {
  struct preview_difference difference;
  struct dossier_evaluation before = running(at(3, 3, 10, 0), DOSSIER_ON_TRACK, 0);
  struct dossier_evaluation after = before;
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(!difference.differs, "the same evaluation differs in nothing");

  after.deadline.deadline = at(3, 5, 10, 0);
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(difference.differs && difference.moved && !difference.state_changed &&
             !difference.escalations_changed,
         "a later deadline moves the dossier, nothing else");
  tap_is_integer(difference.shift_seconds, 2 * 8 * 3600, "Monday to Wednesday: 2 working days");
  tap_is_integer(difference.deadline_before, at(3, 3, 10, 0), "the deadline before");
  tap_is_integer(difference.deadline_after, at(3, 5, 10, 0), "the deadline after");

  after.deadline.deadline = at(3, 10, 10, 0); /* the Monday after: the weekend does not count */
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_is_integer(difference.shift_seconds, 5 * 8 * 3600, "a week later is 5 working days");

  after.deadline.deadline = at(2, 28, 15, 0); /* the Friday before, 15:00 */
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_is_integer(difference.shift_seconds, -(2 + 3) * 3600,
                 "Friday 15:00 is 2 h of Friday and 3 h of Monday earlier");

  /* Due by name: levels 2 (apology) and 1 (overdue) in force are 0 and 2 in the new ladder. */
  before = running(at(3, 3, 10, 0), DOSSIER_OVERDUE, 6);
  after = running(at(3, 3, 10, 0), DOSSIER_OVERDUE, 5);
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(!difference.differs, "the same levels due under other indices differ in nothing");
  tap_is_integer(difference.escalation_count, 2, "two levels due after");
  tap_ok(difference.letter, "the apology level drafts a letter");

  before = running(at(3, 3, 10, 0), DOSSIER_ON_TRACK, 0);
  after = running(at(2, 27, 10, 0), DOSSIER_OVERDUE, 5);
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(difference.moved && difference.state_changed && difference.escalations_changed,
         "a shortened duration: moved, overdue, escalations");
  tap_is_integer(difference.escalations, 5, "apology and overdue of the new ladder");
  tap_is_string(dossier_state_name(difference.state_before), "on_track", "state before");
  tap_is_string(dossier_state_name(difference.state_after), "overdue", "state after");

  after = running(at(3, 3, 10, 0), DOSSIER_DUE_SOON, 2);
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(difference.differs && !difference.moved && !difference.letter,
         "due soon only: a notification, no letter");

  after = before;
  after.has_deadline = false;
  after.state = DOSSIER_FLAGGED;
  strcpy(after.flag, "unknown procedure '1.000001'");
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(difference.differs && difference.state_changed && difference.moved,
         "a dossier the new rules flag loses its deadline");

  before = after;
  strcpy(after.flag, "unknown agency 'X'");
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(difference.state_changed && !difference.moved, "another flag reason is a change");

  memset(&before, 0, sizeof before);
  before.state = DOSSIER_PAUSED;
  before.stopped = true;
  before.deadline.stopped = true;
  before.deadline.remaining_seconds = 3600;
  after = before;
  after.deadline.remaining_seconds = 3600 + 2 * 8 * 3600;
  preview_compare(calendar, &ladder_in_force, &ladder_new, &before, &after, &difference);
  tap_ok(difference.moved && !difference.has_deadline_before, "a paused clock with more time left");
  tap_is_integer(difference.shift_seconds, 2 * 8 * 3600, "its shift is the time left");
}

static void expect_shift(int64_t seconds, const char *expected) {
  char text[PREVIEW_SHIFT_SIZE];
  preview_format_shift(seconds, 8 * 3600, text);
  tap_is_string(text, expected, "%lld s", (long long)seconds);
}

int main(void) {
  struct calendar *calendar = test_calendar_create(NULL, 0);
  tap_is_integer(preview_seconds_per_day(calendar), 8 * 3600, "8 working hours a day");
  test_compare(calendar);
  expect_shift(0, "no shift");
  expect_shift(2 * 8 * 3600, "+2 working days");
  expect_shift(-8 * 3600, "-1 working day");
  expect_shift(-3 * 3600, "-3h working time");
  expect_shift(5400, "+1h30m working time");
  expect_shift(45 * 60, "+45m working time");
  expect_shift(9 * 3600 + 5, "+9h5s working time");
  calendar_free(calendar);
  return tap_finish();
}
