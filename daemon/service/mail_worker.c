#include "service/mail_worker.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "service/sendmail.h"
#include "service/session.h"
#include "service/worker_thread.h"
#include "store/sql.h"

static const double DATABASE_BACKOFF_FIRST = 0.25;
static const double BACKOFF_LIMIT = 30.0;
/* A look at the outbox at least this often: another instance, a rendered letter, a due retry
 * or digest may need it and nothing else wakes the thread. */
static const double POLL_LIMIT = 5.0;
static const double MINIMUM_WAIT = 0.25;
enum { EXPAND_CHUNK = 500 };

struct mail_settings {
  char *conninfo;
  int connect_timeout;
  struct config_timeouts timeouts;
  struct config_mail mail; /* deep copy */
};

struct mail_worker {
  const struct clock *clock;
  const struct log *log;
  struct worker_thread thread; /* its mutex guards everything down to `snapshot` */
  bool requested;
  double retry_at;
  struct mail_kit *pending_kit;
  struct mail_settings *pending_settings;
  struct mail_worker_snapshot snapshot;

  /* Only the thread touches these. */
  struct session session;
  struct mail_kit *kit;
  struct mail_settings *settings;
  bool switch_set; /* dunghen.mail_switch written on this connection */
  bool idle;       /* mail is off and the switch says so: nothing to do until a reload */
  double database_backoff;
};

/* ---- the settings ---- */

static void settings_free(struct mail_settings *settings) {
  if (settings == NULL)
    return;
  free(settings->conninfo);
  config_mail_free(&settings->mail);
  free(settings);
}

static struct mail_settings *settings_copy(const struct config *config) {
  struct mail_settings *settings = calloc(1, sizeof *settings);
  struct error error;
  if (settings == NULL || config_mail_copy(&config->mail, &settings->mail, &error) != STATUS_OK) {
    free(settings);
    return NULL;
  }
  settings->connect_timeout = config->connect_timeout;
  settings->timeouts = config->timeouts;
  bool failed = config->conninfo != NULL && (settings->conninfo = strdup(config->conninfo)) == NULL;
  /* The Message-ID's right side: the configured host, else the domain of From. */
  if (settings->mail.message_id_host == NULL) {
    const char *from = settings->mail.from;
    const char *host =
        from != NULL && strchr(from, '@') != NULL ? strchr(from, '@') + 1 : "dunghen.invalid";
    failed |= (settings->mail.message_id_host = strdup(host)) == NULL;
  }
  if (failed) {
    settings_free(settings);
    return NULL;
  }
  return settings;
}

/* ---- publishing ---- */

static void publish(struct mail_worker *worker) {
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.generation++;
  pthread_mutex_unlock(&worker->thread.mutex);
  worker_thread_publish(&worker->thread);
}

/* ---- the database ---- */

static void disconnect(struct mail_worker *worker) {
  session_disconnect(&worker->session);
  worker->switch_set = false;
}

static enum status connect_database(struct mail_worker *worker, struct error *error) {
  int version = 0;
  enum status status = session_connect(&worker->session, worker->settings->conninfo,
                                       worker->settings->connect_timeout,
                                       &worker->settings->timeouts, &version, error);
  if (status == STATUS_OK)
    log_info(worker->log, "mail: connected to the database");
  return status;
}

/* Runs a statement with parameters whose rows are not needed. */
static enum status run(struct mail_worker *worker, const char *what, const char *sql, int count,
                       const char *const *values, struct error *error) {
  PGresult *result;
  enum status status =
      sql_query(worker->session.connection, what, sql, count, values, &result, error);
  if (status == STATUS_OK)
    PQclear(result);
  return status;
}

static enum status set_switch(struct mail_worker *worker, struct error *error) {
  if (worker->switch_set)
    return STATUS_OK;
  const char *values[] = {worker->settings->mail.enabled ? "t" : "f"};
  enum status status = run(worker, "setting dunghen.mail_switch",
                           "UPDATE dunghen.mail_switch SET enabled = $1::boolean,"
                           " changed_at = now() WHERE enabled IS DISTINCT FROM $1::boolean",
                           1, values, error);
  worker->switch_set = status == STATUS_OK;
  return status;
}

