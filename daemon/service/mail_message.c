#include "service/mail_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/sha256.h"
#include "letter/letter.h"
#include "letter/mime.h"
#include "store/sql.h"

enum { PDF_LIMIT = 32 * 1024 * 1024 }; /* a letter is about 20 KB: anything near this is wrong */

/* ---- the kit ---- */

const char *const mail_template_files[] = {"mail-escalation.yaml", "mail-letter.yaml",
                                           "mail-digest.yaml", NULL};

enum status mail_kit_load(const char *letters_directory, const char *rules_directory, int64_t today,
                          struct mail_kit **result, struct error *error) {
  *result = NULL;
  struct mail_kit *kit = calloc(1, sizeof *kit);
  if (kit == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading the mail templates");
  struct letter_template **slots[] = {&kit->escalation, &kit->letter, &kit->digest};
  enum status status = STATUS_OK;
  for (size_t i = 0; status == STATUS_OK && i < 3; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", letters_directory, mail_template_files[i]);
    status = mail_template_load(path, slots[i], error);
  }
  if (status == STATUS_OK)
    status = ruleset_load(rules_directory, today, &kit->rules, error);
  if (status != STATUS_OK) {
    mail_kit_free(kit);
    return status;
  }
  *result = kit;
  return STATUS_OK;
}

void mail_kit_free(struct mail_kit *kit) {
  if (kit == NULL)
    return;
  letter_template_free(kit->escalation);
  letter_template_free(kit->letter);
  letter_template_free(kit->digest);
  ruleset_free(kit->rules);
  free(kit);
}

/* ---- the claimed row ---- */

const char mail_claim_sql[] =
    "SELECT d.id, d.message_id, d.kind, d.dossier_code, d.agency_code, d.level, d.role,"
    " d.address, d.attempts, s.procedure_code, s.applicant_name, dunghen.epoch(s.received_at),"
    " dunghen.epoch(e.deadline), c.state, l.state, l.path, l.sha256, l.number, l.year,"
    " dunghen.epoch(l.new_appointment_at), s.delay_reason"
    " FROM dunghen.delivery_log d"
    " LEFT JOIN dunghen.outbox o ON o.id = d.outbox_id"
    " LEFT JOIN dunghen.escalation_log e ON e.id = o.escalation_id"
    " LEFT JOIN dunghen.letter_log l ON l.id = o.letter_id"
    " LEFT JOIN dunghen.clock c ON c.code = d.dossier_code"
    /* Only an unambiguous source row: a code the view repeats gives no applicant data. */
    " LEFT JOIN LATERAL (SELECT * FROM (SELECT s.*, count(*) OVER () AS copies"
    "  FROM dunghen.dossier_source s WHERE s.code = d.dossier_code) x WHERE x.copies = 1) s"
    "  ON true"
    " WHERE d.state = 'pending' AND d.next_attempt_at <= now()"
    "  AND (o.letter_id IS NULL OR l.state IS DISTINCT FROM 'pending')"
    " ORDER BY d.next_attempt_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED";

/* The dates and times of a message, worded as in the letters. */
static void format_date(int64_t instant, char *buffer, size_t size) {
  letter_format_date(civil_local_day(instant), buffer, size);
}

struct message_values {
  const char *values[PLACEHOLDER_COUNT];
  char received_date[64], received_time[32], deadline_date[64], deadline_time[32];
  char new_date[64], new_time[32], number[AGENCY_NUMBER_SIZE], count[32];
  char *list; /* digest */
};

/* The word "PREFIX.NAME.SUFFIX" (the suffix may be empty) of the wording, or `fallback`. */
static const char *word(const struct letter_template *wording, char *key, size_t size,
                        const char *prefix, const char *name, const char *suffix,
                        const char *fallback) {
  snprintf(key, size, "%s.%s%s", prefix, name, suffix);
  return mail_template_word(wording, key, fallback);
}

/* The instant in `column` of the claimed row as a date and a time, or "—" for NULL. */
static void fill_instant(PGresult *row, int column, char *date, size_t date_size, char *time,
                         size_t time_size) {
  if (sql_text(row, 0, column) == NULL) {
    snprintf(date, date_size, "—");
    snprintf(time, time_size, "—");
    return;
  }
  int64_t instant = sql_integer(row, 0, column, 0);
  format_date(instant, date, date_size);
  letter_format_time(instant, time, time_size);
}

static void fill_values(const struct mail_message_context *context,
                        const struct letter_template *wording, PGresult *row,
                        struct message_values *out) {
  const char **values = out->values;
  const struct ruleset *rules = context->kit->rules;
  const char *level = PQgetvalue(row, 0, MAIL_COLUMN_LEVEL),
             *role = PQgetvalue(row, 0, MAIL_COLUMN_ROLE);
  int index = ladder_find(rules->ladder, level);
  const char *title = index >= 0 ? rules->ladder->levels[index].title : level;
  char key[160];
  values[PLACEHOLDER_LEVEL_TITLE] = word(wording, key, sizeof key, "level", level, ".title", title);
  values[PLACEHOLDER_ACTION] = word(wording, key, sizeof key, "level", level, ".action", "");
  values[PLACEHOLDER_ROLE] = word(wording, key, sizeof key, "role", role, "", role);
  values[PLACEHOLDER_DOSSIER_CODE] = sql_text(row, 0, MAIL_COLUMN_CODE);
  const char *state = sql_text(row, 0, MAIL_COLUMN_STATE);
  values[PLACEHOLDER_STATE] =
      state != NULL ? word(wording, key, sizeof key, "state", state, "", state) : "—";
  const char *procedure_code = sql_text(row, 0, MAIL_COLUMN_PROCEDURE);
  const struct procedure *procedure =
      procedure_code != NULL ? procedures_find(&rules->rules->procedures, procedure_code) : NULL;
  values[PLACEHOLDER_PROCEDURE_NAME] =
      procedure != NULL ? procedure->name : (procedure_code != NULL ? procedure_code : "—");
  const char *applicant = sql_text(row, 0, MAIL_COLUMN_APPLICANT);
  values[PLACEHOLDER_APPLICANT_NAME] = applicant != NULL ? applicant : "—";
  /* The signer must learn before signing that the letter leaves the reason to write in. */
  const char *reason = sql_text(row, 0, MAIL_COLUMN_REASON);
  bool blank = reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0';
  values[PLACEHOLDER_REASON] =
      blank ? word(wording, key, sizeof key, "note", "reason_missing", "", "—") : reason;
  fill_instant(row, MAIL_COLUMN_RECEIVED, out->received_date, sizeof out->received_date,
               out->received_time, sizeof out->received_time);
  fill_instant(row, MAIL_COLUMN_DEADLINE, out->deadline_date, sizeof out->deadline_date,
               out->deadline_time, sizeof out->deadline_time);
  fill_instant(row, MAIL_COLUMN_NEW_DATE, out->new_date, sizeof out->new_date, out->new_time,
               sizeof out->new_time);
  values[PLACEHOLDER_RECEIVED_DATE] = out->received_date;
  values[PLACEHOLDER_RECEIVED_TIME] = out->received_time;
  values[PLACEHOLDER_DEADLINE_DATE] = out->deadline_date;
  values[PLACEHOLDER_DEADLINE_TIME] = out->deadline_time;
  values[PLACEHOLDER_NEW_DATE] = out->new_date;
  values[PLACEHOLDER_NEW_TIME] = out->new_time;
  const char *agency_code = sql_text(row, 0, MAIL_COLUMN_AGENCY);
  const struct agency *agency =
      agency_code != NULL ? agencies_find(&rules->agencies, agency_code) : NULL;
  if (agency != NULL) {
    values[PLACEHOLDER_AGENCY_NAME] = agency->name;
    values[PLACEHOLDER_AGENCY_SYMBOL] = agency->symbol;
    values[PLACEHOLDER_AGENCY_ADDRESS] = agency->address;
    values[PLACEHOLDER_UNIT] = agency->unit;
    values[PLACEHOLDER_GOVERNING_BODY] = agency->governing_body;
    values[PLACEHOLDER_SIGNER_NAME] = agency->signer_name;
    values[PLACEHOLDER_PLACE] = agency->place;
    struct error ignored;
    if (sql_text(row, 0, MAIL_COLUMN_LETTER_NUMBER) != NULL &&
        agency_format_number(agency, (long)sql_integer(row, 0, MAIL_COLUMN_LETTER_NUMBER, 0),
                             (int)sql_integer(row, 0, MAIL_COLUMN_LETTER_YEAR, 0), out->number,
                             &ignored) == STATUS_OK)
      values[PLACEHOLDER_NUMBER] = out->number;
  }
}

/* The digest's lines: one per dossier, by deadline; no applicant data. */
static enum status digest_list(const struct mail_message_context *context,
                               const struct letter_template *wording, const char *digest_id,
                               struct message_values *out, struct error *error) {
  PGresult *rows;
  enum status status =
      sql_query(context->connection, "reading a digest",
                "SELECT d.dossier_code, c.procedure_code, dunghen.epoch(e.deadline), c.state"
                " FROM dunghen.delivery_log d JOIN dunghen.outbox o ON o.id = d.outbox_id"
                " JOIN dunghen.escalation_log e ON e.id = o.escalation_id"
                " LEFT JOIN dunghen.clock c ON c.code = d.dossier_code"
                " WHERE d.digest_id = $1::bigint ORDER BY e.deadline NULLS LAST, d.dossier_code",
                1, &digest_id, &rows, error);
  if (status != STATUS_OK)
    return status;
  int count = PQntuples(rows);
  size_t capacity = (size_t)count * 512 + 1;
  out->list = malloc(capacity);
  if (out->list == NULL) {
    PQclear(rows);
    return error_set(error, STATUS_RUNTIME, "out of memory building a digest");
  }
  size_t used = 0;
  out->list[0] = '\0';
  for (int row = 0; row < count; row++) {
    const char *procedure_code = sql_text(rows, row, 1), *state = sql_text(rows, row, 3);
    const struct procedure *procedure =
        procedure_code != NULL
            ? procedures_find(&context->kit->rules->rules->procedures, procedure_code)
            : NULL;
    char date[64] = "—", time_text[32] = "", key[160];
    if (sql_text(rows, row, 2) != NULL) {
      format_date(sql_integer(rows, row, 2, 0), date, sizeof date);
      letter_format_time(sql_integer(rows, row, 2, 0), time_text, sizeof time_text);
    }
    int written = snprintf(
        out->list + used, capacity - used, "%s- %s: %.200s; hạn %s, %s; %s", row > 0 ? "\n" : "",
        PQgetvalue(rows, row, 0),
        procedure != NULL ? procedure->name : (procedure_code != NULL ? procedure_code : "—"),
        time_text, date,
        state != NULL ? word(wording, key, sizeof key, "state", state, "", state) : "—");
    if (written > 0 && (size_t)written < capacity - used)
      used += (size_t)written;
  }
  snprintf(out->count, sizeof out->count, "%d", count);
  out->values[PLACEHOLDER_DOSSIER_COUNT] = out->count;
  out->values[PLACEHOLDER_DOSSIER_LIST] = out->list;
  PQclear(rows);
  return STATUS_OK;
}

/* Subject and body (paragraphs joined by a blank line) from the wording. */
static enum status expand_wording(const struct letter_template *wording,
                                  const struct message_values *values, char **subject, char **body,
                                  struct error *error) {
  *subject = NULL;
  *body = NULL;
  enum status status = template_expand(wording, &wording->title, values->values, subject, error);
  size_t length = 0;
  char **parts = calloc(wording->paragraph_count + 1, sizeof *parts);
  if (parts == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory building a mail");
  for (size_t i = 0; status == STATUS_OK && i < wording->paragraph_count; i++) {
    status = template_expand(wording, &wording->paragraphs[i], values->values, &parts[i], error);
    if (status == STATUS_OK)
      length += strlen(parts[i]) + 2;
  }
  if (status == STATUS_OK && (*body = malloc(length + 1)) == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory building a mail");
  if (status == STATUS_OK) {
    (*body)[0] = '\0';
    for (size_t i = 0; i < wording->paragraph_count; i++) {
      strcat(*body, parts[i]);
      strcat(*body, i + 1 < wording->paragraph_count ? "\n\n" : "\n");
    }
  }
  for (size_t i = 0; parts != NULL && i < wording->paragraph_count; i++)
    free(parts[i]);
  free(parts);
  if (status != STATUS_OK) {
    free(*subject);
    free(*body);
    *subject = *body = NULL;
  }
  return status;
}

/* Reads the rendered PDF and checks it against the sha256 recorded with it. */
static enum status read_letter(PGresult *row, unsigned char **data, size_t *size,
                               struct error *error) {
  *data = NULL;
  *size = 0;
  const char *path = sql_text(row, 0, MAIL_COLUMN_LETTER_PATH);
  const char *expected = sql_text(row, 0, MAIL_COLUMN_LETTER_SHA256);
  if (path == NULL || expected == NULL)
    return error_set(error, STATUS_RUNTIME, "the letter has no file");
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot open the letter %s", path);
  unsigned char *buffer = malloc(PDF_LIMIT);
  size_t got = buffer != NULL ? fread(buffer, 1, PDF_LIMIT, file) : 0;
  bool failed = ferror(file) || buffer == NULL || got == PDF_LIMIT;
  fclose(file);
  char hex[SHA256_HEX_SIZE];
  if (!failed)
    sha256_hex(buffer, got, hex);
  if (failed || strcmp(hex, expected) != 0) {
    free(buffer);
    return error_set(error, STATUS_RUNTIME,
                     failed ? "cannot read the letter %s"
                            : "the letter %s does not match its recorded sha256",
                     path);
  }
  *data = buffer;
  *size = got;
  return STATUS_OK;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

enum status mail_message_build(const struct mail_message_context *context, PGresult *row,
                               char **message, size_t *length, struct error *error) {
  const char *kind = PQgetvalue(row, 0, MAIL_COLUMN_KIND);
  bool letter = strcmp(kind, "letter") == 0, digest = strcmp(kind, "digest") == 0;
  const struct letter_template *wording =
      letter ? context->kit->letter : (digest ? context->kit->digest : context->kit->escalation);
  struct message_values values;
  memset(&values, 0, sizeof values);
  fill_values(context, wording, row, &values);
  enum status status = STATUS_OK;
  if (digest)
    status = digest_list(context, wording, PQgetvalue(row, 0, MAIL_COLUMN_ID), &values, error);
  char *subject = NULL, *body = NULL;
  if (status == STATUS_OK)
    status = expand_wording(wording, &values, &subject, &body, error);
  unsigned char *pdf = NULL;
  size_t pdf_size = 0;
  if (status == STATUS_OK && letter)
    status = read_letter(row, &pdf, &pdf_size, error);
  if (status == STATUS_OK) {
    const struct config_mail *mail = context->mail;
    struct mime_message mime = {
        .from_address = mail->from,
        .from_name = mail->from_name,
        .to_address = PQgetvalue(row, 0, MAIL_COLUMN_ADDRESS),
        .subject = subject,
        .message_id = PQgetvalue(row, 0, MAIL_COLUMN_MESSAGE_ID),
        .date = context->now,
        .body = body,
        .attachment_name = letter ? base_name(PQgetvalue(row, 0, MAIL_COLUMN_LETTER_PATH)) : NULL,
        .attachment = pdf,
        .attachment_size = pdf_size,
    };
    status = mime_build(&mime, message, length, error);
  }
  free(pdf);
  free(subject);
  free(body);
  free(values.list);
  return status;
}
