#include "store/mail_queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/array.h"
#include "store/sql.h"

static void int64_text(int64_t value, char text[32]) {
  snprintf(text, 32, "%" PRId64, value);
}

static const char *kind_text(enum delivery_kind kind) {
  switch (kind) {
  case DELIVERY_LETTER:
    return "letter";
  case DELIVERY_DIGEST:
    return "digest";
  case DELIVERY_REPORT:
    return "report";
  default:
    return "escalation";
  }
}

static enum delivery_kind kind_of(const char *text) {
  if (text != NULL && strcmp(text, "letter") == 0)
    return DELIVERY_LETTER;
  if (text != NULL && strcmp(text, "digest") == 0)
    return DELIVERY_DIGEST;
  if (text != NULL && strcmp(text, "report") == 0)
    return DELIVERY_REPORT;
  return DELIVERY_ESCALATION;
}

/* Runs a statement whose rows are not needed. */
static enum status run(PGconn *connection, const char *what, const char *sql, int count,
                       const char *const *values, struct error *error) {
  PGresult *result = NULL;
  enum status status = sql_query(connection, what, sql, count, values, &result, error);
  PQclear(result);
  return status;
}

enum status mail_queue_set_switch(PGconn *connection, bool enabled, int64_t now,
                                  struct error *error) {
  char now_text[32];
  int64_text(now, now_text);
  const char *values[] = {enabled ? "t" : "f", now_text};
  return run(connection, "setting dunghen.mail_switch",
             "UPDATE dunghen.mail_switch SET enabled = $1::boolean,"
             " changed_at = to_timestamp($2::bigint) WHERE enabled IS DISTINCT FROM $1::boolean",
             2, values, error);
}

/* ---- the outbox ---- */

/* The roles of a text[] in its output form: {handling_agency,one_stop_unit}. */
static size_t split_roles(const char *text, char roles[][MAIL_QUEUE_ROLE_SIZE], size_t limit) {
  size_t count = 0;
  const char *at = text[0] == '{' ? text + 1 : text;
  while (*at != '\0' && *at != '}' && count < limit) {
    size_t length = strcspn(at, ",}");
    snprintf(roles[count++], MAIL_QUEUE_ROLE_SIZE, "%.*s",
             (int)(length < MAIL_QUEUE_ROLE_SIZE - 1 ? length : MAIL_QUEUE_ROLE_SIZE - 1), at);
    at += length;
    if (*at == ',')
      at++;
  }
  return count;
}

enum status mail_queue_claim_outbox(PGconn *connection, size_t limit, struct outbox_batch *batch,
                                    struct error *error) {
  memset(batch, 0, sizeof *batch);
  char limit_text[32];
  snprintf(limit_text, sizeof limit_text, "%zu", limit);
  const char *values[] = {limit_text};
  enum status status = sql_query(connection, "reading the outbox",
                                 "SELECT id, kind, dossier_code, agency_code, level, roles"
                                 " FROM dunghen.outbox WHERE expanded_at IS NULL ORDER BY id"
                                 " LIMIT $1::integer FOR UPDATE SKIP LOCKED",
                                 1, values, &batch->rows, error);
  if (status != STATUS_OK)
    return status;
  int count = PQntuples(batch->rows);
  batch->entries = calloc(count > 0 ? (size_t)count : 1, sizeof *batch->entries);
  if (batch->entries == NULL) {
    mail_queue_outbox_free(batch);
    return error_set(error, STATUS_RUNTIME, "reading the outbox: out of memory");
  }
  for (int row = 0; row < count; row++) {
    struct outbox_entry *entry = &batch->entries[row];
    entry->id = sql_integer(batch->rows, row, 0, 0);
    entry->kind = kind_of(PQgetvalue(batch->rows, row, 1));
    entry->dossier_code = sql_text(batch->rows, row, 2);
    entry->agency_code = sql_text(batch->rows, row, 3);
    entry->level = PQgetvalue(batch->rows, row, 4);
    entry->role_count =
        split_roles(PQgetvalue(batch->rows, row, 5), entry->roles, MAIL_QUEUE_MAX_ROLES);
  }
  batch->count = (size_t)count;
  return STATUS_OK;
}