static enum status count_deliveries(struct mail_worker *worker, struct error *error) {
  PGresult *rows;
  enum status status = sql_query(worker->session.connection, "counting deliveries",
                                 "SELECT count(*) FILTER (WHERE state = 'pending'),"
                                 " count(*) FILTER (WHERE state = 'held'),"
                                 " count(*) FILTER (WHERE state = 'sent'),"
                                 " count(*) FILTER (WHERE state = 'failed')"
                                 " FROM dunghen.delivery_log",
                                 0, NULL, &rows, error);
  if (status != STATUS_OK)
    return status;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.pending = sql_integer(rows, 0, 0, 0);
  worker->snapshot.held = sql_integer(rows, 0, 1, 0);
  worker->snapshot.sent = sql_integer(rows, 0, 2, 0);
  worker->snapshot.failed = sql_integer(rows, 0, 3, 0);
  worker->snapshot.counts_valid = true;
  pthread_mutex_unlock(&worker->thread.mutex);
  PQclear(rows);
  return STATUS_OK;
}

/* ---- expanding the outbox ---- */

/* A growing PostgreSQL array literal of text ("{\"a\",\"b\"}"). */
struct array_text {
  char *data;
  size_t length, capacity;
  bool failed;
};

static void array_add(struct array_text *array, const char *value) {
  size_t need = array->length + 2 * strlen(value) + 8;
  if (need > array->capacity) {
    size_t capacity = array->capacity == 0 ? 256 : array->capacity;
    while (capacity < need)
      capacity *= 2;
    char *grown = realloc(array->data, capacity);
    if (grown == NULL) {
      array->failed = true;
      return;
    }
    array->data = grown;
    array->capacity = capacity;
  }
  char *out = array->data + array->length;
  *out++ = array->length == 0 ? '{' : ',';
  *out++ = '"';
  for (const char *at = value; *at != '\0'; at++) {
    if (*at == '"' || *at == '\\')
      *out++ = '\\';
    *out++ = *at;
  }
  *out++ = '"';
  *out = '\0';
  array->length = (size_t)(out - array->data);
}

static const char *array_close(struct array_text *array) {
  if (array->failed)
    return NULL;
  if (array->length == 0) {
    free(array->data);
    array->data = strdup("{}");
    return array->data;
  }
  /* array_add leaves at least five bytes spare. */
  array->data[array->length++] = '}';
  array->data[array->length] = '\0';
  return array->data;
}

/* The first 8 hex digits of the address's SHA-256: stable, and no address in the id. */
static void address_hash(const char *address, char hash[9]) {
  char hex[SHA256_HEX_SIZE];
  sha256_hex(address, strlen(address), hex);
  memcpy(hash, hex, 8);
  hash[8] = '\0';
}

struct expansion {
  struct array_text outbox_ids, message_ids, kinds, codes, agencies, levels, roles, addresses,
      states;
};

static void expansion_free(struct expansion *rows) {
  struct array_text *all[] = {&rows->outbox_ids, &rows->message_ids, &rows->kinds,
                              &rows->codes,      &rows->agencies,    &rows->levels,
                              &rows->roles,      &rows->addresses,   &rows->states};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    free(all[i]->data);
}

/* The roles of a text[] in its output form: {handling_agency,one_stop_unit}. */
static size_t split_roles(const char *text, char roles[][32], size_t limit) {
  size_t count = 0;
  const char *at = text[0] == '{' ? text + 1 : text;
  while (*at != '\0' && *at != '}' && count < limit) {
    size_t length = strcspn(at, ",}");
    snprintf(roles[count++], 32, "%.*s", (int)(length < 31 ? length : 31), at);
    at += length;
    if (*at == ',')
      at++;
  }
  return count;
}

