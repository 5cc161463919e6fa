/*
 * pass.c: one pass over the database (see pass.h for the contract).
 *
 * A batch is one transaction of a few statements whatever its size. Changed phase: one
 * statement finds the next changed source rows (keyset over updated_at, leaving out rows whose
 * clock was computed from that very row), claims each with a try-advisory-lock and reads the
 * claimed rows with their pauses; the next reads their stored clocks and fired levels (after
 * the locks, so it sees what another instance committed). Due and recompute phases: find, claim,
 * then read everything in one query. Each clock is computed in C (core/deadline.h,
 * core/ladder_state.h); clocks the table lacks go in by binary COPY, and one statement writes
 * the rest from array parameters: the clock upserts and deletions, the escalations (ON
 * CONFLICT DO NOTHING), the letters numbered per agency and year from a counter row that the
 * statement locks and bumps, and the sync state (watermark, last pass). Nothing is left on the
 * connection between calls: no prepared statements (a generic plan cannot see how many codes
 * a batch carries, and planning is a small part of a batch) and no temporary tables
 * (truncated at every commit that touched them).
 */
#include "service/pass.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/deadline.h"
#include "core/dossier.h"
#include "core/ladder_state.h"
#include "rules/procedures.h"
#include "service/sql.h"

enum {
  LOCK_CLASS = 1684368999, /* the advisory lock class of dossiers ("dung" as bytes) */
  FINGERPRINT_SIZE = 17,
  FIRST_VALID_YEAR = 1990,
  MAX_PAUSES = 64,
  SHOWN_VALUE = 40, /* source values quoted in flag reasons are cut to this */
};

/* A growing text buffer for array literals. */
struct text {
  char *data;
  size_t length;
  size_t capacity;
  bool failed;
};

/* The columns a batch writes, each an array literal sent as one parameter of the write. */
enum clock_column {
  CLOCK_CODE, CLOCK_PROCEDURE, CLOCK_AGENCY, CLOCK_SOURCE_UPDATED_US, CLOCK_RECEIVED_AT,
  CLOCK_DEADLINE, CLOCK_REMAINING, CLOCK_EPISODE, CLOCK_RESCHEDULED_AT, CLOCK_NEW_DEADLINE,
  CLOCK_STATE, CLOCK_NEXT_INSTANT, CLOCK_FLAGGED_REASON, CLOCK_DELETED, CLOCK_COLUMNS
};
enum letter_column {
  LETTER_CODE, LETTER_LEVEL, LETTER_EPISODE, LETTER_AGENCY, LETTER_NEW_APPOINTMENT,
  LETTER_YEAR, LETTER_ISSUED_ON, LETTER_PROMISED, LETTER_FORM, LETTER_WORDING, LETTER_COLUMNS
};
/* Letters drafted in an earlier pass whose dossier now records a delay reason: re-drafted
 * under the same number when the reason differs from the one the letter printed. */
enum redraft_column { REDRAFT_CODE, REDRAFT_REASON_MD5, REDRAFT_COLUMNS };

struct pass {
  const struct pass_context *context;
  struct pass_report *report;
  char fingerprint[FINGERPRINT_SIZE];
  char now_text[24];
  size_t batch_size;
  struct text clock[CLOCK_COLUMNS];
  struct text letter[LETTER_COLUMNS]; /* the letter escalations raised, for the letters */
  struct text redraft[REDRAFT_COLUMNS];
  struct text new_escalations; /* binary COPY data of the escalations raised */
  struct text new_clocks; /* binary COPY data of the clock rows the table does not have yet */
  size_t new_clock_count;
  size_t clock_count;
  size_t escalation_count;
  size_t letter_count;
  size_t redraft_count;
};

/* One dossier of a batch, as read (pointers into the PGresult). */
struct dossier {
  const char *code;
  bool present;
  const char *procedure_code;
  const char *agency_code;
  const char *channel;
  const char *status;
  bool has_received;
  int64_t received_at;
  bool has_finished;
  int64_t finished_at;
  bool delay_reason;
  const char *reason_md5; /* md5 of the trimmed reason, NULL when none */
  int64_t copies;         /* rows the source view returns for this code (1 unless broken) */
  bool has_appointment;
  int64_t appointment_at; /* the promised time on the receipt slip */
  const char *updated_us;
  const char *pauses;
  bool known;
  bool unchanged;
  int64_t old_deadline; /* INT64_MIN when none */
  int old_episode;
  int64_t new_deadline;
  int64_t rescheduled_at;
  const char *old_state;
  int64_t old_next;
  const char *old_flag;
  const char *fired;
};

/* ---- text buffers ---- */

static void text_reserve(struct text *text, size_t extra) {
  if (text->failed || text->length + extra + 1 <= text->capacity)
    return;
  size_t capacity = text->capacity ? text->capacity : 4096;
  while (capacity < text->length + extra + 1)
    capacity *= 2;
  char *grown = realloc(text->data, capacity);
  if (grown == NULL) {
    text->failed = true;
    return;
  }
  text->data = grown;
  text->capacity = capacity;
}

static void text_append(struct text *text, const char *data, size_t length) {
  text_reserve(text, length);
  if (text->failed)
    return;
  memcpy(text->data + text->length, data, length);
  text->length += length;
  text->data[text->length] = '\0';
}

static void text_add(struct text *text, const char *string) {
  text_append(text, string, strlen(string));
}

static void text_reset(struct text *text) {
  text->length = 0;
  text->failed = false;
  if (text->data != NULL)
    text->data[0] = '\0';
}

static void text_free(struct text *text) {
  free(text->data);
  memset(text, 0, sizeof *text);
}

/* An element of a text[] literal opened with "{", double-quoted; NULL for NULL. */
static void array_element(struct text *text, const char *value) {
  if (value == NULL) {
    text_add(text, text->length > 1 ? ",NULL" : "NULL");
    return;
  }
  text_add(text, text->length > 1 ? ",\"" : "\"");
  const char *cursor = value;
  for (;;) {
    size_t plain = strcspn(cursor, "\"\\");
    text_append(text, cursor, plain);
    cursor += plain;
    if (*cursor == '\0')
      break;
    text_append(text, "\\", 1);
    text_append(text, cursor++, 1);
  }
  text_add(text, "\"");
}

/* An element of a bigint[] (or smallint[], integer[]) literal. Digits by hand: snprintf was
 * the dunghen side's largest cost in a first pass over a million dossiers. */
static void array_integer(struct text *text, int64_t value, bool present) {
  if (!present) {
    text_add(text, text->length > 1 ? ",NULL" : "NULL");
    return;
  }
  char buffer[24];
  char *cursor = buffer + sizeof buffer;
  uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
  do {
    *--cursor = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0)
    *--cursor = '-';
  if (text->length > 1)
    *--cursor = ',';
  text_append(text, cursor, (size_t)(buffer + sizeof buffer - cursor));
}

static void columns_open(struct text *columns, size_t count) {
  for (size_t i = 0; i < count; i++) {
    text_reset(&columns[i]);
    text_add(&columns[i], "{");
  }
}

static bool columns_close(struct text *columns, size_t count) {
  bool failed = false;
  for (size_t i = 0; i < count; i++) {
    text_add(&columns[i], "}");
    failed = failed || columns[i].failed;
  }
  return !failed;
}

static void columns_free(struct text *columns, size_t count) {
  for (size_t i = 0; i < count; i++)
    text_free(&columns[i]);
}

/* ---- binary COPY data (the format of COPY ... FROM STDIN (FORMAT binary)) ---- */

enum {
  POSTGRES_EPOCH_OFFSET = 946684800, /* 2000-01-01 in Unix seconds: timestamptz's zero */
  CLOCK_COPY_COLUMNS = 15,
};

static void binary_integer(struct text *text, uint64_t value, int bytes) {
  unsigned char buffer[8];
  for (int i = 0; i < bytes; i++)
    buffer[i] = (unsigned char)(value >> (8 * (bytes - 1 - i)));
  text_append(text, (const char *)buffer, (size_t)bytes);
}

static void binary_null(struct text *text) {
  binary_integer(text, UINT32_MAX, 4); /* length -1 */
}

static void binary_text(struct text *text, const char *value) {
  if (value == NULL) {
    binary_null(text);
    return;
  }
  size_t length = strlen(value);
  binary_integer(text, length, 4);
  text_append(text, value, length);
}

static void binary_bigint(struct text *text, int64_t value, bool present) {
  if (!present) {
    binary_null(text);
    return;
  }
  binary_integer(text, 8, 4);
  binary_integer(text, (uint64_t)value, 8);
}

/* A timestamptz from Unix microseconds. */
static void binary_timestamp_us(struct text *text, int64_t microseconds, bool present) {
  binary_bigint(text, microseconds - (int64_t)POSTGRES_EPOCH_OFFSET * 1000000, present);
}

static void binary_timestamp(struct text *text, int64_t seconds, bool present) {
  binary_timestamp_us(text, present ? seconds * 1000000 : 0, present);
}

/* ---- the rules fingerprint ---- */

static void hash_bytes(uint64_t *hash, const void *data, size_t size) {
  const unsigned char *bytes = data;
  for (size_t i = 0; i < size; i++) {
    *hash ^= bytes[i];
    *hash *= UINT64_C(1099511628211);
  }
}

static void hash_integer(uint64_t *hash, int64_t value) {
  hash_bytes(hash, &value, sizeof value);
}

static void hash_string(uint64_t *hash, const char *value) {
  hash_bytes(hash, value != NULL ? value : "", value != NULL ? strlen(value) + 1 : 1);
}

static void hash_duration(uint64_t *hash, const struct duration *duration) {
  hash_integer(hash, duration->amount);
  hash_integer(hash, duration->unit);
}

