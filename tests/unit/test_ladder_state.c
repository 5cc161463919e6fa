/*
 * The escalation ladder: offsets in working time, the states and due levels of the default
 * ladder (rules/ladder.yaml) as "now" moves, and the loader's located errors.
 * Calendar: Monday to Friday, 07:00-11:30 and 13:30-17:00, no holidays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/civil.h"
#include "core/ladder_state.h"
#include "rules/ladder.h"
#include "tap.h"
#include "test_calendar.h"

static int64_t at(int month, int day, int hour, int minute) {
  return civil_instant_from_local(civil_days_from_date(2025, month, day),
                                  hour * 3600 + minute * 60);
}

static void test_offsets(const struct calendar *calendar) {
  int64_t deadline = at(3, 10, 8, 0); /* Monday */
  struct duration offset = {-1, UNIT_WORKING_DAYS};
  tap_is_integer(ladder_offset_instant(calendar, &offset, deadline), at(3, 7, 8, 0),
                 "-1wd from Monday 08:00 is Friday 08:00");
  offset = (struct duration){3, UNIT_WORKING_DAYS};
  tap_is_integer(ladder_offset_instant(calendar, &offset, deadline), at(3, 13, 8, 0),
                 "3wd is Thursday 08:00");
  offset = (struct duration){-4, UNIT_WORKING_HOURS};
  tap_is_integer(ladder_offset_instant(calendar, &offset, deadline), at(3, 7, 14, 0),
                 "-4wh from Monday 08:00 is Friday 14:00 (1 h Monday, 3 h Friday)");
  offset = (struct duration){2, UNIT_WORKING_HOURS};
  tap_is_integer(ladder_offset_instant(calendar, &offset, at(3, 10, 11, 0)), at(3, 10, 15, 0),
                 "2wh from 11:00 skips the lunch break");
  offset = (struct duration){2, UNIT_CALENDAR_DAYS};
  tap_is_integer(ladder_offset_instant(calendar, &offset, deadline), at(3, 12, 8, 0),
                 "2cd is two days later");
  offset = (struct duration){0, UNIT_WORKING_DAYS};
  tap_is_integer(ladder_offset_instant(calendar, &offset, deadline), deadline, "0 is the anchor");
}

static struct ladder_input open_input(int64_t now) {
  struct ladder_input input;
  memset(&input, 0, sizeof input);
  input.deadline.deadline = at(3, 10, 8, 0);
  input.status = SOURCE_PROCESSING;
  input.now = now;
  return input;
}

static uint32_t bits(const struct ladder *ladder, const char *first, const char *second) {
  uint32_t mask = 0;
  if (first != NULL)
    mask |= UINT32_C(1) << ladder_find(ladder, first);
  if (second != NULL)
    mask |= UINT32_C(1) << ladder_find(ladder, second);
  return mask;
}

static void expect(const struct calendar *calendar, const struct ladder *ladder,
                   const struct ladder_input *input, enum dossier_state state, uint32_t due,
                   int64_t next, const char *what) {
  struct ladder_outcome outcome;
  ladder_state_evaluate(calendar, ladder, input, &outcome);
  tap_is_string(dossier_state_name(outcome.state), dossier_state_name(state), "%s: state", what);
  tap_is_integer(outcome.due, due, "%s: due levels", what);
  tap_is_integer(outcome.next_instant, next, "%s: next instant", what);
}