static void expand_row(struct mail_worker *worker, PGresult *rows, int row, struct expansion *out) {
  const struct config_mail *mail = &worker->settings->mail;
  const char *id = PQgetvalue(rows, row, 0), *kind = PQgetvalue(rows, row, 1);
  const char *code = PQgetvalue(rows, row, 2), *agency_code = sql_text(rows, row, 3);
  const char *level = PQgetvalue(rows, row, 4);
  char roles[16][32];
  size_t role_count = split_roles(PQgetvalue(rows, row, 5), roles, 16);
  const struct agency *agency =
      agency_code != NULL ? agencies_find(&worker->kit->rules->agencies, agency_code) : NULL;
  for (size_t i = 0; i < role_count; i++) {
    const struct agency_mailbox *box = agency != NULL ? agency_mailbox(agency, roles[i]) : NULL;
    if (box == NULL) {
      pthread_mutex_lock(&worker->thread.mutex);
      worker->snapshot.unaddressed_total++;
      pthread_mutex_unlock(&worker->thread.mutex);
      log_debug(worker->log, "mail: dossier %s, role %s: no address in the rules", code, roles[i]);
      continue;
    }
    bool held = strcmp(kind, "escalation") == 0 && config_list_has(mail->digest_roles, roles[i]) &&
                config_list_has(mail->digest_levels, level);
    for (size_t j = 0; j < box->count; j++) {
      char hash[9], message_id[256];
      address_hash(box->addresses[j], hash);
      snprintf(message_id, sizeof message_id, "outbox-%s.%s@%s", id, hash, mail->message_id_host);
      array_add(&out->outbox_ids, id);
      array_add(&out->message_ids, message_id);
      array_add(&out->kinds, kind);
      array_add(&out->codes, code);
      array_add(&out->agencies, agency_code != NULL ? agency_code : "");
      array_add(&out->levels, level);
      array_add(&out->roles, roles[i]);
      array_add(&out->addresses, box->addresses[j]);
      array_add(&out->states, held ? "held" : "pending");
    }
  }
}

static const char insert_deliveries_sql[] =
    "INSERT INTO dunghen.delivery_log (outbox_id, message_id, kind, dossier_code, agency_code,"
    " level, role, address, state, next_attempt_at)"
    " SELECT o, m, k, c, nullif(a, ''), l, r, d, s, now()"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "  $7::text[], $8::text[], $9::text[]) AS t(o, m, k, c, a, l, r, d, s)"
    " ON CONFLICT DO NOTHING";