/* What the clocks depend on: the calendar, the procedures, the ladder and the agency list. */
static void compute_fingerprint(const struct pass_context *context, char *out) {
  uint64_t hash = UINT64_C(14695981039346656037);
  const struct calendar *calendar = context->rules->calendar;
  const struct working_hours *hours = calendar_hours(calendar);
  for (int i = 0; i < hours->count; i++) {
    hash_integer(&hash, hours->intervals[i].start);
    hash_integer(&hash, hours->intervals[i].end);
  }
  uint64_t word = 0;
  for (int64_t day = calendar_first_day(calendar); day <= calendar_last_day(calendar); day++) {
    word = word << 1 | (calendar_is_working_day(calendar, day) ? 1 : 0);
    if ((day & 63) == 63)
      hash_integer(&hash, (int64_t)word);
  }
  hash_integer(&hash, (int64_t)word);
  const struct procedure_table *table = &context->rules->procedures;
  for (size_t i = 0; i < table->count; i++) {
    const struct procedure *procedure = &table->items[i];
    hash_string(&hash, procedure->code);
    for (size_t j = 0; j < procedure->version_count; j++) {
      const struct procedure_version *version = &procedure->versions[j];
      hash_integer(&hash, version->valid_from);
      hash_integer(&hash, version->valid_until);
      for (int channel = 0; channel < CHANNEL_COUNT; channel++)
        hash_duration(&hash, &version->durations[channel]);
      hash_integer(&hash, version->counting);
      hash_integer(&hash, version->cutoff);
      hash_integer(&hash, version->supplement);
      hash_duration(&hash, &version->extension);
    }
  }
  const struct ladder *ladder = context->ladder;
  hash_duration(&hash, &ladder->due_soon);
  for (size_t i = 0; i < ladder->count; i++) {
    const struct ladder_level *level = &ladder->levels[i];
    hash_string(&hash, level->name);
    hash_integer(&hash, level->episode);
    hash_duration(&hash, &level->offset);
    hash_integer(&hash, level->on_delay_reason);
    hash_integer(&hash, level->action);
  }
  for (size_t i = 0; context->agency_codes != NULL && i < context->agency_count; i++)
    hash_string(&hash, context->agency_codes[i]);
  snprintf(out, FINGERPRINT_SIZE, "%016" PRIx64, hash);
}

/* ---- validation ---- */

/* A source value safe to quote in a flag reason: printable ASCII, cut short. */
static void shown(const char *value, char *out) {
  size_t used = 0;
  for (const char *cursor = value; *cursor != '\0' && used < SHOWN_VALUE; cursor++)
    out[used++] = isprint((unsigned char)*cursor) ? *cursor : '?';
  out[used] = '\0';
}

static bool blank(const char *value) {
  if (value == NULL)
    return true;
  while (isspace((unsigned char)*value))
    value++;
  return *value == '\0';
}

static int compare_strings(const void *left, const void *right) {
  return strcmp(*(const char *const *)left, *(const char *const *)right);
}

static bool agency_known(const struct pass_context *context, const char *code) {
  if (context->agency_codes == NULL)
    return true;
  return bsearch(&code, context->agency_codes, context->agency_count, sizeof(const char *),
                 compare_strings) != NULL;
}

/* Parses `FROM/TO/KIND,...` (Unix seconds; empty TO while paused). "" or a reason. */
static void parse_pauses(const char *text, struct pause_interval *pauses, size_t *count,
                         bool *supplement, char *reason, size_t reason_size) {
  *count = 0;
  *supplement = false;
  reason[0] = '\0';
  if (text == NULL)
    return;
  const char *cursor = text;
  while (*cursor != '\0') {
    if (*count == MAX_PAUSES) {
      snprintf(reason, reason_size, "more than %d pauses", MAX_PAUSES);
      return;
    }
    char *end;
    if (*cursor == '/') {
      snprintf(reason, reason_size, "a pause has no paused_at");
      return;
    }
    int64_t from = strtoll(cursor, &end, 10);
    cursor = end + 1; /* past '/' */
    int64_t to = PAUSE_OPEN;
    if (*cursor != '/') {
      to = strtoll(cursor, &end, 10);
      cursor = end;
    }
    cursor++; /* past '/' */
    size_t kind_length = strcspn(cursor, ",");
    char kind[SHOWN_VALUE + 1];
    snprintf(kind, sizeof kind, "%.*s", (int)(kind_length < SHOWN_VALUE ? kind_length
                                                                         : SHOWN_VALUE), cursor);
    cursor += kind_length;
    if (*cursor == ',')
      cursor++;
    if (strcmp(kind, "supplement") == 0) {
      *supplement = true;
    } else if (strcmp(kind, "other") != 0) {
      char value[SHOWN_VALUE + 1];
      shown(kind, value);
      snprintf(reason, reason_size, "unknown pause kind '%s'", value);
      return;
    }
    if (to != PAUSE_OPEN && to < from) {
      snprintf(reason, reason_size, "a pause is resumed before it began");
      return;
    }
    pauses[*count].from = from;
    pauses[*count].to = to;
    (*count)++;
  }
}

/* ---- one dossier ---- */

struct evaluation {
  char flag[PASS_REASON_SIZE];
  int64_t next_recheck; /* for a flag: when time alone could clear it, else LADDER_NEVER */
  struct deadline_result deadline;
  const struct procedure_version *version;
  struct ladder_outcome outcome;
  uint32_t due;
  uint32_t delay_triggered; /* due levels raised by the delay reason before their instant */
  bool rescheduled;
  int64_t new_deadline;
  int64_t rescheduled_at;
  struct apology_decision apology; /* when this evaluation drafts the letter */
  bool apology_decided;
  int64_t promised_at;             /* the time the letter cites */
};

/* Flags the row: `what`, followed by the offending source value in quotes when given. */
static bool flag(struct evaluation *evaluation, const char *what, const char *value) {
  char quoted[SHOWN_VALUE + 1] = "";
  if (value == NULL) {
    snprintf(evaluation->flag, sizeof evaluation->flag, "%s", what);
  } else {
    shown(value, quoted);
    snprintf(evaluation->flag, sizeof evaluation->flag, "%s '%s'", what, quoted);
  }
  return false;
}

/* Checks the row; on a bad row fills evaluation->flag and returns false. */
static bool validate(const struct pass_context *context, const struct dossier *dossier,
                     int *channel, struct evaluation *evaluation) {
  int64_t first_day = civil_days_from_date(FIRST_VALID_YEAR, 1, 1);
  /* A code that names no dossier, or more than one, cannot carry an escalation or a letter:
   * which applicant, which agency, which deadline would it be? */
  if (blank(dossier->code))
    return flag(evaluation, "blank code (mã hồ sơ) in dunghen.dossier_source", NULL);
  if (dossier->copies > 1) {
    snprintf(evaluation->flag, sizeof evaluation->flag,
             "code returned %lld times by dunghen.dossier_source", (long long)dossier->copies);
    return false;
  }
  if (blank(dossier->status))
    return flag(evaluation, "missing status", NULL);
  if (source_status_from_name(dossier->status) < 0)
    return flag(evaluation, "unknown status", dossier->status);
  if (blank(dossier->procedure_code))
    return flag(evaluation, "missing procedure code", NULL);
  const struct procedure *procedure =
      procedures_find(&context->rules->procedures, dossier->procedure_code);
  if (procedure == NULL)
    return flag(evaluation, "unknown procedure", dossier->procedure_code);
  if (blank(dossier->agency_code))
    return flag(evaluation, "missing agency code", NULL);
  if (!agency_known(context, dossier->agency_code))
    return flag(evaluation, "unknown agency", dossier->agency_code);
  if (blank(dossier->channel))
    return flag(evaluation, "missing channel", NULL);
  *channel = channel_from_name(dossier->channel);
  if (*channel < 0)
    return flag(evaluation, "unknown channel", dossier->channel);
  if (!dossier->has_received)
    return flag(evaluation, "missing received_at", NULL);
  if (civil_local_day(dossier->received_at) < first_day)
    return flag(evaluation, "received_at is before 1990", NULL);
  if (dossier->received_at > context->now) {
    evaluation->next_recheck = dossier->received_at;
    return flag(evaluation, "received_at is in the future", NULL);
  }
  bool finished = strcmp(dossier->status, "finished") == 0;
  if (finished && !dossier->has_finished)
    return flag(evaluation, "status finished without finished_at", NULL);
  if (dossier->has_finished && dossier->finished_at < dossier->received_at)
    return flag(evaluation, "finished_at is before received_at", NULL);
  evaluation->version = procedure_version_at(procedure, civil_local_day(dossier->received_at));
  if (evaluation->version == NULL) {
    char day[16], code[SHOWN_VALUE + 1];
    civil_format_date(civil_local_day(dossier->received_at), day, sizeof day);
    shown(dossier->procedure_code, code);
    snprintf(evaluation->flag, sizeof evaluation->flag,
             "procedure '%s' has no version in force on %s", code, day);
    return false;
  }
  return true;
}

/* Fired levels from `level:episode,...`. */
static uint32_t fired_mask(const struct ladder *ladder, const char *fired) {
  uint32_t mask = 0;
  if (fired == NULL)
    return 0;
  for (size_t i = 0; i < ladder->count; i++) {
    char key[64];
    snprintf(key, sizeof key, "%s:%d", ladder->levels[i].name, ladder->levels[i].episode);
    size_t length = strlen(key);
    for (const char *cursor = fired; cursor != NULL; cursor = strchr(cursor, ',')) {
      if (*cursor == ',')
        cursor++;
      if (strncmp(cursor, key, length) == 0 && (cursor[length] == ',' || cursor[length] == '\0'))
        mask |= UINT32_C(1) << i;
    }
  }
  return mask;
}

static bool agency_prefers_2018(const struct pass_context *context, const char *code) {
  const struct agency *agency =
      context->agencies != NULL ? agencies_find(context->agencies, code) : NULL;
  return agency != NULL && agency->form == AGENCY_FORM_2018;
}

/* The apology's dates, wording and form (core/dossier.h), decided when its level fires. */
static bool decide_apology(const struct pass_context *context, const struct dossier *dossier,
                           struct evaluation *evaluation) {
  evaluation->promised_at =
      dossier->has_appointment ? dossier->appointment_at : evaluation->deadline.deadline;
  struct apology_facts facts = {
      .received_at = dossier->received_at,
      .deadline = evaluation->deadline.deadline,
      .promised_at = evaluation->promised_at,
      .version = evaluation->version,
      .agency_prefers_2018 = agency_prefers_2018(context, dossier->agency_code),
      .now = context->now,
  };
  struct error error;
  if (dossier_apology(context->rules->calendar, &facts, &evaluation->apology, NULL, &error) !=
      STATUS_OK) {
    snprintf(evaluation->flag, sizeof evaluation->flag, "apology: %s", error.message);
    return false;
  }
  evaluation->apology_decided = true;
  return true;
}