void mail_queue_outbox_free(struct outbox_batch *batch) {
  free(batch->entries);
  PQclear(batch->rows);
  memset(batch, 0, sizeof *batch);
}

void mail_queue_expansion_open(struct mail_queue_expansion *expansion) {
  memset(expansion, 0, sizeof *expansion);
  array_columns_open(expansion->columns, EXPANSION_COLUMNS);
  array_columns_open(&expansion->outbox_ids, 1);
}

void mail_queue_expansion_add_delivery(struct mail_queue_expansion *expansion,
                                       const struct delivery_draft *draft) {
  struct buffer *columns = expansion->columns;
  array_add_integer(&columns[EXPANSION_OUTBOX_ID], draft->outbox_id, true);
  array_add_text(&columns[EXPANSION_MESSAGE_ID], draft->message_id);
  array_add_text(&columns[EXPANSION_KIND], kind_text(draft->kind));
  array_add_text(&columns[EXPANSION_DOSSIER_CODE], draft->dossier_code);
  array_add_text(&columns[EXPANSION_AGENCY_CODE], draft->agency_code);
  array_add_text(&columns[EXPANSION_LEVEL], draft->level);
  array_add_text(&columns[EXPANSION_ROLE], draft->role);
  array_add_text(&columns[EXPANSION_ADDRESS], draft->address);
  array_add_text(&columns[EXPANSION_STATE], draft->held ? "held" : "pending");
}

void mail_queue_expansion_add_outbox(struct mail_queue_expansion *expansion, int64_t outbox_id) {
  array_add_integer(&expansion->outbox_ids, outbox_id, true);
  expansion->outbox_count++;
}

static const char insert_deliveries_sql[] =
    "INSERT INTO dunghen.delivery_log (outbox_id, message_id, kind, dossier_code, agency_code,"
    " level, role, address, state, next_attempt_at, created_at)"
    " SELECT o, m, k, c, nullif(a, ''), l, r, d, s, to_timestamp($10::bigint),"
    "  to_timestamp($10::bigint)"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "  $7::text[], $8::text[], $9::text[]) AS t(o, m, k, c, a, l, r, d, s)"
    " ON CONFLICT DO NOTHING";

enum status mail_queue_write_expansion(PGconn *connection, struct mail_queue_expansion *expansion,
                                       int64_t now, struct error *error) {
  if (!array_columns_close(expansion->columns, EXPANSION_COLUMNS) ||
      !array_columns_close(&expansion->outbox_ids, 1))
    return error_set(error, STATUS_RUNTIME, "out of memory expanding the outbox");
  if (expansion->outbox_count == 0)
    return STATUS_OK;
  char now_text[32];
  int64_text(now, now_text);
  const char *values[EXPANSION_COLUMNS + 1];
  for (size_t i = 0; i < EXPANSION_COLUMNS; i++)
    values[i] = expansion->columns[i].data;
  values[EXPANSION_COLUMNS] = now_text;
  enum status status = run(connection, "writing deliveries", insert_deliveries_sql,
                           EXPANSION_COLUMNS + 1, values, error);
  const char *marked[] = {expansion->outbox_ids.data, now_text};
  if (status == STATUS_OK)
    status = run(connection, "marking the outbox",
                 "UPDATE dunghen.outbox SET expanded_at = to_timestamp($2::bigint)"
                 " WHERE id = ANY($1::bigint[])",
                 2, marked, error);
  return status;
}

void mail_queue_expansion_free(struct mail_queue_expansion *expansion) {
  array_columns_free(expansion->columns, EXPANSION_COLUMNS);
  array_columns_free(&expansion->outbox_ids, 1);
  memset(expansion, 0, sizeof *expansion);
}

/* ---- digests ---- */

