/*
 * pass_row.c: a row of the pass's reading statements as a dossier's facts (see pass_row.h).
 */
#include "store/pass_row.h"

#include <stdlib.h>
#include <string.h>

#include "store/array.h"
#include "store/sql.h"

static int64_t column_integer(const PGresult *result, int row, int column) {
  return sql_integer(result, row, column, INT64_MIN);
}

/* Room for `count` + 1 items of `size` bytes in *items; false when out of memory. */
static bool grow(void **items, size_t *capacity, size_t count, size_t size) {
  if (count < *capacity)
    return true;
  size_t wanted = *capacity > 0 ? *capacity * 2 : 16;
  void *grown = realloc(*items, wanted * size);
  if (grown == NULL)
    return false;
  *items = grown;
  *capacity = wanted;
  return true;
}

/* Decodes `literal` into `texts` and opens a reader on it; false when out of memory. */
static bool open_array(const char *literal, struct buffer *texts, struct array_reader *reader) {
  buffer_reset(texts);
  buffer_reserve(texts, literal != NULL ? strlen(literal) + 1 : 1);
  if (texts->failed)
    return false;
  array_reader_open(reader, literal, texts->data);
  return true;
}

/* The rows {paused_at, resumed_at, kind}. A missing element of the last row reads as NULL. */
static bool read_pauses(const char *literal, struct pass_row_scratch *scratch,
                        struct dossier_facts *facts) {
  facts->pause_count = 0;
  facts->pauses = scratch->pauses;
  struct array_reader reader;
  if (!open_array(literal, &scratch->pause_texts, &reader))
    return false;
  const char *from;
  while (array_reader_next(&reader, &from)) {
    const char *to = NULL, *kind = NULL;
    if (array_reader_next(&reader, &to))
      array_reader_next(&reader, &kind);
    if (!grow((void **)&scratch->pauses, &scratch->pause_capacity, facts->pause_count,
              sizeof *scratch->pauses))
      return false;
    scratch->pauses[facts->pause_count++] = (struct dossier_pause){
        .has_from = from != NULL,
        .from = from != NULL ? strtoll(from, NULL, 10) : 0,
        .to = to != NULL ? strtoll(to, NULL, 10) : PAUSE_OPEN,
        .kind = dossier_pause_kind_from_text(kind),
        .kind_text = kind,
    };
  }
  facts->pauses = scratch->pauses;
  return true;
}

/* The rows {level, episode}. */
static bool read_fired(const char *literal, struct pass_row_scratch *scratch,
                       struct dossier_facts *facts) {
  facts->fired_count = 0;
  facts->fired = scratch->fired;
  struct array_reader reader;
  if (!open_array(literal, &scratch->fired_texts, &reader))
    return false;
  const char *level;
  while (array_reader_next(&reader, &level)) {
    const char *episode = NULL;
    array_reader_next(&reader, &episode);
    if (level == NULL || episode == NULL)
      continue; /* the log's columns are NOT NULL */
    if (!grow((void **)&scratch->fired, &scratch->fired_capacity, facts->fired_count,
              sizeof *scratch->fired))
      return false;
    scratch->fired[facts->fired_count++] =
        (struct dossier_fired_level){level, (int)strtol(episode, NULL, 10)};
  }
  facts->fired = scratch->fired;
  return true;
}

bool pass_row_read_source(const PGresult *result, int row, int extra,
                          struct pass_row_scratch *scratch, struct pass_dossier *dossier) {
  memset(dossier, 0, sizeof *dossier);
  struct dossier_facts *facts = &dossier->facts;
  facts->code = PQgetvalue(result, row, 0);
  dossier->present = PQgetvalue(result, row, 1)[0] == 't';
  facts->procedure_code = sql_text(result, row, 2);
  facts->agency_code = sql_text(result, row, 3);
  facts->channel_text = sql_text(result, row, 4);
  facts->channel = dossier_channel_from_text(facts->channel_text);
  facts->status_text = sql_text(result, row, 5);
  facts->status = dossier_status_from_text(facts->status_text);
  facts->has_received = !PQgetisnull(result, row, 6);
  facts->received_at = column_integer(result, row, 6);
  facts->has_finished = !PQgetisnull(result, row, 7);
  facts->finished_at = column_integer(result, row, 7);
  facts->delay_reason = dossier->present && PQgetvalue(result, row, 8)[0] == 't';
  dossier->updated_us = sql_text(result, row, 9);
  facts->has_appointment = !PQgetisnull(result, row, extra);
  facts->appointment_at = column_integer(result, row, extra);
  dossier->reason_md5 = sql_text(result, row, extra + 1);
  facts->copies = sql_integer(result, row, extra + 2, 1);
  return read_pauses(sql_text(result, row, 10), scratch, facts);
}

bool pass_row_read_state(const PGresult *result, int row, int first,
                         struct pass_row_scratch *scratch, struct pass_dossier *dossier) {
  struct dossier_facts *facts = &dossier->facts;
  dossier->known = PQgetvalue(result, row, first)[0] == 't';
  dossier->unchanged = dossier->known && PQgetvalue(result, row, first + 1)[0] == 't';
  dossier->old_deadline = column_integer(result, row, first + 2);
  dossier->old_episode = (int)sql_integer(result, row, first + 3, 1);
  facts->rescheduled = dossier->old_episode == 2;
  facts->new_deadline = column_integer(result, row, first + 4);
  facts->rescheduled_at = column_integer(result, row, first + 5);
  dossier->old_state = sql_text(result, row, first + 6);
  dossier->old_next = column_integer(result, row, first + 7);
  dossier->old_flag = sql_text(result, row, first + 8);
  dossier->old_finished = column_integer(result, row, first + 10);
  return read_fired(sql_text(result, row, first + 9), scratch, facts);
}

void pass_row_scratch_free(struct pass_row_scratch *scratch) {
  free(scratch->pauses);
  free(scratch->fired);
  buffer_free(&scratch->pause_texts);
  buffer_free(&scratch->fired_texts);
  memset(scratch, 0, sizeof *scratch);
}