/* The clock of a valid row: deadline, state, due levels (with the reschedule they cause). */
static bool evaluate(const struct pass_context *context, const struct dossier *dossier,
                     int channel, struct evaluation *evaluation) {
  struct pause_interval pauses[MAX_PAUSES];
  size_t pause_count;
  bool supplement;
  parse_pauses(dossier->pauses, pauses, &pause_count, &supplement, evaluation->flag,
               sizeof evaluation->flag);
  if (evaluation->flag[0] != '\0')
    return false;
  const struct procedure_version *version = evaluation->version;
  struct deadline_request request;
  procedure_deadline_request(version, (enum channel)channel, dossier->received_at, pauses,
                             pause_count, supplement, &request);
  struct error error;
  if (deadline_compute(context->rules->calendar, &request, &evaluation->deadline, NULL,
                       &error) != STATUS_OK) {
    snprintf(evaluation->flag, sizeof evaluation->flag, "deadline: %s", error.message);
    return false;
  }
  struct ladder_input input = {
      .deadline = evaluation->deadline,
      .status = (enum source_status)source_status_from_name(dossier->status),
      .finished_at = dossier->finished_at,
      .delay_reason = dossier->delay_reason,
      .rescheduled = dossier->old_episode == 2,
      .new_deadline = dossier->new_deadline,
      .fired = fired_mask(context->ladder, dossier->fired),
      .now = context->now,
  };
  evaluation->rescheduled_at = dossier->rescheduled_at;
  /* Firing a letter level reschedules, which can make episode-2 levels due: iterate. */
  for (int round = 0; round < 3; round++) {
    ladder_state_evaluate(context->rules->calendar, context->ladder, &input,
                          &evaluation->outcome);
    uint32_t due = evaluation->outcome.due;
    if (due == 0)
      break;
    evaluation->due |= due;
    input.fired |= due;
    for (size_t i = 0; i < context->ladder->count; i++) {
      const struct ladder_level *level = &context->ladder->levels[i];
      if ((due & (UINT32_C(1) << i)) == 0)
        continue;
      int64_t anchor = level->episode == 2 ? input.new_deadline : input.deadline.deadline;
      int64_t instant = ladder_offset_instant(context->rules->calendar, &level->offset, anchor);
      if (level->on_delay_reason && dossier->delay_reason && context->now < instant)
        evaluation->delay_triggered |= UINT32_C(1) << i;
      if (level->action == LADDER_LETTER && !input.rescheduled) {
        if (!decide_apology(context, dossier, evaluation))
          return false;
        input.new_deadline = evaluation->apology.new_date;
        input.rescheduled = true;
        evaluation->rescheduled_at = context->now;
      }
    }
  }
  evaluation->rescheduled = input.rescheduled;
  evaluation->new_deadline = input.new_deadline;
  return true;
}

/* ---- writing one dossier's results into the batch's COPY buffers ---- */

enum { ESCALATION_COPY_COLUMNS = 9, TEXT_TYPE_OID = 25 };

/* A text[] in the binary format of array_send: one dimension (none when empty), no NULLs. */
static void binary_text_array(struct text *rows, const char *const *items, size_t count) {
  size_t size = count > 0 ? 20 : 12;
  for (size_t i = 0; i < count; i++)
    size += 4 + strlen(items[i]);
  binary_integer(rows, size, 4);
  binary_integer(rows, count > 0 ? 1 : 0, 4); /* dimensions */
  binary_integer(rows, 0, 4);                  /* no NULLs */
  binary_integer(rows, TEXT_TYPE_OID, 4);
  if (count > 0) {
    binary_integer(rows, count, 4);
    binary_integer(rows, 1, 4); /* lower bound */
  }
  for (size_t i = 0; i < count; i++) {
    size_t length = strlen(items[i]);
    binary_integer(rows, length, 4);
    text_append(rows, items[i], length);
  }
}

/*
 * An escalation, for COPY straight into dunghen.escalation_log. Only levels that are due and
 * not among those already fired (read under the dossier's lock, which every writer of the log
 * holds) come here, so none can exist yet; were one ever there, its unique key fails the batch,
 * which is rolled back: still exactly once.
 */
static void add_new_escalation(struct pass *pass, const struct dossier *dossier,
                               const struct ladder_level *level, int64_t anchor,
                               const char *reason) {
  struct text *rows = &pass->new_escalations;
  binary_integer(rows, ESCALATION_COPY_COLUMNS, 2);
  binary_text(rows, dossier->code);
  binary_text(rows, level->name);
  binary_integer(rows, 2, 4);
  binary_integer(rows, (uint64_t)level->episode, 2);
  binary_timestamp(rows, pass->context->now, true);
  binary_text_array(rows, (const char *const *)level->recipients, level->recipient_count);
  binary_text(rows, reason);
  binary_text(rows, dossier->agency_code);
  binary_timestamp(rows, anchor, true);
  binary_text(rows, level->action == LADDER_LETTER ? "letter" : "notify");
  pass->escalation_count++;
}

static void add_escalations(struct pass *pass, const struct dossier *dossier,
                            const struct evaluation *evaluation) {
  const struct pass_context *context = pass->context;
  for (size_t i = 0; i < context->ladder->count; i++) {
    if ((evaluation->due & (UINT32_C(1) << i)) == 0)
      continue;
    const struct ladder_level *level = &context->ladder->levels[i];
    int64_t anchor = level->episode == 2 ? evaluation->new_deadline
                                         : evaluation->deadline.deadline;
    char anchor_text[TIMESTAMP_TEXT_SIZE], new_text[TIMESTAMP_TEXT_SIZE];
    civil_format_timestamp(anchor, anchor_text);
    civil_format_timestamp(evaluation->new_deadline, new_text);
    char reason[512];
    int used = snprintf(reason, sizeof reason, "%s: %s %s", level->title,
                        (evaluation->delay_triggered & (UINT32_C(1) << i)) != 0
                            ? "delay reason recorded; deadline"
                            : (level->episode == 2 ? "rescheduled date" : "deadline"),
                        anchor_text);
    bool letter = level->action == LADDER_LETTER;
    /* The signer must know before signing that the letter leaves the reason to write in. */
    if (letter && used > 0 && (size_t)used < sizeof reason)
      snprintf(reason + used, sizeof reason - (size_t)used, "; new date %s%s", new_text,
               dossier->delay_reason ? ""
                                     : "; no delay reason recorded: write it in the letter "
                                       "before signing");
    add_new_escalation(pass, dossier, level, anchor, reason);
    /* A dossier rescheduled in an earlier pass has its letter: never a second one. */
    if (letter && evaluation->apology_decided) {
      struct text *columns = pass->letter;
      array_element(&columns[LETTER_CODE], dossier->code);
      array_element(&columns[LETTER_LEVEL], level->name);
      array_integer(&columns[LETTER_EPISODE], level->episode, true);
      array_element(&columns[LETTER_AGENCY], dossier->agency_code);
      array_integer(&columns[LETTER_NEW_APPOINTMENT], evaluation->new_deadline, true);
      const struct apology_decision *apology = &evaluation->apology;
      /* Numbered in the year of the date the letter carries, not of the draft. */
      array_integer(&columns[LETTER_YEAR], civil_date_from_days(apology->issue_day).year, true);
      char issued_on[16];
      civil_format_date(apology->issue_day, issued_on, sizeof issued_on);
      array_element(&columns[LETTER_ISSUED_ON], issued_on);
      array_integer(&columns[LETTER_PROMISED], evaluation->promised_at, true);
      array_integer(&columns[LETTER_FORM], apology->form == APOLOGY_FORM_2018 ? 2018 : 2025, true);
      array_element(&columns[LETTER_WORDING], apology->wording == APOLOGY_BEFORE_DEADLINE
                                                  ? "before_deadline"
                                                  : "after_deadline");
      pass->letter_count++;
    }
  }
}

/*
 * A dossier whose letter an earlier pass queued (it was in episode 2 before this pass) and
 * whose source now records a delay reason: the write re-drafts the letter, under its number,
 * if the reason differs from the one its current draft printed (compared in SQL under the
 * letter row's lock, so a draft being rendered right now is compared once it is recorded).
 */
static void add_redraft(struct pass *pass, const struct dossier *dossier) {
  if (dossier->old_episode != 2 || !dossier->delay_reason || dossier->reason_md5 == NULL)
    return;
  array_element(&pass->redraft[REDRAFT_CODE], dossier->code);
  array_element(&pass->redraft[REDRAFT_REASON_MD5], dossier->reason_md5);
  pass->redraft_count++;
}

/* One clock row, as write_sql's arrays and the binary COPY both take it. */
struct clock_row {
  const char *code;
  const char *procedure_code;
  const char *agency_code;
  const char *updated_us;
  bool has_received;
  int64_t received_at;
  bool has_deadline;
  int64_t deadline;
  bool stopped;
  int64_t remaining_seconds;
  int episode;
  bool rescheduled;
  int64_t rescheduled_at;
  int64_t new_deadline;
  const char *state;
  int64_t next;
  const char *flag;
};

/*
 * A clock the table does not have yet, for COPY straight into dunghen.clock: no scratch
 * table, no ON CONFLICT. Safe because the row's absence was read under the dossier's lock and
 * every writer of dunghen.clock holds that lock; were it ever wrong, the primary key fails the
 * batch, which is rolled back and retried by the next pass.
 */
static void add_new_clock(struct pass *pass, const struct clock_row *row) {
  struct text *rows = &pass->new_clocks;
  binary_integer(rows, CLOCK_COPY_COLUMNS, 2);
  binary_text(rows, row->code);
  binary_text(rows, row->procedure_code);
  binary_text(rows, row->agency_code);
  binary_timestamp_us(rows, row->updated_us != NULL ? strtoll(row->updated_us, NULL, 10) : 0,
                      row->updated_us != NULL);
  binary_timestamp(rows, row->received_at, row->has_received);
  binary_timestamp(rows, row->deadline, row->has_deadline);
  binary_bigint(rows, row->remaining_seconds, row->stopped);
  binary_integer(rows, 2, 4);
  binary_integer(rows, (uint64_t)row->episode, 2);
  binary_timestamp(rows, row->rescheduled_at, row->rescheduled);
  binary_timestamp(rows, row->new_deadline, row->rescheduled);
  binary_text(rows, row->state);
  binary_timestamp(rows, row->next, row->next != LADDER_NEVER);
  binary_text(rows, row->flag);
  binary_text(rows, pass->fingerprint);
  binary_timestamp(rows, pass->context->now, true);
  pass->new_clock_count++;
}

