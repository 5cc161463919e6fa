/*
 * ladder_state.c: a dossier's state, due levels and next instant (see ladder_state.h).
 */
#include "core/ladder_state.h"

#include <string.h>

#include "core/civil.h"

static const char *const state_names[DOSSIER_STATE_COUNT] = {
    "on_track",       "due_soon",         "overdue",       "rescheduled", "overdue_again", "paused",
    "finished_early", "finished_on_time", "finished_late", "closed",      "flagged",
};

static const char *const status_names[] = {
    "processing", "waiting_supplement", "paused", "finished", "withdrawn", "rejected", NULL,
};

const char *dossier_state_name(enum dossier_state state) {
  return state >= 0 && state < DOSSIER_STATE_COUNT ? state_names[state] : "unknown";
}

int source_status_from_name(const char *name) {
  for (int i = 0; status_names[i] != NULL; i++)
    if (strcmp(status_names[i], name) == 0)
      return i;
  return SOURCE_UNKNOWN;
}

/* The n-th working day before `day` (n >= 1), or -1 before the calendar's range. */
static int64_t working_days_before(const struct calendar *calendar, int64_t day, int64_t n) {
  int64_t first = calendar_first_day(calendar);
  while (n > 0) {
    day--;
    if (day < first)
      return -1;
    if (calendar_is_working_day(calendar, day))
      n--;
  }
  return day;
}

/* The latest instant t with `seconds` working seconds in [t, anchor); -1 before the range. */
static int64_t working_seconds_before(const struct calendar *calendar, int64_t anchor,
                                      int64_t seconds) {
  int64_t earliest = civil_instant_from_local(calendar_first_day(calendar), 0);
  int64_t low = anchor;
  int64_t step = 7 * SECONDS_PER_DAY;
  /* Widen until enough working time lies between low and anchor (holidays can be long). */
  while (calendar_working_seconds_between(calendar, low, anchor) < seconds) {
    if (low <= earliest)
      return -1;
    low = low - step < earliest ? earliest : low - step;
    step *= 2;
  }
  int64_t high = anchor; /* invariant: ws(low) >= seconds, ws(high) < seconds unless equal */
  if (calendar_working_seconds_between(calendar, high, anchor) >= seconds)
    return high;
  while (high - low > 1) {
    int64_t middle = low + (high - low) / 2;
    if (calendar_working_seconds_between(calendar, middle, anchor) >= seconds)
      low = middle;
    else
      high = middle;
  }
  return low;
}

int64_t ladder_offset_instant(const struct calendar *calendar, const struct duration *offset,
                              int64_t anchor) {
  int64_t amount = offset->amount;
  if (amount == 0)
    return anchor;
  int64_t magnitude = amount < 0 ? -amount : amount;
  switch (offset->unit) {
  case UNIT_CALENDAR_DAYS:
    return anchor + amount * SECONDS_PER_DAY;
  case UNIT_WORKING_HOURS: {
    int64_t result = amount > 0 ? calendar_add_working_seconds(calendar, anchor, magnitude * 3600)
                                : working_seconds_before(calendar, anchor, magnitude * 3600);
    return result < 0 ? LADDER_NEVER : result;
  }
  case UNIT_WORKING_DAYS:
  default: {
    int64_t day = civil_local_day(anchor);
    if (!calendar_covers(calendar, day))
      return LADDER_NEVER;
    int64_t target = amount > 0 ? calendar_add_working_days(calendar, day, magnitude)
                                : working_days_before(calendar, day, magnitude);
    if (target < 0)
      return LADDER_NEVER;
    return civil_instant_from_local(target, civil_local_second_of_day(anchor));
  }
  }
}

static enum dossier_state finished_state(const struct ladder_input *input) {
  if (input->deadline.stopped)
    return DOSSIER_FINISHED_ON_TIME; /* finished while the clock was stopped: never late */
  int64_t deadline = input->deadline.deadline;
  if (input->finished_at > deadline)
    return DOSSIER_FINISHED_LATE;
  if (civil_local_day(input->finished_at) < civil_local_day(deadline))
    return DOSSIER_FINISHED_EARLY;
  return DOSSIER_FINISHED_ON_TIME;
}

static void consider(int64_t *next, int64_t candidate, int64_t now) {
  if (candidate > now && candidate < *next)
    *next = candidate;
}

/* The open (processing) dossier: state from the episode's deadline, levels from the ladder. */
static void evaluate_open(const struct calendar *calendar, const struct ladder *ladder,
                          const struct ladder_input *input, struct ladder_outcome *outcome) {
  int64_t now = input->now;
  int64_t deadline = input->deadline.deadline;
  int64_t next = LADDER_NEVER;
  if (input->rescheduled) {
    outcome->state = now >= input->new_deadline ? DOSSIER_OVERDUE_AGAIN : DOSSIER_RESCHEDULED;
    consider(&next, input->new_deadline, now);
  } else {
    struct duration before = ladder->due_soon;
    before.amount = -before.amount;
    int64_t due_soon = ladder_offset_instant(calendar, &before, deadline);
    if (now >= deadline)
      outcome->state = DOSSIER_OVERDUE;
    else if (due_soon != LADDER_NEVER && now >= due_soon)
      outcome->state = DOSSIER_DUE_SOON;
    else
      outcome->state = DOSSIER_ON_TRACK;
    consider(&next, due_soon, now);
    consider(&next, deadline, now);
  }
  for (size_t i = 0; i < ladder->count && i < LADDER_MAX_LEVELS; i++) {
    const struct ladder_level *level = &ladder->levels[i];
    uint32_t bit = UINT32_C(1) << i;
    if ((input->fired & bit) != 0)
      continue;
    if (level->episode == 2 && !input->rescheduled)
      continue;
    if (level->action == LADDER_LETTER && input->rescheduled)
      continue; /* the one reschedule has happened */
    int64_t anchor = level->episode == 2 ? input->new_deadline : deadline;
    if (level->offset.amount < 0 && now >= anchor)
      continue; /* a warning lapses at its deadline */
    int64_t instant = ladder_offset_instant(calendar, &level->offset, anchor);
    bool reached = instant != LADDER_NEVER && now >= instant;
    if (reached || (level->on_delay_reason && input->delay_reason))
      outcome->due |= bit;
    else
      consider(&next, instant, now);
  }
  outcome->next_instant = next;
}

void ladder_state_evaluate(const struct calendar *calendar, const struct ladder *ladder,
                           const struct ladder_input *input, struct ladder_outcome *outcome) {
  outcome->due = 0;
  outcome->next_instant = LADDER_NEVER;
  outcome->episode = input->rescheduled ? 2 : 1;
  switch (input->status) {
  case SOURCE_WITHDRAWN:
  case SOURCE_REJECTED:
    outcome->state = DOSSIER_CLOSED;
    return;
  case SOURCE_FINISHED:
    outcome->state = finished_state(input);
    return;
  case SOURCE_WAITING_SUPPLEMENT:
  case SOURCE_PAUSED:
    outcome->state = DOSSIER_PAUSED;
    return;
  case SOURCE_PROCESSING:
  default:
    break;
  }
  if (input->deadline.stopped) {
    outcome->state = DOSSIER_PAUSED;
    return;
  }
  evaluate_open(calendar, ladder, input, outcome);
}