enum status mail_queue_digest_addresses(PGconn *connection, int period, int64_t now,
                                        struct mail_queue_addresses *addresses,
                                        struct error *error) {
  memset(addresses, 0, sizeof *addresses);
  char period_text[32], now_text[32];
  snprintf(period_text, sizeof period_text, "%d", period);
  int64_text(now, now_text);
  const char *values[] = {period_text, now_text};
  enum status status = sql_query(connection, "finding digests",
                                 "SELECT address FROM dunghen.delivery_log WHERE state = 'held'"
                                 " GROUP BY address HAVING min(created_at) <="
                                 " to_timestamp($2::bigint) - $1::integer * interval '1 second'",
                                 2, values, &addresses->rows, error);
  if (status != STATUS_OK)
    return status;
  int count = PQntuples(addresses->rows);
  addresses->addresses = calloc(count > 0 ? (size_t)count : 1, sizeof *addresses->addresses);
  if (addresses->addresses == NULL) {
    mail_queue_addresses_free(addresses);
    return error_set(error, STATUS_RUNTIME, "finding digests: out of memory");
  }
  for (int row = 0; row < count; row++)
    addresses->addresses[row] = PQgetvalue(addresses->rows, row, 0);
  addresses->count = (size_t)count;
  return STATUS_OK;
}

void mail_queue_addresses_free(struct mail_queue_addresses *addresses) {
  free(addresses->addresses);
  PQclear(addresses->rows);
  memset(addresses, 0, sizeof *addresses);
}

static const char digest_sql[] =
    "WITH items AS (SELECT id, role, level FROM dunghen.delivery_log"
    "  WHERE state = 'held' AND address = $1 ORDER BY id FOR UPDATE SKIP LOCKED),"
    " new AS (SELECT nextval(pg_get_serial_sequence('dunghen.delivery_log', 'id')) AS id"
    "  WHERE EXISTS (SELECT 1 FROM items)),"
    " digest AS (INSERT INTO dunghen.delivery_log (id, message_id, kind, level, role, address,"
    "  state, next_attempt_at, created_at)"
    "  SELECT new.id, 'digest-' || new.id || '.' || $2 || '@' || $3, 'digest',"
    "   (SELECT level FROM items ORDER BY id LIMIT 1), (SELECT role FROM items ORDER BY id"
    "   LIMIT 1), $1, 'pending', to_timestamp($4::bigint), to_timestamp($4::bigint) FROM new"
    "  RETURNING id)"
    " UPDATE dunghen.delivery_log d SET state = 'digested', digest_id = (SELECT id FROM digest)"
    " FROM items WHERE d.id = items.id AND EXISTS (SELECT 1 FROM digest)";

enum status mail_queue_make_digest(PGconn *connection, const char *address,
                                   const char *address_hash, const char *host, int64_t now,
                                   bool *made, struct error *error) {
  *made = false;
  char now_text[32];
  int64_text(now, now_text);
  const char *values[] = {address, address_hash, host, now_text};
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "making a digest", digest_sql, 4, values, &result, error);
  if (status != STATUS_OK)
    return status;
  *made = strtol(PQcmdTuples(result), NULL, 10) > 0;
  PQclear(result);
  return STATUS_OK;
}

/* ---- sending ---- */

static const char claim_sql[] =
    "SELECT d.id, d.message_id, d.kind, d.dossier_code, d.agency_code, d.level, d.role,"
    " d.address, d.attempts, s.procedure_code, s.applicant_name, dunghen.epoch(s.received_at),"
    " dunghen.epoch(e.deadline), c.state, l.state, l.path, l.sha256, l.number, l.year,"
    " dunghen.epoch(l.new_appointment_at), s.delay_reason, r.id, r.period_kind,"
    " r.period_from - date '1970-01-01', r.number, r.year, r.received, r.done, r.in_progress,"
    " r.on_time_share, l.id, l.version, l.bytes"
    " FROM dunghen.delivery_log d"
    " LEFT JOIN dunghen.outbox o ON o.id = d.outbox_id"
    " LEFT JOIN dunghen.report_run r ON r.id = o.report_id"
    " LEFT JOIN dunghen.escalation_log e ON e.id = o.escalation_id"
    " LEFT JOIN dunghen.letter_log l ON l.id = o.letter_id"
    " LEFT JOIN dunghen.clock c ON c.code = d.dossier_code"
    /* Only an unambiguous source row: a code the view repeats gives no applicant data. */
    " LEFT JOIN LATERAL (SELECT * FROM (SELECT s.*, count(*) OVER () AS copies"
    "  FROM dunghen.dossier_source s WHERE s.code = d.dossier_code) x WHERE x.copies = 1) s"
    "  ON true"
    " WHERE d.state = 'pending' AND d.next_attempt_at <= to_timestamp($1::bigint)"
    "  AND (o.letter_id IS NULL OR l.state IS DISTINCT FROM 'pending')"
    " ORDER BY d.next_attempt_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED";