/* A clock for write_sql's arrays: an update, or a deletion (the source lost the dossier). */
static void add_clock_columns(struct pass *pass, const struct clock_row *row, bool deleted) {
  struct text *columns = pass->clock;
  array_element(&columns[CLOCK_CODE], row->code);
  array_element(&columns[CLOCK_PROCEDURE], deleted ? NULL : row->procedure_code);
  array_element(&columns[CLOCK_AGENCY], deleted ? NULL : row->agency_code);
  array_element(&columns[CLOCK_SOURCE_UPDATED_US], deleted ? NULL : row->updated_us);
  array_integer(&columns[CLOCK_RECEIVED_AT], row->received_at, !deleted && row->has_received);
  array_integer(&columns[CLOCK_DEADLINE], row->deadline, row->has_deadline);
  array_integer(&columns[CLOCK_REMAINING], row->remaining_seconds, row->stopped);
  array_integer(&columns[CLOCK_EPISODE], row->episode, true);
  array_integer(&columns[CLOCK_RESCHEDULED_AT], row->rescheduled_at, row->rescheduled);
  array_integer(&columns[CLOCK_NEW_DEADLINE], row->new_deadline, row->rescheduled);
  array_element(&columns[CLOCK_STATE], row->state);
  array_integer(&columns[CLOCK_NEXT_INSTANT], row->next, row->next != LADDER_NEVER);
  array_element(&columns[CLOCK_FLAGGED_REASON], row->flag);
  array_element(&columns[CLOCK_DELETED], deleted ? "t" : "f");
  pass->clock_count++;
}

static void add_clock_row(struct pass *pass, const struct dossier *dossier,
                          const struct evaluation *evaluation, bool flagged, bool deleted) {
  bool stopped = !flagged && evaluation->deadline.stopped;
  bool has_deadline = !flagged && !stopped;
  int64_t next = flagged ? evaluation->next_recheck : evaluation->outcome.next_instant;
  const char *state = flagged ? "flagged" : dossier_state_name(evaluation->outcome.state);
  int episode = flagged ? (dossier->old_episode == 2 ? 2 : 1) : evaluation->outcome.episode;
  bool rescheduled = flagged ? dossier->old_episode == 2 : evaluation->rescheduled;
  struct clock_row row = {
      .code = dossier->code, .procedure_code = dossier->procedure_code,
      .agency_code = dossier->agency_code, .updated_us = dossier->updated_us,
      .has_received = dossier->has_received, .received_at = dossier->received_at,
      .has_deadline = has_deadline, .deadline = evaluation->deadline.deadline,
      .stopped = stopped, .remaining_seconds = evaluation->deadline.remaining_seconds,
      .episode = episode, .rescheduled = rescheduled,
      .rescheduled_at = flagged ? dossier->rescheduled_at : evaluation->rescheduled_at,
      .new_deadline = flagged ? dossier->new_deadline : evaluation->new_deadline,
      .state = state, .next = next, .flag = flagged ? evaluation->flag : NULL,
  };
  if (!dossier->known && !deleted)
    add_new_clock(pass, &row);
  else
    add_clock_columns(pass, &row, deleted);
  /* What changed, for the report. */
  struct pass_report *report = pass->report;
  int64_t deadline = has_deadline ? evaluation->deadline.deadline : INT64_MIN;
  if (!dossier->known || dossier->old_deadline != deadline || dossier->old_episode != episode ||
      dossier->old_state == NULL || strcmp(dossier->old_state, state) != 0 ||
      dossier->old_next != (next == LADDER_NEVER ? INT64_MIN : next))
    report->changed++;
  if (dossier->known && dossier->old_deadline != deadline)
    report->deadlines_moved++;
  if (flagged && (dossier->old_flag == NULL || strcmp(dossier->old_flag, evaluation->flag) != 0)) {
    report->flagged++;
    if (report->flag_count < PASS_MAX_REPORTED_FLAGS) {
      struct pass_flag *entry = &report->flags[report->flag_count++];
      snprintf(entry->code, sizeof entry->code, "%s", dossier->code);
      snprintf(entry->reason, sizeof entry->reason, "%s", evaluation->flag);
    }
  }
  if (!flagged && dossier->old_flag != NULL)
    report->unflagged++;
}

static void process_dossier(struct pass *pass, const struct dossier *dossier) {
  struct evaluation evaluation;
  memset(&evaluation, 0, sizeof evaluation);
  evaluation.next_recheck = LADDER_NEVER;
  pass->report->examined++;
  if (!dossier->present) {
    if (dossier->known)
      add_clock_row(pass, dossier, &evaluation, false, true);
    return;
  }
  int channel = 0;
  bool valid = validate(pass->context, dossier, &channel, &evaluation) &&
               evaluate(pass->context, dossier, channel, &evaluation);
  if (!valid) {
    add_clock_row(pass, dossier, &evaluation, true, false);
    return;
  }
  add_clock_row(pass, dossier, &evaluation, false, false);
  add_escalations(pass, dossier, &evaluation);
  add_redraft(pass, dossier);
}

/* ---- the batch transaction ---- */

static const char lock_sql[] =
    "SELECT k FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k WHERE k IS NOT NULL) u "
    "WHERE pg_try_advisory_xact_lock(1684368999, hashtext(k)) ORDER BY k COLLATE \"C\"";

/* The lateral subqueries (OFFSET 0 keeps them from being flattened) force index probes per
 * claimed code: the planner knows neither how many codes come nor, while a first pass fills
 * it, how large the clock table has grown, and a merge or hash join would scan it whole. */
enum { READ_SOURCE_EXTRA = 21, CHANGED_SOURCE_EXTRA = 12 };
static const char read_sql[] =
    "SELECT k.code, s.code IS NOT NULL, s.procedure_code, s.agency_code, s.channel, s.status,"
    " dunghen.epoch(s.received_at), dunghen.epoch(s.finished_at),"
    " coalesce(btrim(s.delay_reason), '') <> '',"
    " (extract(epoch FROM s.updated_at) * 1000000)::bigint,"
    " (SELECT string_agg(coalesce(dunghen.epoch(p.paused_at)::text, '') || '/' ||"
    "   coalesce(dunghen.epoch(p.resumed_at)::text, '') || '/' || coalesce(p.kind, ''), ','"
    "   ORDER BY p.paused_at)"
    "  FROM dunghen.dossier_pause_source p WHERE p.code = k.code),"
    " c.code IS NOT NULL,"
    " c.source_updated_at IS NOT DISTINCT FROM s.updated_at"
    "  AND c.rules_fingerprint IS NOT DISTINCT FROM $2"
    "  AND (c.next_instant IS NULL OR c.next_instant > to_timestamp($3::bigint)),"
    " dunghen.epoch(c.deadline), c.episode, dunghen.epoch(c.new_deadline),"
    " dunghen.epoch(c.rescheduled_at), c.state, dunghen.epoch(c.next_instant), c.flagged_reason,"
    " (SELECT string_agg(e.level || ':' || e.episode, ',') FROM dunghen.escalation_log e"
    "  WHERE e.dossier_code = k.code),"
    " dunghen.epoch(s.appointment_at), md5(nullif(btrim(s.delay_reason), '')), s.copies"
    " FROM unnest($1::text[]) AS k(code)"
    " LEFT JOIN LATERAL (SELECT s.*, count(*) OVER () AS copies FROM dunghen.dossier_source s"
    "  WHERE s.code = k.code OFFSET 0 LIMIT 1) s ON true"
    " LEFT JOIN LATERAL (SELECT * FROM dunghen.clock c WHERE c.code = k.code OFFSET 0) c ON true"
    " ORDER BY k.code";

/*
 * What a batch writes after its COPYs (new clocks, the escalations raised), in one statement:
 * the other clocks (deleted, or updated), the letters of the letter escalations just raised,
 * numbered per agency and year from a counter row that the statement locks and bumps in
 * (agency, year) order, which keeps concurrent passes from deadlocking on them; and the sync
 * state. The rows come as arrays ($4-$17 clocks, $18-$23 letters), so no scratch table is
 * needed: an ON COMMIT DELETE ROWS temporary table costs a truncation (~1.5 ms of file work)
 * at every commit that touched it.
 * $1 fingerprint, $2 now, $3 the watermark candidates (microseconds, NULL for none).
 */
