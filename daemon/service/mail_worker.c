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
#include "store/mail_queue.h"
#include "store/transaction.h"

/* A look at the outbox at least this often: another instance, a rendered letter, a due retry
 * or digest may need it and nothing else wakes the thread. */
static const double POLL_LIMIT = 5.0;
static const double MINIMUM_WAIT = 0.25;
enum { EXPAND_CHUNK = 500 };

/* The database settings are the skeleton's (worker_thread_set_database). */
struct mail_settings {
  struct config_mail mail; /* deep copy */
};

struct mail_worker {
  const struct clock *clock;
  const struct log *log;
  struct worker_thread thread; /* its mutex guards everything down to `snapshot` */
  struct mail_kit *pending_kit;
  struct mail_settings *pending_settings;
  struct mail_worker_snapshot snapshot;

  /* Only the thread touches these. */
  struct session session;
  struct mail_kit *kit;
  struct mail_settings *settings;
  struct mail_kit *taken_kit; /* from take to adopt */
  struct mail_settings *taken_settings;
  bool idle; /* mail is off: nothing to do until a reload */
};

/* ---- the settings ---- */

static void settings_free(struct mail_settings *settings) {
  if (settings == NULL)
    return;
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
  bool failed = false;
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

/* ---- the database ---- */

static enum status count_deliveries(struct mail_worker *worker, struct error *error) {
  struct mail_queue_counts counts;
  enum status status = mail_queue_count(worker->session.connection, &counts, error);
  if (status != STATUS_OK)
    return status;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.pending = counts.pending;
  worker->snapshot.held = counts.held;
  worker->snapshot.sent = counts.sent;
  worker->snapshot.failed = counts.failed;
  worker->snapshot.counts_valid = true;
  pthread_mutex_unlock(&worker->thread.mutex);
  return STATUS_OK;
}

/* ---- expanding the outbox ---- */

/* The first 8 hex digits of the address's SHA-256: stable, and no address in the id. */
static void address_hash(const char *address, char hash[9]) {
  char hex[SHA256_HEX_SIZE];
  sha256_hex(address, strlen(address), hex);
  memcpy(hash, hex, 8);
  hash[8] = '\0';
}

/* Whether `address` came before position (role, agency, index) in expand_report's order. */
static bool seen_before(const struct agency_table *agencies, const struct outbox_entry *entry,
                        size_t role, size_t agency, size_t index, const char *address) {
  for (size_t r = 0; r <= role; r++)
    for (size_t a = 0; a < agencies->count && (r < role || a <= agency); a++) {
      const struct agency_mailbox *box = agency_mailbox(&agencies->agencies[a], entry->roles[r]);
      size_t end = box == NULL ? 0 : (r == role && a == agency ? index : box->count);
      for (size_t j = 0; j < end; j++)
        if (strcmp(box->addresses[j], address) == 0)
          return true;
    }
  return false;
}

/* A scheduled report is the whole province's: one delivery per address of each of its roles
 * across every agency of agencies.yaml, each address once (the same office often stands as
 * provincial_office in every agency). */
static void expand_report(struct mail_worker *worker, const struct outbox_entry *entry,
                          struct mail_queue_expansion *out) {
  const struct config_mail *mail = &worker->settings->mail;
  const struct agency_table *agencies = &worker->kit->rules->agencies;
  char id[32];
  snprintf(id, sizeof id, "%" PRId64, entry->id);
  for (size_t i = 0; i < entry->role_count; i++) {
    const char *role = entry->roles[i];
    bool addressed = false;
    for (size_t a = 0; a < agencies->count; a++) {
      const struct agency_mailbox *box = agency_mailbox(&agencies->agencies[a], role);
      for (size_t j = 0; box != NULL && j < box->count; j++) {
        const char *address = box->addresses[j];
        addressed = true;
        if (seen_before(agencies, entry, i, a, j, address))
          continue;
        char hash[9], message_id[256];
        address_hash(address, hash);
        snprintf(message_id, sizeof message_id, "outbox-%s.%s@%s", id, hash, mail->message_id_host);
        struct delivery_draft draft = {
            .outbox_id = entry->id,
            .message_id = message_id,
            .kind = DELIVERY_REPORT,
            .dossier_code = NULL,
            .agency_code = entry->agency_code,
            .level = entry->level,
            .role = role,
            .address = address,
        };
        mail_queue_expansion_add_delivery(out, &draft);
      }
    }
    if (!addressed) {
      pthread_mutex_lock(&worker->thread.mutex);
      worker->snapshot.unaddressed_total++;
      pthread_mutex_unlock(&worker->thread.mutex);
      log_warning(worker->log, "mail: the scheduled report: no agency gives an address for role %s",
                  role);
    }
  }
}

/* One delivery per address of each role of the entry's level, in the dossier's agency. */
static void expand_entry(struct mail_worker *worker, const struct outbox_entry *entry,
                         struct mail_queue_expansion *out) {
  const struct config_mail *mail = &worker->settings->mail;
  const struct agency *agency =
      entry->agency_code != NULL ? agencies_find(&worker->kit->rules->agencies, entry->agency_code)
                                 : NULL;
  char id[32];
  snprintf(id, sizeof id, "%" PRId64, entry->id);
  for (size_t i = 0; i < entry->role_count; i++) {
    const char *role = entry->roles[i];
    const struct agency_mailbox *box = agency != NULL ? agency_mailbox(agency, role) : NULL;
    if (box == NULL) {
      pthread_mutex_lock(&worker->thread.mutex);
      worker->snapshot.unaddressed_total++;
      pthread_mutex_unlock(&worker->thread.mutex);
      log_debug(worker->log, "mail: dossier %s, role %s: no address in the rules",
                entry->dossier_code, role);
      continue;
    }
    bool held = entry->kind == DELIVERY_ESCALATION && config_list_has(mail->digest_roles, role) &&
                config_list_has(mail->digest_levels, entry->level);
    for (size_t j = 0; j < box->count; j++) {
      char hash[9], message_id[256];
      address_hash(box->addresses[j], hash);
      snprintf(message_id, sizeof message_id, "outbox-%s.%s@%s", id, hash, mail->message_id_host);
      struct delivery_draft draft = {
          .outbox_id = entry->id,
          .message_id = message_id,
          .kind = entry->kind,
          .dossier_code = entry->dossier_code,
          .agency_code = entry->agency_code,
          .level = entry->level,
          .role = role,
          .address = box->addresses[j],
          .held = held,
      };
      mail_queue_expansion_add_delivery(out, &draft);
    }
  }
}

/* One transaction: up to EXPAND_CHUNK new outbox rows become deliveries. *more when full. */
static enum status expand_chunk(struct mail_worker *worker, bool *more, struct error *error) {
  *more = false;
  PGconn *connection = worker->session.connection;
  enum status status = transaction_begin(connection, "expanding the outbox", error);
  struct outbox_batch batch = {0};
  if (status == STATUS_OK)
    status = mail_queue_claim_outbox(connection, EXPAND_CHUNK, &batch, error);
  if (status != STATUS_OK) {
    transaction_rollback(connection);
    return status;
  }
  struct mail_queue_expansion out;
  mail_queue_expansion_open(&out);
  for (size_t i = 0; i < batch.count; i++) {
    if (batch.entries[i].kind == DELIVERY_REPORT)
      expand_report(worker, &batch.entries[i], &out);
    else
      expand_entry(worker, &batch.entries[i], &out);
    mail_queue_expansion_add_outbox(&out, batch.entries[i].id);
  }
  size_t count = batch.count;
  mail_queue_outbox_free(&batch);
  status = mail_queue_write_expansion(connection, &out, clock_now(worker->clock), error);
  if (status == STATUS_OK)
    status = transaction_commit(connection, "expanding the outbox", error);
  else
    transaction_rollback(connection);
  mail_queue_expansion_free(&out);
  *more = status == STATUS_OK && count == EXPAND_CHUNK;
  return status;
}

/* ---- digests ---- */

/* One digest per address whose oldest held item has waited the period. */
static enum status make_digests(struct mail_worker *worker, struct error *error) {
  if (worker->settings->mail.digest_role_count == 0)
    return STATUS_OK;
  int64_t now = clock_now(worker->clock);
  struct mail_queue_addresses due;
  enum status status = mail_queue_digest_addresses(
      worker->session.connection, worker->settings->mail.digest_period, now, &due, error);
  if (status != STATUS_OK)
    return status;
  for (size_t i = 0; status == STATUS_OK && i < due.count; i++) {
    char hash[9];
    address_hash(due.addresses[i], hash);
    bool made = false;
    status = mail_queue_make_digest(worker->session.connection, due.addresses[i], hash,
                                    worker->settings->mail.message_id_host, now, &made, error);
    if (status == STATUS_OK && made) {
      pthread_mutex_lock(&worker->thread.mutex);
      worker->snapshot.digests_total++;
      pthread_mutex_unlock(&worker->thread.mutex);
    }
  }
  mail_queue_addresses_free(&due);
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

static void note_failure(struct mail_worker *worker, int64_t id, const char *code,
                         const char *short_reason, bool final) {
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.attempt_failures_total++;
  worker->snapshot.failed_total += final;
  worker->snapshot.consecutive_failures++;
  snprintf(worker->snapshot.failing, sizeof worker->snapshot.failing, "%s", short_reason);
  pthread_mutex_unlock(&worker->thread.mutex);
  log_warning(worker->log, "mail: delivery %" PRId64 " (dossier %s) %s: %s", id,
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

static enum status record(struct mail_worker *worker, const struct mail_delivery *delivery, bool ok,
                          bool skip, const char *error_text, int64_t now, struct error *error) {
  const struct config_mail *mail = &worker->settings->mail;
  int attempts = delivery->attempts + 1;
  enum delivery_outcome outcome = DELIVERY_RETRY;
  if (ok)
    outcome = DELIVERY_SENT;
  else if (skip)
    outcome = DELIVERY_SKIPPED;
  else if (attempts >= mail->attempts)
    outcome = DELIVERY_FAILED;
  return mail_queue_record_delivery(worker->session.connection, delivery->id, outcome, attempts,
                                    retry_delay(mail, attempts), ok ? NULL : error_text, now,
                                    error);
}

/* Claims one due delivery and sends it, in one transaction. *found: there was one. */
static enum status send_one(struct mail_worker *worker, bool *found, struct error *error) {
  *found = false;
  PGconn *connection = worker->session.connection;
  int64_t now = clock_now(worker->clock);
  enum status status = transaction_begin(connection, "claiming a delivery", error);
  struct mail_queue_claim claim = {0};
  if (status == STATUS_OK)
    status = mail_queue_claim_delivery(connection, now, &claim, error);
  if (status != STATUS_OK) {
    transaction_rollback(connection);
    return status;
  }
  if (!claim.found) {
    mail_queue_claim_free(&claim);
    return transaction_commit(connection, "claiming a delivery", error);
  }
  *found = true;
  const struct mail_delivery *delivery = &claim.delivery;
  int64_t id = delivery->id;
  const char *code = delivery->dossier_code;
  const struct config_mail *mail = &worker->settings->mail;
  bool letter_failed = delivery->letter_failed;
  struct error failure;
  error_clear(&failure);
  struct sendmail_result result = {-1, false};
  char *message = NULL;
  size_t length = 0;
  bool built = false, ok = false;
  if (letter_failed) {
    error_set(&failure, STATUS_INVALID, "the letter could not be rendered: nothing to send");
  } else if (mail_message_build(&(struct mail_message_context){worker->kit, mail, connection, now},
                                delivery, &message, &length, &failure) == STATUS_OK) {
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
  /* Dated like the claim, as one transaction's rows are: the attempt started at `now`. */
  status = record(worker, delivery, ok, letter_failed, failure.message, now, error);
  if (status == STATUS_OK)
    status = transaction_commit(connection, "recording a delivery", error);
  else
    transaction_rollback(connection);
  if (status == STATUS_OK && ok) {
    pthread_mutex_lock(&worker->thread.mutex);
    worker->snapshot.sent_total++;
    worker->snapshot.consecutive_failures = 0;
    worker->snapshot.failing[0] = '\0';
    pthread_mutex_unlock(&worker->thread.mutex);
    log_debug(worker->log, "mail: delivery %" PRId64 " (dossier %s) sent", id,
              code != NULL ? code : "-");
  } else if (status == STATUS_OK && letter_failed) {
    log_warning(worker->log, "mail: delivery %" PRId64 " (dossier %s) skipped: its letter failed",
                id, code != NULL ? code : "-");
  } else if (status == STATUS_OK) {
    char reason[256];
    short_reason(&result, built, mail->sendmail, reason, sizeof reason);
    bool final = delivery->attempts + 1 >= mail->attempts;
    note_failure(worker, id, code, reason, final);
  }
  mail_queue_claim_free(&claim);
  return status;
}

/* ---- the round ---- */

/* Real seconds until the next pending delivery or digest is due (POLL_LIMIT at most). A
 * letter's delivery is not due before its PDF (the letter thread's publish wakes us), and a row
 * another instance holds is due "now" but not ours: hence the floor, against spinning. */
static double next_due(struct mail_worker *worker) {
  bool any = false;
  int64_t instant = 0;
  struct error error;
  if (mail_queue_next_due(worker->session.connection, worker->settings->mail.digest_period, &any,
                          &instant, &error) != STATUS_OK)
    return POLL_LIMIT;
  double left = any ? clock_real_delay(worker->clock, instant) : POLL_LIMIT;
  if (left < MINIMUM_WAIT)
    left = MINIMUM_WAIT;
  return left < POLL_LIMIT ? left : POLL_LIMIT;
}

/* The skeleton's round: *retry_in is when the next delivery or digest is due (mail on). */
static enum status round_once(void *owner, double *retry_in, struct error *error) {
  struct mail_worker *worker = owner;
  if (worker->idle)
    return STATUS_OK;
  enum status status = worker_thread_connect(&worker->thread, error);
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.enabled = worker->settings->mail.enabled;
  pthread_mutex_unlock(&worker->thread.mutex);
  if (status != STATUS_OK)
    return status;
  if (!worker->settings->mail.enabled) {
    /* Mail off (the pass worker writes dunghen.mail_switch): hold no connection until a reload
     * turns it on. */
    status = count_deliveries(worker, error);
    if (status == STATUS_OK) {
      worker_thread_disconnect(&worker->thread);
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
      worker->snapshot.thread.problem[0] = '\0';
      pthread_mutex_unlock(&worker->thread.mutex);
      worker_thread_publish(&worker->thread);
    }
  }
  if (status == STATUS_OK)
    status = count_deliveries(worker, error);
  if (status == STATUS_OK)
    *retry_in = next_due(worker);
  return status;
}

static bool take_reload(void *owner) {
  struct mail_worker *worker = owner;
  worker->taken_kit = worker->pending_kit;
  worker->taken_settings = worker->pending_settings;
  worker->pending_kit = NULL;
  worker->pending_settings = NULL;
  return false;
}

static void adopt_reload(void *owner, bool reconnected) {
  (void)reconnected;
  struct mail_worker *worker = owner;
  if (worker->taken_kit != NULL) {
    mail_kit_free(worker->kit);
    worker->kit = worker->taken_kit;
    worker->taken_kit = NULL;
  }
  if (worker->taken_settings != NULL) {
    worker->idle = false;
    settings_free(worker->settings);
    worker->settings = worker->taken_settings;
    worker->taken_settings = NULL;
  }
}

static const struct worker_jobs jobs = {
    .name = "mail",
    .take = take_reload,
    .adopt = adopt_reload,
    .round = round_once,
};

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
  worker->kit = kit;
  metrics_histogram_init(&worker->snapshot.sendmail_seconds, metrics_bounds_sendmail,
                         metrics_bounds_sendmail_count);
  if (worker_thread_init(&worker->thread, &jobs, worker, &worker->session, &worker->snapshot.thread,
                         base, log, on_publish, context, error) != STATUS_OK) {
    mail_worker_free(worker);
    return NULL;
  }
  worker->settings = settings_copy(config);
  worker->snapshot.enabled = config->mail.enabled;
  if (worker->settings == NULL ||
      !worker_thread_set_database(&worker->thread, config->conninfo, config->connect_timeout,
                                  &config->timeouts)) {
    error_set(error, STATUS_RUNTIME, "out of memory creating the mail worker");
    mail_worker_free(worker);
    return NULL;
  }
  return worker;
}

enum status mail_worker_start(struct mail_worker *worker, struct error *error) {
  worker_thread_request(&worker->thread, NULL);
  return worker_thread_start(&worker->thread, "the mail thread", error);
}

void mail_worker_request(struct mail_worker *worker) {
  worker_thread_request(&worker->thread, NULL);
}

void mail_worker_reload(struct mail_worker *worker, const struct config *config,
                        struct mail_kit *kit) {
  struct mail_settings *settings = settings_copy(config);
  pthread_mutex_lock(&worker->thread.mutex);
  if (settings == NULL || !worker_thread_set_database(&worker->thread, config->conninfo,
                                                      config->connect_timeout, &config->timeouts)) {
    log_error(worker->log, "mail: out of memory applying new settings");
  }
  if (settings != NULL) {
    settings_free(worker->pending_settings);
    worker->pending_settings = settings;
  }
  mail_kit_free(worker->pending_kit);
  worker->pending_kit = kit;
  worker_thread_signal(&worker->thread);
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
  mail_kit_free(worker->taken_kit);
  mail_kit_free(worker->kit);
  settings_free(worker->pending_settings);
  settings_free(worker->taken_settings);
  settings_free(worker->settings);
  free(worker);
}