enum {
  COLUMN_ID,
  COLUMN_MESSAGE_ID,
  COLUMN_KIND,
  COLUMN_CODE,
  COLUMN_AGENCY,
  COLUMN_LEVEL,
  COLUMN_ROLE,
  COLUMN_ADDRESS,
  COLUMN_ATTEMPTS,
  COLUMN_PROCEDURE,
  COLUMN_APPLICANT,
  COLUMN_RECEIVED,
  COLUMN_DEADLINE,
  COLUMN_STATE,
  COLUMN_LETTER_STATE,
  COLUMN_LETTER_PATH,
  COLUMN_LETTER_SHA256,
  COLUMN_LETTER_NUMBER,
  COLUMN_LETTER_YEAR,
  COLUMN_NEW_DATE,
  COLUMN_REASON,
  COLUMN_REPORT_ID,
  COLUMN_PERIOD_KIND,
  COLUMN_PERIOD_FROM,
  COLUMN_REPORT_NUMBER,
  COLUMN_REPORT_YEAR,
  COLUMN_REPORT_RECEIVED,
  COLUMN_REPORT_DONE,
  COLUMN_REPORT_IN_PROGRESS,
  COLUMN_ON_TIME_SHARE,
  COLUMN_LETTER_ID,
  COLUMN_LETTER_VERSION,
  COLUMN_LETTER_BYTES,
};