static const char write_sql[] =
    "WITH clock_rows AS (SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[],"
    "  $8::bigint[], $9::bigint[], $10::bigint[], $11::smallint[], $12::bigint[],"
    "  $13::bigint[], $14::text[], $15::bigint[], $16::text[], $17::boolean[])"
    "  AS r(code, procedure_code, agency_code, source_updated_us, received_at, deadline,"
    "  remaining_seconds, episode, rescheduled_at, new_deadline, state, next_instant,"
    "  flagged_reason, deleted)),"
    " gone AS (DELETE FROM dunghen.clock c USING clock_rows r WHERE r.deleted AND c.code = r.code),"
    " clocks AS (INSERT INTO dunghen.clock AS c (code, procedure_code, agency_code,"
    "  source_updated_at, received_at, deadline, remaining_seconds, episode, rescheduled_at,"
    "  new_deadline, state, next_instant, flagged_reason, rules_fingerprint, computed_at)"
    "  SELECT code, procedure_code, agency_code,"
    "   'epoch'::timestamptz + source_updated_us * interval '1 microsecond',"
    "   to_timestamp(received_at), to_timestamp(deadline), remaining_seconds, episode,"
    "   to_timestamp(rescheduled_at), to_timestamp(new_deadline), state,"
    "   to_timestamp(next_instant), flagged_reason, $1, to_timestamp($2::bigint)"
    "  FROM clock_rows WHERE NOT deleted"
    "  ON CONFLICT (code) DO UPDATE SET procedure_code = excluded.procedure_code,"
    "   agency_code = excluded.agency_code, source_updated_at = excluded.source_updated_at,"
    "   received_at = excluded.received_at, deadline = excluded.deadline,"
    "   remaining_seconds = excluded.remaining_seconds, episode = excluded.episode,"
    "   rescheduled_at = excluded.rescheduled_at, new_deadline = excluded.new_deadline,"
    "   state = excluded.state, next_instant = excluded.next_instant,"
    "   flagged_reason = excluded.flagged_reason, rules_fingerprint = excluded.rules_fingerprint,"
    "   computed_at = excluded.computed_at),"
    " letter_rows AS (SELECT * FROM unnest($18::text[], $19::text[], $20::smallint[],"
    "  $21::text[], $22::bigint[], $23::integer[], $24::date[], $25::bigint[], $26::smallint[],"
    "  $27::text[]) AS r(dossier_code, level, episode, agency_code, new_appointment_at, year,"
    "  issued_on, promised_at, form, wording)),"
    " wanted AS (SELECT e.id AS escalation_id, r.dossier_code, r.agency_code, r.year,"
    "  r.new_appointment_at, r.issued_on, r.promised_at, r.form, r.wording FROM letter_rows r"
    "  JOIN LATERAL (SELECT id FROM dunghen.escalation_log e WHERE e.dossier_code ="
    "   r.dossier_code AND e.level = r.level AND e.episode = r.episode OFFSET 0) e ON true"
    "  WHERE NOT EXISTS"
    "   (SELECT 1 FROM dunghen.letter_log l WHERE l.dossier_code = r.dossier_code)),"
    " counts AS (SELECT agency_code, year, count(*)::integer AS n FROM wanted GROUP BY 1, 2),"
    " bumped AS (INSERT INTO dunghen.letter_counter AS t (agency_code, year, last_number)"
    "  SELECT agency_code, year, n FROM counts ORDER BY agency_code, year"
    "  ON CONFLICT (agency_code, year) DO UPDATE SET last_number = t.last_number +"
    "   excluded.last_number"
    "  RETURNING agency_code, year, last_number),"
    " added AS (INSERT INTO dunghen.letter_log (dossier_code, agency_code, year, number,"
    "  escalation_id, new_appointment_at, created_at, state, issued_on, promised_at, form,"
    "  wording)"
    "  SELECT w.dossier_code, w.agency_code, w.year,"
    "   b.last_number - c.n + (row_number() OVER (PARTITION BY w.agency_code, w.year"
    "    ORDER BY w.dossier_code))::integer,"
    "   w.escalation_id, to_timestamp(w.new_appointment_at), to_timestamp($2::bigint),"
    "   'pending', w.issued_on, to_timestamp(w.promised_at), w.form, w.wording"
    "  FROM wanted w JOIN bumped b USING (agency_code, year) JOIN counts c"
    "   USING (agency_code, year)"
    "  RETURNING 1),"
    " synced AS (UPDATE dunghen.sync_state SET last_pass_at = to_timestamp($2::bigint),"
    "  watermark = GREATEST(coalesce(watermark, '-infinity'), 'epoch'::timestamptz +"
    "   (SELECT max(m) FROM unnest($3::bigint[]) AS m) * interval '1 microsecond'))"
    " SELECT count(*) FROM added";

/*
 * The re-drafts of a batch ($1 the codes, $2 the md5 of the reason each source row records,
 * $3 now): every letter among them whose current draft printed another reason (or none) is
 * kept in dunghen.letter_version and queued again under its number. FOR UPDATE waits for a
 * renderer that holds the letter, then compares with the draft it recorded.
 */
static const char redraft_sql[] =
    "WITH redraft_rows AS (SELECT * FROM unnest($1::text[], $2::text[])"
    "  AS r(dossier_code, reason_md5)),"
    " superseded AS (INSERT INTO dunghen.letter_version (letter_id, version, dossier_code, path,"
    "  sha256, bytes, reason_md5, reason_missing, rendered_at, superseded_at)"
    "  SELECT l.id, l.version, l.dossier_code, l.path, l.sha256, l.bytes, l.reason_md5,"
    "   l.reason_missing, l.rendered_at, to_timestamp($3::bigint)"
    "  FROM redraft_rows r JOIN dunghen.letter_log l ON l.dossier_code = r.dossier_code"
    "  WHERE l.state = 'rendered' AND l.reason_md5 IS DISTINCT FROM r.reason_md5"
    "  FOR UPDATE OF l RETURNING letter_id),"
    " redrafted AS (UPDATE dunghen.letter_log l SET state = 'pending', version = l.version + 1"
    "  FROM superseded s WHERE l.id = s.letter_id RETURNING 1)"
    " SELECT count(*) FROM redrafted";

/* A batch with nothing to write, or no batch at all (`counted` false): the sync state only.
 * Much cheaper to plan than write_sql. */
static const char sync_sql[] =
    "UPDATE dunghen.sync_state SET"
    " last_pass_at = CASE WHEN $3::boolean THEN to_timestamp($1::bigint) ELSE last_pass_at END,"
    " watermark = GREATEST(coalesce(watermark, '-infinity'), 'epoch'::timestamptz +"
    "  (SELECT max(m) FROM unnest($2::bigint[]) AS m) * interval '1 microsecond')";

static enum status write_sync_state(struct pass *pass, const char *marks, bool counted,
                                    struct error *error) {
  const char *values[] = {pass->now_text, marks, counted ? "t" : "f"};
  PGresult *result;
  enum status status = sql_query(pass->context->connection, "moving the watermark", sync_sql,
                                 3, values, &result, error);
  if (status == STATUS_OK)
    PQclear(result);
  return status;
}

/* Starts binary COPY data: the signature (with its NUL: 11 bytes), flags, no extension. */
static void copy_data_open(struct text *rows) {
  static const char signature[] = "PGCOPY\n\377\r\n";
  text_reset(rows);
  text_append(rows, signature, sizeof signature);
  binary_integer(rows, 0, 4);
  binary_integer(rows, 0, 4);
}

/* Sends binary COPY data (closed here with its trailer) with `sql`; *count gets the rows. */
static enum status copy_data(PGconn *connection, const char *what, const char *sql,
                             struct text *rows, size_t *count, struct error *error) {
  binary_integer(rows, UINT16_MAX, 2); /* trailer: a field count of -1 */
  if (rows->failed)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  /* Failures are reported by sql_fail, like every statement's: never the server's text. */
  PGresult *result = PQexec(connection, sql);
  enum status status = STATUS_OK;
  if (PQresultStatus(result) != PGRES_COPY_IN)
    status = sql_fail(connection, result, what, error);
  PQclear(result);
  if (status == STATUS_OK && (PQputCopyData(connection, rows->data, (int)rows->length) != 1 ||
                              PQputCopyEnd(connection, NULL) != 1))
    status = sql_fail(connection, NULL, what, error);
  while ((result = PQgetResult(connection)) != NULL) {
    if (PQresultStatus(result) == PGRES_COMMAND_OK)
      *count = (size_t)strtoull(PQcmdTuples(result), NULL, 10);
    else if (status == STATUS_OK)
      status = sql_fail(connection, result, what, error);
    PQclear(result);
  }
  return status;
}

static enum status write_redrafts(struct pass *pass, struct error *error) {
  if (!columns_close(pass->redraft, REDRAFT_COLUMNS))
    return error_set(error, STATUS_RUNTIME, "out of memory");
  const char *values[] = {pass->redraft[REDRAFT_CODE].data,
                          pass->redraft[REDRAFT_REASON_MD5].data, pass->now_text};
  PGresult *result;
  enum status status = sql_query(pass->context->connection, "re-drafting letters", redraft_sql,
                                 3, values, &result, error);
  if (status != STATUS_OK)
    return status;
  pass->report->redrafts += (size_t)sql_integer(result, 0, 0, 0);
  PQclear(result);
  return STATUS_OK;
}

/* `marks`: the watermark candidates as a bigint[] literal ("{}" when the batch moves none). */
static enum status write_batch(struct pass *pass, const char *marks, struct error *error) {
  PGconn *connection = pass->context->connection;
  size_t copied = 0;
  enum status status = STATUS_OK;
  if (pass->new_clock_count > 0)
    status = copy_data(connection, "writing new clocks",
                       "COPY dunghen.clock (code, procedure_code, agency_code, source_updated_at,"
                       " received_at, deadline, remaining_seconds, episode, rescheduled_at,"
                       " new_deadline, state, next_instant, flagged_reason, rules_fingerprint,"
                       " computed_at) FROM STDIN (FORMAT binary)",
                       &pass->new_clocks, &copied, error);
  if (status == STATUS_OK && pass->escalation_count > 0) {
    status = copy_data(connection, "raising escalations",
                       "COPY dunghen.escalation_log (dossier_code, level, episode, raised_at,"
                       " recipients, reason, agency_code, deadline, action)"
                       " FROM STDIN (FORMAT binary)",
                       &pass->new_escalations, &copied, error);
    pass->report->escalations += status == STATUS_OK ? copied : 0;
  }
  if (status != STATUS_OK)
    return status;
  if (pass->redraft_count > 0)
    status = write_redrafts(pass, error);
  if (status != STATUS_OK)
    return status;
  if (pass->clock_count == 0 && pass->letter_count == 0)
    return write_sync_state(pass, marks, true, error);
  if (!columns_close(pass->clock, CLOCK_COLUMNS) ||
      !columns_close(pass->letter, LETTER_COLUMNS))
    return error_set(error, STATUS_RUNTIME, "out of memory");
  enum { PARAMETERS = 3 + CLOCK_COLUMNS + LETTER_COLUMNS };
  const char *values[PARAMETERS] = {pass->fingerprint, pass->now_text, marks};
  for (int i = 0; i < CLOCK_COLUMNS; i++)
    values[3 + i] = pass->clock[i].data;
  for (int i = 0; i < LETTER_COLUMNS; i++)
    values[3 + CLOCK_COLUMNS + i] = pass->letter[i].data;
  PGresult *result;
  status = sql_query(connection, "writing the batch", write_sql, PARAMETERS, values, &result,
                     error);
  if (status != STATUS_OK)
    return status;
  pass->report->letters += (size_t)sql_integer(result, 0, 0, 0);
  PQclear(result);
  return STATUS_OK;
}