/* One transaction: up to EXPAND_CHUNK new outbox rows become deliveries. *more when full. */
static enum status expand_chunk(struct mail_worker *worker, bool *more, struct error *error) {
  *more = false;
  enum status status = sql_exec(worker->session.connection, "expanding the outbox", "BEGIN", error);
  PGresult *rows = NULL;
  if (status == STATUS_OK)
    status = sql_query(worker->session.connection, "reading the outbox",
                       "SELECT id, kind, dossier_code, agency_code, level, roles"
                       " FROM dunghen.outbox WHERE expanded_at IS NULL ORDER BY id"
                       " LIMIT 500 FOR UPDATE SKIP LOCKED",
                       0, NULL, &rows, error);
  if (status != STATUS_OK) {
    sql_rollback(worker->session.connection);
    return status;
  }
  int count = PQntuples(rows);
  struct expansion out;
  memset(&out, 0, sizeof out);
  struct array_text ids = {0};
  for (int row = 0; row < count; row++) {
    expand_row(worker, rows, row, &out);
    array_add(&ids, PQgetvalue(rows, row, 0));
  }
  PQclear(rows);
  struct array_text *columns[] = {&out.outbox_ids, &out.message_ids, &out.kinds,
                                  &out.codes,      &out.agencies,    &out.levels,
                                  &out.roles,      &out.addresses,   &out.states};
  const char *values[9];
  bool failed = false;
  for (size_t i = 0; i < 9; i++)
    failed |= (values[i] = array_close(columns[i])) == NULL;
  const char *id_list = array_close(&ids);
  if (failed || id_list == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory expanding the outbox");
  if (status == STATUS_OK && count > 0)
    status = run(worker, "writing deliveries", insert_deliveries_sql, 9, values, error);
  if (status == STATUS_OK && count > 0)
    status = run(worker, "marking the outbox",
                 "UPDATE dunghen.outbox SET expanded_at = now() WHERE id = ANY($1::bigint[])", 1,
                 &id_list, error);
  if (status == STATUS_OK)
    status = sql_exec(worker->session.connection, "expanding the outbox", "COMMIT", error);
  else
    sql_rollback(worker->session.connection);
  expansion_free(&out);
  free(ids.data);
  *more = status == STATUS_OK && count == EXPAND_CHUNK;
  return status;
}

/* ---- digests ---- */

static const char digest_sql[] =
    "WITH items AS (SELECT id, role, level FROM dunghen.delivery_log"
    "  WHERE state = 'held' AND address = $1 ORDER BY id FOR UPDATE SKIP LOCKED),"
    " new AS (SELECT nextval(pg_get_serial_sequence('dunghen.delivery_log', 'id')) AS id"
    "  WHERE EXISTS (SELECT 1 FROM items)),"
    " digest AS (INSERT INTO dunghen.delivery_log (id, message_id, kind, level, role, address,"
    "  state, next_attempt_at)"
    "  SELECT new.id, 'digest-' || new.id || '.' || $2 || '@' || $3, 'digest',"
    "   (SELECT level FROM items ORDER BY id LIMIT 1), (SELECT role FROM items ORDER BY id"
    "   LIMIT 1), $1, 'pending', now() FROM new RETURNING id)"
    " UPDATE dunghen.delivery_log d SET state = 'digested', digest_id = (SELECT id FROM digest)"
    " FROM items WHERE d.id = items.id AND EXISTS (SELECT 1 FROM digest)";

/* One digest per address whose oldest held item has waited the period. */
static enum status make_digests(struct mail_worker *worker, struct error *error) {
  if (worker->settings->mail.digest_role_count == 0)
    return STATUS_OK;
  char period[32];
  snprintf(period, sizeof period, "%d", worker->settings->mail.digest_period);
  const char *values[] = {period};
  PGresult *rows;
  enum status status = sql_query(worker->session.connection, "finding digests",
                                 "SELECT address FROM dunghen.delivery_log WHERE state = 'held'"
                                 " GROUP BY address HAVING min(created_at) <= now() -"
                                 " $1::integer * interval '1 second'",
                                 1, values, &rows, error);
  if (status != STATUS_OK)
    return status;
  for (int row = 0; status == STATUS_OK && row < PQntuples(rows); row++) {
    const char *address = PQgetvalue(rows, row, 0);
    char hash[9];
    address_hash(address, hash);
    const char *digest_values[] = {address, hash, worker->settings->mail.message_id_host};
    PGresult *result;
    status = sql_query(worker->session.connection, "making a digest", digest_sql, 3, digest_values,
                       &result, error);
    if (status == STATUS_OK) {
      if (strtol(PQcmdTuples(result), NULL, 10) > 0) {
        pthread_mutex_lock(&worker->thread.mutex);
        worker->snapshot.digests_total++;
        pthread_mutex_unlock(&worker->thread.mutex);
      }
      PQclear(result);
    }
  }
  PQclear(rows);
  return status;
}

/* ---- sending ---- */

/* The backoff before retry number `attempts` (1-based): retry_first doubling to retry_limit. */
static int64_t retry_delay(const struct config_mail *mail, int attempts) {
  int64_t delay = mail->retry_first;
  for (int i = 1; i < attempts && delay < mail->retry_limit; i++)
    delay *= 2;
  return delay < mail->retry_limit ? delay : mail->retry_limit;
}

static void note_failure(struct mail_worker *worker, const char *id, const char *code,
                         const char *short_reason, bool final) {
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.attempt_failures_total++;
  worker->snapshot.failed_total += final;
  worker->snapshot.consecutive_failures++;
  snprintf(worker->snapshot.failing, sizeof worker->snapshot.failing, "%s", short_reason);
  pthread_mutex_unlock(&worker->thread.mutex);
  log_warning(worker->log, "mail: delivery %s (dossier %s) %s: %s", id,
              code != NULL ? code : "digest", final ? "failed for good" : "failed, will retry",
              short_reason);
}

/* What a failure says without the child's words (which may name addresses). */
static void short_reason(const struct sendmail_result *result, bool sent, const char *program,
                         char *buffer, size_t size) {
  if (!sent)
    snprintf(buffer, size, "the message could not be built");
  else if (result->timed_out)
    snprintf(buffer, size, "%s timed out", program);
  else if (result->exit_status >= 0)
    snprintf(buffer, size, "%s exited with status %d", program, result->exit_status);
  else
    snprintf(buffer, size, "%s could not run", program);
}

static enum status record(struct mail_worker *worker, PGresult *row, bool ok, bool skip,
                          const char *error_text, struct error *error) {
  const struct config_mail *mail = &worker->settings->mail;
  int attempts = (int)sql_integer(row, 0, MAIL_COLUMN_ATTEMPTS, 0) + 1;
  char attempts_text[16], delay_text[32];
  snprintf(attempts_text, sizeof attempts_text, "%d", attempts);
  snprintf(delay_text, sizeof delay_text, "%" PRId64, retry_delay(mail, attempts));
  const char *state = "pending";
  if (ok)
    state = "sent";
  else if (skip)
    state = "skipped";
  else if (attempts >= mail->attempts)
    state = "failed";
  const char *values[] = {PQgetvalue(row, 0, MAIL_COLUMN_ID), state, attempts_text, delay_text,
                          ok ? NULL : error_text};
  return run(worker, "recording a delivery",
             "UPDATE dunghen.delivery_log SET state = $2, attempts = $3::integer,"
             " last_error = $5, sent_at = CASE WHEN $2 = 'sent' THEN now() END,"
             " next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + $4::integer *"
             "  interval '1 second' ELSE next_attempt_at END"
             " WHERE id = $1::bigint",
             5, values, error);
}

/* Claims one due delivery and sends it, in one transaction. *sent_one: there was one. */
static enum status send_one(struct mail_worker *worker, bool *found, struct error *error) {
  *found = false;
  enum status status = sql_exec(worker->session.connection, "claiming a delivery", "BEGIN", error);
  PGresult *row = NULL;
  if (status == STATUS_OK)
    status = sql_query(worker->session.connection, "claiming a delivery", mail_claim_sql, 0, NULL,
                       &row, error);
  if (status != STATUS_OK) {
    sql_rollback(worker->session.connection);
    return status;
  }
  if (PQntuples(row) == 0) {
    PQclear(row);
    return sql_exec(worker->session.connection, "claiming a delivery", "COMMIT", error);
  }
  *found = true;
  const char *id = PQgetvalue(row, 0, MAIL_COLUMN_ID), *code = sql_text(row, 0, MAIL_COLUMN_CODE);
  const struct config_mail *mail = &worker->settings->mail;
  bool letter_failed = strcmp(PQgetvalue(row, 0, MAIL_COLUMN_KIND), "letter") == 0 &&
                       sql_text(row, 0, MAIL_COLUMN_LETTER_STATE) != NULL &&
                       strcmp(sql_text(row, 0, MAIL_COLUMN_LETTER_STATE), "failed") == 0;
  struct error failure;
  error_clear(&failure);
  struct sendmail_result result = {-1, false};
  char *message = NULL;
  size_t length = 0;
  bool built = false, ok = false;
  if (letter_failed) {
    error_set(&failure, STATUS_INVALID, "the letter could not be rendered: nothing to send");
  } else if (mail_message_build(&(struct mail_message_context){worker->kit, mail,
                                                               worker->session.connection,
                                                               clock_now(worker->clock)},
                                row, &message, &length, &failure) == STATUS_OK) {
    built = true;
    double started = clock_monotonic_seconds();
    ok = sendmail_run(mail->sendmail, mail->arguments, message, length, mail->timeout, &result,
                      &failure) == STATUS_OK;
    pthread_mutex_lock(&worker->thread.mutex);
    metrics_histogram_observe(&worker->snapshot.sendmail_seconds,
                              clock_monotonic_seconds() - started);
    pthread_mutex_unlock(&worker->thread.mutex);
  }
  free(message);
  status = record(worker, row, ok, letter_failed, failure.message, error);
  if (status == STATUS_OK)
    status = sql_exec(worker->session.connection, "recording a delivery", "COMMIT", error);
  else
    sql_rollback(worker->session.connection);
  if (status == STATUS_OK && ok) {
    pthread_mutex_lock(&worker->thread.mutex);
    worker->snapshot.sent_total++;
    worker->snapshot.consecutive_failures = 0;
    worker->snapshot.failing[0] = '\0';
    pthread_mutex_unlock(&worker->thread.mutex);
    log_debug(worker->log, "mail: delivery %s (dossier %s) sent", id, code != NULL ? code : "-");
  } else if (status == STATUS_OK && letter_failed) {
    log_warning(worker->log, "mail: delivery %s (dossier %s) skipped: its letter failed", id,
                code != NULL ? code : "-");
  } else if (status == STATUS_OK) {
    char reason[256];
    short_reason(&result, built, mail->sendmail, reason, sizeof reason);
    bool final = (int)sql_integer(row, 0, MAIL_COLUMN_ATTEMPTS, 0) + 1 >= mail->attempts;
    note_failure(worker, id, code, reason, final);
  }
  PQclear(row);
  return status;
}

/* ---- the round ---- */

/* Seconds until the next pending delivery or digest is due (POLL_LIMIT at most). A letter's
 * delivery is not due before its PDF (the letter thread's publish wakes us), and a row another
 * instance holds is due "now" but not ours: hence the floor, against spinning. */
static double next_due(struct mail_worker *worker) {
  char period[32];
  snprintf(period, sizeof period, "%d", worker->settings->mail.digest_period);
  const char *values[] = {period};
  PGresult *rows;
  struct error error;
  if (sql_query(worker->session.connection, "finding the next delivery",
                "SELECT extract(epoch FROM least("
                " (SELECT min(d.next_attempt_at) FROM dunghen.delivery_log d"
                "  LEFT JOIN dunghen.outbox o ON o.id = d.outbox_id"
                "  LEFT JOIN dunghen.letter_log l ON l.id = o.letter_id WHERE d.state = 'pending'"
                "  AND (o.letter_id IS NULL OR l.state IS DISTINCT FROM 'pending')),"
                " (SELECT min(created_at) FROM dunghen.delivery_log WHERE state = 'held') +"
                "  $1::integer * interval '1 second') - now())",
                1, values, &rows, &error) != STATUS_OK)
    return POLL_LIMIT;
  double left = sql_text(rows, 0, 0) != NULL ? strtod(PQgetvalue(rows, 0, 0), NULL) : POLL_LIMIT;
  PQclear(rows);
  if (left < MINIMUM_WAIT)
    left = MINIMUM_WAIT;
  return left < POLL_LIMIT ? left : POLL_LIMIT;
}

static enum status round_once(struct mail_worker *worker, double *wait, struct error *error) {
  *wait = 0;
  if (worker->idle)
    return STATUS_OK;
  enum status status = STATUS_OK;
  if (worker->session.connection == NULL)
    status = connect_database(worker, error);
  if (status == STATUS_OK)
    status = set_switch(worker, error);
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.enabled = worker->settings->mail.enabled;
  pthread_mutex_unlock(&worker->thread.mutex);
  if (status != STATUS_OK)
    return status;
  if (!worker->settings->mail.enabled) {
    /* Mail off: the switch is written; hold no connection until a reload turns it on. */
    status = count_deliveries(worker, error);
    if (status == STATUS_OK) {
      disconnect(worker);
      worker->idle = true;
    }
    return status;
  }
  bool more = true;
  while (status == STATUS_OK && more && !worker_thread_stopping(&worker->thread))
    status = expand_chunk(worker, &more, error);
  if (status == STATUS_OK)
    status = make_digests(worker, error);
  bool found = true;
  while (status == STATUS_OK && found && !worker_thread_stopping(&worker->thread)) {
    status = send_one(worker, &found, error);
    if (status == STATUS_OK && found) {
      pthread_mutex_lock(&worker->thread.mutex);
      worker->snapshot.problem[0] = '\0';
      pthread_mutex_unlock(&worker->thread.mutex);
      publish(worker);
    }
  }
  if (status == STATUS_OK)
    status = count_deliveries(worker, error);
  if (status == STATUS_OK)
    *wait = next_due(worker);
  return status;
}

static void run_round(struct mail_worker *worker) {
  struct error error;
  error_clear(&error);
  double wait = 0;
  bool had_connection = worker->session.connection != NULL;
  enum status status = round_once(worker, &wait, &error);
  if (status != STATUS_OK && had_connection && session_lost(&worker->session)) {
    log_warning(worker->log, "mail: connection lost; reconnecting");
    disconnect(worker);
    error_clear(&error);
    status = round_once(worker, &wait, &error);
  }
  pthread_mutex_lock(&worker->thread.mutex);
  if (status != STATUS_OK) {
    if (worker->session.connection != NULL && PQstatus(worker->session.connection) != CONNECTION_OK)
      disconnect(worker);
    snprintf(worker->snapshot.problem, sizeof worker->snapshot.problem, "%s", error.message);
    log_one_line(worker->snapshot.problem);
    log_error(worker->log, "mail: %s; retrying in %.2f s", worker->snapshot.problem,
              worker->database_backoff);
    worker->retry_at = clock_monotonic_seconds() + worker->database_backoff;
    worker->database_backoff *= 2;
    if (worker->database_backoff > BACKOFF_LIMIT)
      worker->database_backoff = BACKOFF_LIMIT;
  } else {
    worker->snapshot.problem[0] = '\0';
    worker->database_backoff = DATABASE_BACKOFF_FIRST;
    worker->retry_at = worker->settings->mail.enabled ? clock_monotonic_seconds() + wait : 0;
  }
  pthread_mutex_unlock(&worker->thread.mutex);
  publish(worker);
}

static bool same_text(const char *left, const char *right) {
  if (left == NULL || right == NULL)
    return left == right;
  return strcmp(left, right) == 0;
}

static void *mail_worker_main(void *argument) {
  struct mail_worker *worker = argument;
  for (;;) {
    pthread_mutex_lock(&worker->thread.mutex);
    worker_thread_wait_for(&worker->thread, &worker->requested, worker->retry_at);
    if (worker->thread.stop) {
      pthread_mutex_unlock(&worker->thread.mutex);
      break;
    }
    struct mail_kit *kit = worker->pending_kit;
    struct mail_settings *settings = worker->pending_settings;
    worker->pending_kit = NULL;
    worker->pending_settings = NULL;
    worker->requested = false;
    worker->retry_at = 0;
    pthread_mutex_unlock(&worker->thread.mutex);
    if (kit != NULL) {
      mail_kit_free(worker->kit);
      worker->kit = kit;
    }
    if (settings != NULL) {
      if (!same_text(settings->conninfo, worker->settings->conninfo) ||
          settings->connect_timeout != worker->settings->connect_timeout ||
          !config_timeouts_equal(&settings->timeouts, &worker->settings->timeouts))
        disconnect(worker);
      worker->switch_set = false; /* mail.enabled may have changed */
      worker->idle = false;
      settings_free(worker->settings);
      worker->settings = settings;
    }
    run_round(worker);
  }
  disconnect(worker);
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.stopped = true;
  pthread_mutex_unlock(&worker->thread.mutex);
  publish(worker);
  return NULL;
}

/* ---- the loop's side ---- */

struct mail_worker *mail_worker_new(struct event_base *base, const struct config *config,
                                    struct mail_kit *kit, const struct clock *clock,
                                    const struct log *log, void (*on_publish)(void *context),
                                    void *context, struct error *error) {
  struct mail_worker *worker = calloc(1, sizeof *worker);
  if (worker == NULL) {
    mail_kit_free(kit);
    error_set(error, STATUS_RUNTIME, "out of memory");
    return NULL;
  }
  worker->clock = clock;
  worker->log = log;
  worker->session = (struct session){.log = log, .name = "mail"};
  worker->kit = kit;
  worker->database_backoff = DATABASE_BACKOFF_FIRST;
  metrics_histogram_init(&worker->snapshot.sendmail_seconds, metrics_bounds_sendmail,
                         metrics_bounds_sendmail_count);
  if (worker_thread_init(&worker->thread, base, on_publish, context, error) != STATUS_OK) {
    mail_worker_free(worker);
    return NULL;
  }
  worker->settings = settings_copy(config);
  worker->snapshot.enabled = config->mail.enabled;
  if (worker->settings == NULL) {
    error_set(error, STATUS_RUNTIME, "out of memory creating the mail worker");
    mail_worker_free(worker);
    return NULL;
  }
  return worker;
}

enum status mail_worker_start(struct mail_worker *worker, struct error *error) {
  worker->requested = true;
  return worker_thread_start(&worker->thread, mail_worker_main, worker, "the mail thread", error);
}

void mail_worker_request(struct mail_worker *worker) {
  worker_thread_request(&worker->thread, &worker->requested);
}

void mail_worker_reload(struct mail_worker *worker, const struct config *config,
                        struct mail_kit *kit) {
  struct mail_settings *settings = settings_copy(config);
  pthread_mutex_lock(&worker->thread.mutex);
  if (settings == NULL) {
    log_error(worker->log, "mail: out of memory applying new settings");
  } else {
    settings_free(worker->pending_settings);
    worker->pending_settings = settings;
  }
  mail_kit_free(worker->pending_kit);
  worker->pending_kit = kit;
  worker->requested = true;
  pthread_cond_signal(&worker->thread.wake);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void mail_worker_snapshot(struct mail_worker *worker, struct mail_worker_snapshot *snapshot) {
  worker_thread_read(&worker->thread, snapshot, &worker->snapshot, sizeof *snapshot);
}

void mail_worker_stop(struct mail_worker *worker) {
  worker_thread_stop(&worker->thread);
}

void mail_worker_free(struct mail_worker *worker) {
  if (worker == NULL)
    return;
  worker_thread_finish(&worker->thread);
  mail_kit_free(worker->pending_kit);
  mail_kit_free(worker->kit);
  settings_free(worker->pending_settings);
  settings_free(worker->settings);
  free(worker);
}