enum status mail_queue_claim_delivery(PGconn *connection, int64_t now,
                                      struct mail_queue_claim *claim, struct error *error) {
  memset(claim, 0, sizeof *claim);
  char now_text[32];
  int64_text(now, now_text);
  const char *values[] = {now_text};
  enum status status =
      sql_query(connection, "claiming a delivery", claim_sql, 1, values, &claim->row, error);
  if (status != STATUS_OK || PQntuples(claim->row) == 0)
    return status;
  const PGresult *row = claim->row;
  enum delivery_kind kind = kind_of(PQgetvalue(row, 0, COLUMN_KIND));
  const char *letter_state = sql_text(row, 0, COLUMN_LETTER_STATE);
  claim->found = true;
  claim->delivery = (struct mail_delivery){
      .id = sql_integer(row, 0, COLUMN_ID, 0),
      .message_id = PQgetvalue(row, 0, COLUMN_MESSAGE_ID),
      .kind = kind,
      .dossier_code = sql_text(row, 0, COLUMN_CODE),
      .agency_code = sql_text(row, 0, COLUMN_AGENCY),
      .level = PQgetvalue(row, 0, COLUMN_LEVEL),
      .role = PQgetvalue(row, 0, COLUMN_ROLE),
      .address = PQgetvalue(row, 0, COLUMN_ADDRESS),
      .attempts = (int)sql_integer(row, 0, COLUMN_ATTEMPTS, 0),
      .procedure_code = sql_text(row, 0, COLUMN_PROCEDURE),
      .applicant_name = sql_text(row, 0, COLUMN_APPLICANT),
      .state = sql_text(row, 0, COLUMN_STATE),
      .reason = sql_text(row, 0, COLUMN_REASON),
      .has_received = sql_text(row, 0, COLUMN_RECEIVED) != NULL,
      .received_at = sql_integer(row, 0, COLUMN_RECEIVED, 0),
      .has_deadline = sql_text(row, 0, COLUMN_DEADLINE) != NULL,
      .deadline = sql_integer(row, 0, COLUMN_DEADLINE, 0),
      .letter_failed =
          kind == DELIVERY_LETTER && letter_state != NULL && strcmp(letter_state, "failed") == 0,
      .letter_path = sql_text(row, 0, COLUMN_LETTER_PATH),
      .letter_sha256 = sql_text(row, 0, COLUMN_LETTER_SHA256),
      .letter_id = sql_integer(row, 0, COLUMN_LETTER_ID, 0),
      .letter_version = sql_integer(row, 0, COLUMN_LETTER_VERSION, 1),
      .letter_bytes = sql_integer(row, 0, COLUMN_LETTER_BYTES, 0),
      .has_letter_number = sql_text(row, 0, COLUMN_LETTER_NUMBER) != NULL,
      .letter_number = (long)sql_integer(row, 0, COLUMN_LETTER_NUMBER, 0),
      .letter_year = (int)sql_integer(row, 0, COLUMN_LETTER_YEAR, 0),
      .has_new_date = sql_text(row, 0, COLUMN_NEW_DATE) != NULL,
      .new_appointment_at = sql_integer(row, 0, COLUMN_NEW_DATE, 0),
      .report_id = sql_integer(row, 0, COLUMN_REPORT_ID, 0),
      .quarterly = sql_text(row, 0, COLUMN_PERIOD_KIND) != NULL &&
                   strcmp(PQgetvalue(row, 0, COLUMN_PERIOD_KIND), "quarter") == 0,
      .period_from_day = sql_integer(row, 0, COLUMN_PERIOD_FROM, 0),
      .report_number = (long)sql_integer(row, 0, COLUMN_REPORT_NUMBER, 0),
      .report_year = (int)sql_integer(row, 0, COLUMN_REPORT_YEAR, 0),
      .report_received = sql_integer(row, 0, COLUMN_REPORT_RECEIVED, 0),
      .report_done = sql_integer(row, 0, COLUMN_REPORT_DONE, 0),
      .report_in_progress = sql_integer(row, 0, COLUMN_REPORT_IN_PROGRESS, 0),
      .has_on_time_share = sql_text(row, 0, COLUMN_ON_TIME_SHARE) != NULL,
      .on_time_share = sql_text(row, 0, COLUMN_ON_TIME_SHARE) != NULL
                           ? strtod(PQgetvalue(row, 0, COLUMN_ON_TIME_SHARE), NULL)
                           : 0.0,
  };
  return STATUS_OK;
}

void mail_queue_claim_free(struct mail_queue_claim *claim) {
  PQclear(claim->row);
  memset(claim, 0, sizeof *claim);
}

enum status mail_queue_read_digest(PGconn *connection, int64_t digest_id,
                                   struct mail_queue_digest *digest, struct error *error) {
  memset(digest, 0, sizeof *digest);
  char id[32];
  int64_text(digest_id, id);
  const char *values[] = {id};
  enum status status =
      sql_query(connection, "reading a digest",
                "SELECT d.dossier_code, c.procedure_code, dunghen.epoch(e.deadline), c.state"
                " FROM dunghen.delivery_log d JOIN dunghen.outbox o ON o.id = d.outbox_id"
                " JOIN dunghen.escalation_log e ON e.id = o.escalation_id"
                " LEFT JOIN dunghen.clock c ON c.code = d.dossier_code"
                " WHERE d.digest_id = $1::bigint ORDER BY e.deadline NULLS LAST, d.dossier_code",
                1, values, &digest->rows, error);
  if (status != STATUS_OK)
    return status;
  int count = PQntuples(digest->rows);
  digest->items = calloc(count > 0 ? (size_t)count : 1, sizeof *digest->items);
  if (digest->items == NULL) {
    mail_queue_digest_free(digest);
    return error_set(error, STATUS_RUNTIME, "out of memory building a digest");
  }
  for (int row = 0; row < count; row++)
    digest->items[row] = (struct digest_item){
        .dossier_code = PQgetvalue(digest->rows, row, 0),
        .procedure_code = sql_text(digest->rows, row, 1),
        .state = sql_text(digest->rows, row, 3),
        .has_deadline = sql_text(digest->rows, row, 2) != NULL,
        .deadline = sql_integer(digest->rows, row, 2, 0),
    };
  digest->count = (size_t)count;
  return STATUS_OK;
}