static int64_t column_integer(const PGresult *result, int row, int column) {
  return sql_integer(result, row, column, INT64_MIN);
}

/* Columns 0-10 of read_sql and changed_sql, and three more from `extra` on (the promised time,
 * the reason's md5 and how many rows the view has for the code): what the source says. */
static void read_source(const PGresult *result, int row, int extra, struct dossier *dossier) {
  memset(dossier, 0, sizeof *dossier);
  dossier->code = PQgetvalue(result, row, 0);
  dossier->present = PQgetvalue(result, row, 1)[0] == 't';
  dossier->procedure_code = sql_text(result, row, 2);
  dossier->agency_code = sql_text(result, row, 3);
  dossier->channel = sql_text(result, row, 4);
  dossier->status = sql_text(result, row, 5);
  dossier->has_received = !PQgetisnull(result, row, 6);
  dossier->received_at = column_integer(result, row, 6);
  dossier->has_finished = !PQgetisnull(result, row, 7);
  dossier->finished_at = column_integer(result, row, 7);
  dossier->delay_reason = dossier->present && PQgetvalue(result, row, 8)[0] == 't';
  dossier->updated_us = sql_text(result, row, 9);
  dossier->pauses = sql_text(result, row, 10);
  dossier->has_appointment = !PQgetisnull(result, row, extra);
  dossier->appointment_at = column_integer(result, row, extra);
  dossier->reason_md5 = sql_text(result, row, extra + 1);
  dossier->copies = sql_integer(result, row, extra + 2, 1);
}

/* Ten columns from `first` on (11 in read_sql, 1 in state_sql): what the daemon stored. */
static void read_state(const PGresult *result, int row, int first, struct dossier *dossier) {
  dossier->known = PQgetvalue(result, row, first)[0] == 't';
  dossier->unchanged = dossier->known && PQgetvalue(result, row, first + 1)[0] == 't';
  dossier->old_deadline = column_integer(result, row, first + 2);
  dossier->old_episode = (int)sql_integer(result, row, first + 3, 1);
  dossier->new_deadline = column_integer(result, row, first + 4);
  dossier->rescheduled_at = column_integer(result, row, first + 5);
  dossier->old_state = sql_text(result, row, first + 6);
  dossier->old_next = column_integer(result, row, first + 7);
  dossier->old_flag = sql_text(result, row, first + 8);
  dossier->fired = sql_text(result, row, first + 9);
}

/* The codes of column 0 of `result` as a text[] literal. */
static void codes_literal(const PGresult *result, struct text *literal) {
  text_reset(literal);
  text_add(literal, "{");
  for (int row = 0; row < PQntuples(result); row++)
    array_element(literal, sql_text(result, row, 0));
  text_add(literal, "}");
}

static bool is_locked(const PGresult *locked, const char *code) {
  int low = 0, high = PQntuples(locked) - 1;
  while (low <= high) {
    int middle = low + (high - low) / 2;
    int order = strcmp(PQgetvalue(locked, middle, 0), code);
    if (order == 0)
      return true;
    if (order < 0)
      low = middle + 1;
    else
      high = middle - 1;
  }
  return false;
}

static int64_t smaller(int64_t left, int64_t right) {
  return left < right ? left : right;
}

static void process_rows(struct pass *pass, const PGresult *rows, bool forced) {
  pass->report->read += (size_t)PQntuples(rows);
  const char *previous = NULL;
  for (int row = 0; row < PQntuples(rows); row++) {
    struct dossier dossier;
    read_source(rows, row, READ_SOURCE_EXTRA, &dossier);
    read_state(rows, row, 11, &dossier);
    if (previous != NULL && strcmp(previous, dossier.code) == 0)
      continue; /* never twice: the source's lateral takes one row and counts the copies */
    previous = dossier.code;
    if (!forced && dossier.unchanged)
      continue;
    process_dossier(pass, &dossier);
  }
}

static enum status begin_batch(struct pass *pass, struct error *error) {
  copy_data_open(&pass->new_clocks);
  copy_data_open(&pass->new_escalations);
  columns_open(pass->clock, CLOCK_COLUMNS);
  columns_open(pass->letter, LETTER_COLUMNS);
  columns_open(pass->redraft, REDRAFT_COLUMNS);
  pass->new_clock_count = 0;
  pass->clock_count = 0;
  pass->escalation_count = 0;
  pass->letter_count = 0;
  pass->redraft_count = 0;
  /* JIT compiling these short queries costs far more (~300 ms) than running them, and the
   * per-code lookups of a batch are single index probes: a bitmap scan only adds set-up. */
  return sql_exec(pass->context->connection, "starting a batch",
                  "BEGIN; SET LOCAL jit = off; SET LOCAL enable_bitmapscan = off", error);
}

/* Writes what the batch computed (with the watermark candidates `marks`, a bigint[] literal)
 * and commits; rolls back when anything failed. */
static enum status end_batch(struct pass *pass, enum status status, const char *marks,
                             struct error *error) {
  PGconn *connection = pass->context->connection;
  if (status == STATUS_OK)
    status = write_batch(pass, marks, error);
  if (status == STATUS_OK)
    status = sql_exec(connection, "committing a batch", "COMMIT", error);
  if (status != STATUS_OK) {
    sql_rollback(connection);
    return status;
  }
  pass->report->batches++;
  return STATUS_OK;
}

/*
 * A batch of the due and recompute phases over candidate codes (column 0) found outside the
 * transaction: claim them (a statement of its own, so that the read that follows sees
 * everything committed before the locks were taken), read, compute, write, commit.
 * `forced`: recompute even rows whose source and rules did not change.
 */
static enum status run_batch(struct pass *pass, const PGresult *candidates, bool forced,
                             struct error *error) {
  PGconn *connection = pass->context->connection;
  struct text literal = {0};
  codes_literal(candidates, &literal);
  if (literal.failed)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  enum status status = begin_batch(pass, error);
  PGresult *locked = NULL, *rows = NULL;
  const char *lock_values[] = {literal.data};
  if (status == STATUS_OK)
    status = sql_query(connection, "claiming dossiers", lock_sql, 1, lock_values, &locked,
                       error);
  if (status == STATUS_OK) {
    for (int row = 0; row < PQntuples(candidates); row++)
      if (!is_locked(locked, PQgetvalue(candidates, row, 0)))
        pass->report->skipped++;
    codes_literal(locked, &literal);
    const char *values[] = {literal.failed ? "{}" : literal.data, pass->fingerprint,
                            pass->now_text};
    status = sql_query(connection, "reading dossiers", read_sql, 3, values, &rows, error);
  }
  PQclear(locked);
  text_free(&literal);
  if (status == STATUS_OK)
    process_rows(pass, rows, forced);
  PQclear(rows);
  return end_batch(pass, status, "{}", error);
}

/* ---- the changed phase ---- */

struct sync_state {
  char watermark_us[32]; /* "" when never set */
  char fingerprint[FINGERPRINT_SIZE];
  int64_t started_us;    /* the server's clock when read */
};

/*
 * The next changed rows of the source in keyset order (updated_at, code), each claimed with a
 * try-advisory-lock in the same statement, with what the source says (read_source's columns;
 * the pauses only of claimed rows) and `claimed` as column 11. The source may be read before
 * the lock: it changes under the daemon anyway, and a row changed later has a later updated_at
 * that the next pass finds. The daemon's own state is read after the lock (state_sql).
 * Source rows whose clock was computed from this very row with these rules are left out: the
 * overlap window re-reads them on every pass, and only the due phase needs them again; a row
 * that another instance is writing still shows its old clock and is taken.
 */
#define CHANGED_SQL(filter, keyset, limit) \
  "SELECT r.code, true, r.procedure_code, r.agency_code, r.channel, r.status, r.received_at," \
  " r.finished_at, r.delay_reason, r.updated_us," \
  " CASE WHEN r.claimed THEN (SELECT string_agg(coalesce(dunghen.epoch(p.paused_at)::text," \
  "  '') || '/' || coalesce(dunghen.epoch(p.resumed_at)::text, '') || '/' ||" \
  "  coalesce(p.kind, ''), ',' ORDER BY p.paused_at)" \
  "  FROM dunghen.dossier_pause_source p WHERE p.code = r.code) END, r.claimed," \
  " r.appointment_at, r.reason_md5, CASE WHEN r.claimed THEN (SELECT count(*) FROM" \
  "  dunghen.dossier_source d WHERE d.code = r.code) END" \
  " FROM (SELECT q.*, pg_try_advisory_xact_lock(1684368999, hashtext(q.code)) AS claimed" \
  " FROM (SELECT s.code, s.procedure_code, s.agency_code, s.channel, s.status," \
  "  dunghen.epoch(s.received_at) AS received_at, dunghen.epoch(s.finished_at) AS finished_at," \
  "  coalesce(btrim(s.delay_reason), '') <> '' AS delay_reason," \
  "  dunghen.epoch(s.appointment_at) AS appointment_at," \
  "  md5(nullif(btrim(s.delay_reason), '')) AS reason_md5," \
  "  (extract(epoch FROM s.updated_at) * 1000000)::bigint AS updated_us, s.updated_at" \
  "  FROM dunghen.dossier_source s " filter keyset \
  "  ORDER BY s.updated_at, s.code LIMIT " limit "::bigint) q OFFSET 0) r" \
  " ORDER BY r.updated_at, r.code"
#define UNCHANGED_LEFT_OUT(fingerprint) \
  "LEFT JOIN dunghen.clock c ON c.code = s.code WHERE s.code IS NOT NULL" \
  " AND (c.code IS NULL OR c.source_updated_at IS DISTINCT FROM s.updated_at" \
  " OR c.rules_fingerprint IS DISTINCT FROM " fingerprint ") "
#define NEXT_KEYS \
  "AND (s.updated_at, s.code) > ('epoch'::timestamptz + $1::bigint * interval '1 microsecond', $2)"

/* The first pass ever finds (nearly) no clocks: probing for them before the claim would cost
 * a lookup per dossier for nothing, and the state read after the claim skips any it finds. */
#define ANY_ROW "WHERE s.code IS NOT NULL "