static void test_states(const struct calendar *calendar, const struct ladder *ladder) {
  struct ladder_input input = open_input(at(3, 5, 9, 0));
  expect(calendar, ladder, &input, DOSSIER_ON_TRACK, 0, at(3, 7, 8, 0), "Wednesday");
  input.now = at(3, 7, 8, 0);
  expect(calendar, ladder, &input, DOSSIER_DUE_SOON, bits(ladder, "due_soon", NULL),
         at(3, 10, 8, 0), "Friday 08:00");
  input.fired = bits(ladder, "due_soon", NULL);
  expect(calendar, ladder, &input, DOSSIER_DUE_SOON, 0, at(3, 10, 8, 0), "after due soon fired");
  input.now = at(3, 10, 8, 0);
  expect(calendar, ladder, &input, DOSSIER_OVERDUE, bits(ladder, "apology", "overdue"),
         at(3, 13, 8, 0), "at the deadline");
  input.fired = 0;
  expect(calendar, ladder, &input, DOSSIER_OVERDUE, bits(ladder, "apology", "overdue"),
         at(3, 13, 8, 0), "a warning not fired before the deadline lapses");
  input.fired = bits(ladder, "due_soon", "apology") | bits(ladder, "overdue", NULL);
  input.rescheduled = true;
  input.new_deadline = at(3, 17, 8, 0);
  input.now = at(3, 13, 8, 0);
  expect(calendar, ladder, &input, DOSSIER_RESCHEDULED, bits(ladder, "long_overdue", NULL),
         at(3, 17, 8, 0), "rescheduled, three working days after the deadline");
  input.fired |= bits(ladder, "long_overdue", NULL);
  input.now = at(3, 17, 8, 0);
  expect(calendar, ladder, &input, DOSSIER_OVERDUE_AGAIN, bits(ladder, "overdue_again", NULL),
         LADDER_NEVER, "at the rescheduled date");

  input = open_input(at(3, 4, 9, 0));
  input.delay_reason = true;
  expect(calendar, ladder, &input, DOSSIER_ON_TRACK, bits(ladder, "apology", NULL), at(3, 7, 8, 0),
         "a delay reason raises the apology early");

  input = open_input(at(3, 20, 9, 0));
  input.status = SOURCE_FINISHED;
  input.finished_at = at(3, 7, 16, 0);
  expect(calendar, ladder, &input, DOSSIER_FINISHED_EARLY, 0, LADDER_NEVER, "finished early");
  input.finished_at = at(3, 10, 7, 30);
  expect(calendar, ladder, &input, DOSSIER_FINISHED_ON_TIME, 0, LADDER_NEVER,
         "finished on the deadline's day");
  input.finished_at = at(3, 10, 8, 1);
  expect(calendar, ladder, &input, DOSSIER_FINISHED_LATE, 0, LADDER_NEVER,
         "finished after the deadline: late, and nothing fires");
  input.status = SOURCE_WITHDRAWN;
  expect(calendar, ladder, &input, DOSSIER_CLOSED, 0, LADDER_NEVER, "withdrawn");
  input = open_input(at(3, 20, 9, 0));
  input.deadline.stopped = true;
  expect(calendar, ladder, &input, DOSSIER_PAUSED, 0, LADDER_NEVER, "an open pause");
  input.deadline.stopped = false;
  input.status = SOURCE_WAITING_SUPPLEMENT;
  expect(calendar, ladder, &input, DOSSIER_PAUSED, 0, LADDER_NEVER, "waiting for a supplement");
  tap_is_integer(source_status_from_name("finished"), SOURCE_FINISHED, "status names parse");
  tap_is_integer(source_status_from_name("lost"), -1, "an unknown status is -1");
}

static void expect_load_error(const char *content, const char *message) {
  char path[] = "/tmp/dunghen-ladder-XXXXXX";
  int descriptor = mkstemp(path);
  if (descriptor < 0 || write(descriptor, content, strlen(content)) < 0)
    tap_diagnostic("cannot write %s", path);
  close(descriptor);
  struct ladder *ladder = NULL;
  struct error error;
  error_clear(&error);
  enum status status = ladder_load_file(path, &ladder, &error);
  tap_is_integer(status, STATUS_INVALID, "rejected: %s", message);
  char expected[512];
  snprintf(expected, sizeof expected, "%s:%s", path, message);
  tap_is_string(error.message, expected, "with the located message");
  tap_ok(ladder == NULL, "and no ladder");
  unlink(path);
}

static void test_loader(void) {
  expect_load_error("levels:\n  - level: a\n    offset: 0\n    recipient: [signer]\n",
                    "4:5: unknown key 'recipient' in a ladder level (did you mean 'recipients'?)");
  expect_load_error("levels:\n  - level: a\n    offset: 1d\n    recipients: [signer]\n",
                    "3:13: '1d' is not an offset: write 0 or a number followed by wd (working "
                    "days), wh (working hours) or cd (calendar days), e.g. -1wd");
  expect_load_error("levels:\n  - level: a\n    offset: 0\n    recipients: [boss]\n",
                    "4:18: 'boss' is not one of: handling_agency, agency_head, signer, "
                    "one_stop_unit, provincial_office, applicant");
  expect_load_error("levels:\n  - level: a\n    episode: 2\n    offset: 0\n    action: letter\n"
                    "    recipients: [signer]\n",
                    "5:13: a letter can only be sent in episode 1: the return date may be "
                    "rescheduled only once");
  expect_load_error("levels:\n  - level: a\n    offset: 0\n    recipients: [signer]\n"
                    "  - level: a\n    offset: 1wd\n    recipients: [signer]\n",
                    "5:12: level 'a' is defined twice (first on line 2)");
  expect_load_error("due_soon: -1wd\nlevels:\n  - level: a\n    offset: 0\n"
                    "    recipients: [signer]\n",
                    "1:11: '-1wd' must not be negative");
}

int main(void) {
  struct calendar *calendar = test_calendar_create(NULL, 0);
  char path[1024];
  snprintf(path, sizeof path, "%s/rules/ladder.yaml", getenv("DUNGHEN_SOURCE_ROOT"));
  struct ladder *ladder = NULL;
  struct error error;
  if (!tap_is_integer(ladder_load_file(path, &ladder, &error), STATUS_OK,
                      "the shipped ladder loads %s", error.message))
    return tap_finish();
  tap_is_integer((long long)ladder->count, 5, "it has the five levels of PRODUCT.md");
  test_offsets(calendar);
  test_states(calendar, ladder);
  test_loader();
  ladder_free(ladder);
  calendar_free(calendar);
  return tap_finish();
}