void mail_queue_digest_free(struct mail_queue_digest *digest) {
  free(digest->items);
  PQclear(digest->rows);
  memset(digest, 0, sizeof *digest);
}

enum status mail_queue_record_delivery(PGconn *connection, int64_t id,
                                       enum delivery_outcome outcome, int attempts,
                                       int64_t retry_delay, const char *error_text, int64_t now,
                                       struct error *error) {
  static const char *const states[] = {
      [DELIVERY_SENT] = "sent",
      [DELIVERY_RETRY] = "pending",
      [DELIVERY_FAILED] = "failed",
      [DELIVERY_SKIPPED] = "skipped",
  };
  char id_text[32], attempts_text[16], delay_text[32], now_text[32];
  int64_text(id, id_text);
  snprintf(attempts_text, sizeof attempts_text, "%d", attempts);
  int64_text(retry_delay, delay_text);
  int64_text(now, now_text);
  const char *values[] = {id_text,    states[outcome], attempts_text,
                          delay_text, error_text,      now_text};
  return run(connection, "recording a delivery",
             "UPDATE dunghen.delivery_log SET state = $2, attempts = $3::integer,"
             " last_error = $5, sent_at = CASE WHEN $2 = 'sent' THEN to_timestamp($6::bigint) END,"
             " next_attempt_at = CASE WHEN $2 = 'pending' THEN to_timestamp($6::bigint) +"
             "  $4::integer * interval '1 second' ELSE next_attempt_at END"
             " WHERE id = $1::bigint",
             6, values, error);
}

/* ---- watching ---- */

enum status mail_queue_count(PGconn *connection, struct mail_queue_counts *counts,
                             struct error *error) {
  PGresult *rows = NULL;
  enum status status = sql_query(connection, "counting deliveries",
                                 "SELECT count(*) FILTER (WHERE state = 'pending'),"
                                 " count(*) FILTER (WHERE state = 'held'),"
                                 " count(*) FILTER (WHERE state = 'sent'),"
                                 " count(*) FILTER (WHERE state = 'failed')"
                                 " FROM dunghen.delivery_log",
                                 0, NULL, &rows, error);
  if (status != STATUS_OK)
    return status;
  counts->pending = sql_integer(rows, 0, 0, 0);
  counts->held = sql_integer(rows, 0, 1, 0);
  counts->sent = sql_integer(rows, 0, 2, 0);
  counts->failed = sql_integer(rows, 0, 3, 0);
  PQclear(rows);
  return STATUS_OK;
}

enum status mail_queue_next_due(PGconn *connection, int period, bool *any, int64_t *instant,
                                struct error *error) {
  *any = false;
  *instant = 0;
  char period_text[32];
  snprintf(period_text, sizeof period_text, "%d", period);
  const char *values[] = {period_text};
  PGresult *rows = NULL;
  /* Rounded up: a row from before the daemon's clock dated them is not due before it is. */
  enum status status =
      sql_query(connection, "finding the next delivery",
                "SELECT ceil(extract(epoch FROM least("
                " (SELECT min(d.next_attempt_at) FROM dunghen.delivery_log d"
                "  LEFT JOIN dunghen.outbox o ON o.id = d.outbox_id"
                "  LEFT JOIN dunghen.letter_log l ON l.id = o.letter_id WHERE d.state = 'pending'"
                "  AND (o.letter_id IS NULL OR l.state IS DISTINCT FROM 'pending')),"
                " (SELECT min(created_at) FROM dunghen.delivery_log WHERE state = 'held') +"
                "  $1::integer * interval '1 second')))::bigint",
                1, values, &rows, error);
  if (status != STATUS_OK)
    return status;
  *any = sql_text(rows, 0, 0) != NULL;
  *instant = sql_integer(rows, 0, 0, 0);
  PQclear(rows);
  return STATUS_OK;
}