/* Indexed by [first pass ever][after the phase's first batch]. All take the same parameters:
 * $1 the cursor's updated_at in microseconds and $2 its code (both NULL for a first batch),
 * $3 the rules fingerprint, $4 the batch size; a variant that needs one of them not still
 * declares its type with a condition that is constant-true for the values given. */
static const char *const changed_sql[2][2] = {
    {CHANGED_SQL(UNCHANGED_LEFT_OUT("$3"), "AND $1::text IS NULL AND $2::text IS NULL", "$4"),
     CHANGED_SQL(UNCHANGED_LEFT_OUT("$3"), NEXT_KEYS, "$4")},
    {CHANGED_SQL(ANY_ROW, "AND $1::text IS NULL AND $2::text IS NULL AND $3::text IS NOT NULL",
                 "$4"),
     CHANGED_SQL(ANY_ROW, NEXT_KEYS " AND $3::text IS NOT NULL", "$4")},
};

/* The daemon's state of claimed codes ($1, with their source updated_at in $4), in the order
 * given: read_state's ten columns from column 1. */
static const char state_sql[] =
    "SELECT k.code, c.code IS NOT NULL,"
    " c.source_updated_at IS NOT DISTINCT FROM"
    "  'epoch'::timestamptz + k.updated_us * interval '1 microsecond'"
    "  AND c.rules_fingerprint IS NOT DISTINCT FROM $2"
    "  AND (c.next_instant IS NULL OR c.next_instant > to_timestamp($3::bigint)),"
    " dunghen.epoch(c.deadline), c.episode, dunghen.epoch(c.new_deadline),"
    " dunghen.epoch(c.rescheduled_at), c.state, dunghen.epoch(c.next_instant), c.flagged_reason,"
    " (SELECT string_agg(e.level || ':' || e.episode, ',') FROM dunghen.escalation_log e"
    "  WHERE e.dossier_code = k.code)"
    " FROM unnest($1::text[], $4::bigint[]) WITH ORDINALITY AS k(code, updated_us, position)"
    " LEFT JOIN LATERAL (SELECT * FROM dunghen.clock c WHERE c.code = k.code OFFSET 0) c ON true"
    " ORDER BY k.position";

struct changed_row {
  const char *code;
  int row;
};

static int compare_changed_rows(const void *left, const void *right) {
  const struct changed_row *a = left, *b = right;
  int order = strcmp(a->code, b->code);
  return order != 0 ? order : (a->row > b->row) - (a->row < b->row);
}

struct changed_cursor {
  bool very_first;     /* no watermark yet: no clock is expected */
  char updated_us[32]; /* "" from the start */
  char code[PASS_CODE_SIZE * 4];
  int64_t hold_us;     /* below the first row left to another instance */
  int64_t started_us;  /* the server's clock before the phase */
};

/*
 * The claimed rows of `rows`, one per code (the first row wins when a view repeats one),
 * sorted by code; their codes and updated_at keys as array literals. Counts the others as
 * skipped and holds the watermark below them.
 */
static size_t claimed_rows(struct pass *pass, const PGresult *rows, struct changed_cursor *cursor,
                           struct changed_row *claimed, struct text *codes,
                           struct text *updated) {
  size_t count = 0;
  for (int row = 0; row < PQntuples(rows); row++) {
    if (PQgetvalue(rows, row, 11)[0] == 't') {
      claimed[count++] = (struct changed_row){PQgetvalue(rows, row, 0), row};
      continue;
    }
    pass->report->skipped++;
    cursor->hold_us = smaller(cursor->hold_us, sql_integer(rows, row, 9, 0) - 1);
  }
  qsort(claimed, count, sizeof *claimed, compare_changed_rows);
  size_t unique = 0;
  for (size_t i = 0; i < count; i++)
    if (unique == 0 || strcmp(claimed[unique - 1].code, claimed[i].code) != 0)
      claimed[unique++] = claimed[i];
  text_reset(codes);
  text_reset(updated);
  text_add(codes, "{");
  text_add(updated, "{");
  for (size_t i = 0; i < unique; i++) {
    array_element(codes, claimed[i].code);
    array_integer(updated, sql_integer(rows, claimed[i].row, 9, 0), true);
  }
  text_add(codes, "}");
  text_add(updated, "}");
  return unique;
}

/* Reads the state of the claimed rows and computes their clocks into the batch's columns. */
static enum status compute_changed(struct pass *pass, const PGresult *rows,
                                   struct changed_cursor *cursor, struct error *error) {
  size_t count = (size_t)PQntuples(rows);
  struct changed_row *claimed = malloc((count > 0 ? count : 1) * sizeof *claimed);
  struct text codes = {0}, updated = {0};
  if (claimed == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  size_t unique = claimed_rows(pass, rows, cursor, claimed, &codes, &updated);
  PGresult *states = NULL;
  enum status status = codes.failed || updated.failed
                           ? error_set(error, STATUS_RUNTIME, "out of memory")
                           : STATUS_OK;
  if (status == STATUS_OK && unique > 0) {
    const char *values[] = {codes.data, pass->fingerprint, pass->now_text, updated.data};
    status = sql_query(pass->context->connection, "reading clocks", state_sql, 4, values,
                       &states, error);
  }
  if (status == STATUS_OK && unique > 0 && (size_t)PQntuples(states) != unique)
    status = error_set(error, STATUS_RUNTIME, "reading clocks: %d rows for %zu codes",
                       PQntuples(states), unique);
  for (size_t i = 0; status == STATUS_OK && i < unique; i++) {
    struct dossier dossier;
    read_source(rows, claimed[i].row, CHANGED_SOURCE_EXTRA, &dossier);
    read_state(states, (int)i, 1, &dossier);
    if (!dossier.unchanged)
      process_dossier(pass, &dossier);
  }
  PQclear(states);
  text_free(&codes);
  text_free(&updated);
  free(claimed);
  return status;
}

/*
 * One transaction of the changed phase. *done when the source has no further changed row.
 * The watermark is stored with the batch: the last row read, or just below a row another
 * instance held (one that lags behind is safe, one ahead would lose rows); and after the last
 * batch the phase's start, under the same hold.
 */
static enum status run_changed_batch(struct pass *pass, struct changed_cursor *cursor,
                                     bool *done, struct error *error) {
  PGconn *connection = pass->context->connection;
  char limit[24];
  snprintf(limit, sizeof limit, "%zu", pass->batch_size);
  PGresult *rows = NULL;
  enum status status = begin_batch(pass, error);
  if (status == STATUS_OK) {
    bool next = cursor->updated_us[0] != '\0';
    const char *values[] = {next ? cursor->updated_us : NULL, next ? cursor->code : NULL,
                            pass->fingerprint, limit};
    status = sql_query(connection, "finding changed dossiers",
                       changed_sql[cursor->very_first][next], 4, values, &rows, error);
  }
  int count = status == STATUS_OK ? PQntuples(rows) : 0;
  *done = (size_t)count < pass->batch_size;
  if (status == STATUS_OK) {
    pass->report->read += (size_t)count;
    status = compute_changed(pass, rows, cursor, error);
  }
  char marks[64];
  int64_t final = smaller(cursor->started_us, cursor->hold_us);
  if (count == 0) {
    snprintf(marks, sizeof marks, "{%" PRId64 "}", final);
  } else {
    int64_t last = smaller(sql_integer(rows, count - 1, 9, 0), cursor->hold_us);
    if (*done)
      snprintf(marks, sizeof marks, "{%" PRId64 ",%" PRId64 "}", last, final);
    else
      snprintf(marks, sizeof marks, "{%" PRId64 "}", last);
    snprintf(cursor->updated_us, sizeof cursor->updated_us, "%s", PQgetvalue(rows, count - 1, 9));
    snprintf(cursor->code, sizeof cursor->code, "%s", PQgetvalue(rows, count - 1, 0));
  }
  PQclear(rows);
  if (count == 0 && status == STATUS_OK) {
    /* Nothing changed: only the watermark moves (no batch to count). */
    status = write_sync_state(pass, marks, false, error);
    if (status == STATUS_OK)
      status = sql_exec(connection, "committing a batch", "COMMIT", error);
    if (status != STATUS_OK)
      sql_rollback(connection);
    return status;
  }
  return end_batch(pass, status, marks, error);
}

/*
 * Changed dossiers: from the watermark minus the overlap (from the start when `full` or on the
 * first pass). Rows older than the phase's start minus the overlap are all committed and seen
 * by the end of the phase (the overlap bounds how long a writing transaction may run), so the
 * next pass can start there even when no newer row moved the watermark.
 */
static enum status changed_phase(struct pass *pass, const struct sync_state *state,
                                 struct error *error) {
  const struct pass_context *context = pass->context;
  int64_t overlap = context->overlap_seconds < 0 ? PASS_DEFAULT_OVERLAP_SECONDS
                                                 : context->overlap_seconds;
  struct changed_cursor cursor = {.very_first = state->watermark_us[0] == '\0',
                                  .hold_us = INT64_MAX, .started_us = state->started_us};
  if (!context->full && state->watermark_us[0] != '\0')
    snprintf(cursor.updated_us, sizeof cursor.updated_us, "%" PRId64,
             (int64_t)strtoll(state->watermark_us, NULL, 10) - overlap * 1000000 - 1);
  bool done = false;
  enum status status = STATUS_OK;
  while (status == STATUS_OK && !done)
    status = run_changed_batch(pass, &cursor, &done, error);
  return status;
}

/* ---- the phases ---- */


static enum status read_sync_state(PGconn *connection, struct sync_state *state,
                                   struct error *error) {
  PGresult *result;
  enum status status = sql_query(connection, "reading the sync state",
                                 "SELECT (extract(epoch FROM watermark) * 1000000)::bigint,"
                                 " rules_fingerprint,"
                                 " (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
                                 " FROM dunghen.sync_state",
                                 0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  if (PQntuples(result) != 1) {
    PQclear(result);
    return error_set(error, STATUS_RUNTIME,
                     "dunghen.sync_state has no row: run dunghen migrate --db CONNINFO");
  }
  snprintf(state->watermark_us, sizeof state->watermark_us, "%s", PQgetvalue(result, 0, 0));
  snprintf(state->fingerprint, sizeof state->fingerprint, "%s", PQgetvalue(result, 0, 1));
  state->started_us = sql_integer(result, 0, 2, INT64_MIN);
  PQclear(result);
  return STATUS_OK;
}

/* Dossiers due by time (or all known ones when `everything`): keyset over the clock table. */
static enum status clock_phase(struct pass *pass, bool everything, struct error *error) {
  char limit[24], cursor_key[32] = "", cursor_code[PASS_CODE_SIZE * 4] = "";
  snprintf(limit, sizeof limit, "%zu", pass->batch_size);
  for (;;) {
    const char *values[] = {pass->now_text, cursor_key, cursor_code, limit};
    const char *list_values[] = {cursor_code, limit};
    PGresult *candidates;
    enum status status;
    if (everything)
      status = sql_query(pass->context->connection, "listing dossiers",
                         "SELECT code FROM dunghen.clock WHERE code > $1"
                         " ORDER BY code LIMIT $2::bigint",
                         2, list_values, &candidates, error);
    else if (cursor_key[0] == '\0')
      status = sql_query(pass->context->connection, "finding due dossiers",
                         "SELECT code, (extract(epoch FROM next_instant) * 1000000)::bigint"
                         " FROM dunghen.clock WHERE next_instant <= to_timestamp($1::bigint)"
                         " ORDER BY next_instant, code LIMIT $2::bigint",
                         2, (const char *const[]){pass->now_text, limit}, &candidates, error);
    else
      status = sql_query(pass->context->connection, "finding due dossiers",
                         "SELECT code, (extract(epoch FROM next_instant) * 1000000)::bigint"
                         " FROM dunghen.clock WHERE next_instant <= to_timestamp($1::bigint)"
                         " AND (next_instant, code) > ('epoch'::timestamptz +"
                         " $2::bigint * interval '1 microsecond', $3)"
                         " ORDER BY next_instant, code LIMIT $4::bigint",
                         4, values, &candidates, error);
    if (status != STATUS_OK)
      return status;
    int count = PQntuples(candidates);
    if (count == 0) {
      PQclear(candidates);
      return STATUS_OK;
    }
    status = run_batch(pass, candidates, true, error);
    if (!everything)
      snprintf(cursor_key, sizeof cursor_key, "%s", PQgetvalue(candidates, count - 1, 1));
    snprintf(cursor_code, sizeof cursor_code, "%s", PQgetvalue(candidates, count - 1, 0));
    PQclear(candidates);
    if (status != STATUS_OK || (size_t)count < pass->batch_size)
      return status;
  }
}

static enum status prepare(struct pass *pass, const struct pass_context *context,
                           struct pass_report *report, struct error *error) {
  memset(report, 0, sizeof *report);
  report->next_due = INT64_MAX;
  memset(pass, 0, sizeof *pass);
  pass->context = context;
  pass->report = report;
  pass->batch_size = context->batch_size > 0 ? context->batch_size : PASS_DEFAULT_BATCH_SIZE;
  snprintf(pass->now_text, sizeof pass->now_text, "%" PRId64, context->now);
  if (context->rules == NULL || context->ladder == NULL || context->connection == NULL)
    return error_set(error, STATUS_INVALID, "a pass needs a connection, rules and a ladder");
  if (context->ladder->count > LADDER_MAX_LEVELS)
    return error_set(error, STATUS_INVALID, "the ladder has too many levels");
  compute_fingerprint(context, pass->fingerprint);
  return STATUS_OK;
}

/* The next due instant, and the metric deltas folded when they have piled up. */
static enum status finish(struct pass *pass, enum status status, struct error *error) {
  columns_free(pass->clock, CLOCK_COLUMNS);
  columns_free(pass->letter, LETTER_COLUMNS);
  columns_free(pass->redraft, REDRAFT_COLUMNS);
  text_free(&pass->new_clocks);
  text_free(&pass->new_escalations);
  if (status != STATUS_OK)
    return status;
  PGresult *result;
  status = sql_query(pass->context->connection, "reading the next due instant",
                     "SELECT dunghen.epoch(min(next_instant)), dunghen.metric_compact(64)"
                     " FROM dunghen.clock",
                     0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  pass->report->next_due = sql_integer(result, 0, 0, INT64_MAX);
  PQclear(result);
  return STATUS_OK;
}

static enum status store_fingerprint(struct pass *pass, struct error *error) {
  const char *values[] = {pass->fingerprint};
  PGresult *result;
  enum status status = sql_query(pass->context->connection, "storing the rules fingerprint",
                                 "UPDATE dunghen.sync_state SET rules_fingerprint = $1", 1,
                                 values, &result, error);
  if (status == STATUS_OK)
    PQclear(result);
  return status;
}

static enum status recompute(struct pass *pass, struct error *error) {
  enum status status = clock_phase(pass, true, error);
  if (status == STATUS_OK)
    status = store_fingerprint(pass, error);
  return status;
}

enum status pass_recompute_all(const struct pass_context *context, struct pass_report *report,
                               struct error *error) {
  struct pass pass;
  enum status status = prepare(&pass, context, report, error);
  if (status == STATUS_OK)
    status = recompute(&pass, error);
  return finish(&pass, status, error);
}

enum status pass_run(const struct pass_context *context, struct pass_report *report,
                     struct error *error) {
  struct pass pass;
  enum status status = prepare(&pass, context, report, error);
  struct sync_state state = {0};
  if (status == STATUS_OK)
    status = read_sync_state(context->connection, &state, error);
  /* Clocks computed with other rules (a restart after an edit) are recomputed first. */
  if (status == STATUS_OK && state.fingerprint[0] != '\0' &&
      strcmp(state.fingerprint, pass.fingerprint) != 0)
    status = recompute(&pass, error);
  else if (status == STATUS_OK && state.fingerprint[0] == '\0')
    status = store_fingerprint(&pass, error);
  if (status == STATUS_OK)
    status = changed_phase(&pass, &state, error);
  if (status == STATUS_OK)
    status = clock_phase(&pass, false, error);
  return finish(&pass, status, error);
}

enum status pass_next_due(PGconn *connection, int64_t *next_due, struct error *error) {
  PGresult *result;
  enum status status = sql_query(connection, "reading the next due instant",
                                 "SELECT dunghen.epoch(min(next_instant)) FROM dunghen.clock",
                                 0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  *next_due = sql_integer(result, 0, 0, INT64_MAX);
  PQclear(result);
  return STATUS_OK;
}

static void add_count(struct pass_count *counts, size_t *count, const char *name,
                      int64_t value) {
  for (size_t i = 0; i < *count; i++)
    if (strcmp(counts[i].name, name) == 0) {
      counts[i].value += value;
      return;
    }
  if (*count == PASS_MAX_METRIC_NAMES)
    return;
  snprintf(counts[*count].name, sizeof counts[*count].name, "%s", name);
  counts[*count].value = value;
  (*count)++;
}

enum status pass_metrics_read(PGconn *connection, struct pass_metrics *metrics,
                              struct error *error) {
  memset(metrics, 0, sizeof *metrics);
  metrics->next_due = INT64_MAX;
  for (int state = 0; state < DOSSIER_STATE_COUNT; state++)
    add_count(metrics->states, &metrics->state_count,
              dossier_state_name((enum dossier_state)state), 0);
  PGresult *result;
  /* Sorted by name, so that an agency's three counters come together and the agencies in
   * order; an agency whose counters are all zero is left out. */
  enum status status = sql_query(
      connection, "reading metrics",
      "SELECT CASE kind WHEN 'state' THEN 's' WHEN 'level' THEN 'l' WHEN 'letter' THEN 'm'"
      " WHEN 'agency_open' THEN 'o' WHEN 'agency_overdue' THEN 'd' ELSE 'a' END, name,"
      " sum(delta) FROM dunghen.metric_delta GROUP BY kind, name"
      " HAVING kind NOT LIKE 'agency%' OR sum(delta) <> 0"
      " UNION ALL SELECT 'p', '', dunghen.epoch(last_pass_at) FROM dunghen.sync_state"
      " UNION ALL SELECT 'n', '', dunghen.epoch(min(next_instant)) FROM dunghen.clock"
      " UNION ALL SELECT 'v', '', max(version) FROM dunghen.schema_version"
      " ORDER BY 2, 1",
      0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  const char *previous_agency = NULL;
  for (int row = 0; row < PQntuples(result); row++) {
    char kind = PQgetvalue(result, row, 0)[0];
    const char *name = PQgetvalue(result, row, 1);
    int64_t value = sql_integer(result, row, 2, INT64_MIN);
    if (kind == 'o' || kind == 'd' || kind == 'a') {
      struct pass_agency_count *agency =
          metrics->agency_count > 0 ? &metrics->agencies[metrics->agency_count - 1] : NULL;
      bool same = previous_agency != NULL && strcmp(previous_agency, name) == 0;
      previous_agency = name;
      if (!same && metrics->agency_count < PASS_MAX_METRIC_AGENCIES) {
        agency = &metrics->agencies[metrics->agency_count++];
        snprintf(agency->code, sizeof agency->code, "%s", name);
      } else if (!same) {
        metrics->agencies_left_out++;
      }
      if (agency == NULL || strcmp(agency->code, name) != 0)
        continue;
      if (kind == 'o')
        agency->open = value;
      else if (kind == 'd')
        agency->overdue = value;
      else
        agency->letters_pending = value;
    } else if (kind == 's') {
      add_count(metrics->states, &metrics->state_count, name, value);
      if (strcmp(name, "flagged") == 0)
        metrics->flagged = value;
    } else if (kind == 'l') {
      add_count(metrics->levels, &metrics->level_count, name, value);
    } else if (kind == 'm') {
      if (strcmp(name, "pending") == 0)
        metrics->letters_pending = value;
      else if (strcmp(name, "rendered") == 0)
        metrics->letters_rendered = value;
      else if (strcmp(name, "failed") == 0)
        metrics->letters_failed = value;
    } else if (kind == 'p') {
      metrics->last_pass_at = value == INT64_MIN ? 0 : value;
    } else if (kind == 'n') {
      metrics->next_due = value == INT64_MIN ? INT64_MAX : value;
    } else if (kind == 'v') {
      metrics->schema_version = value == INT64_MIN ? 0 : (int)value;
    }
  }
  PQclear(result);
  return STATUS_OK;
}
