/*
 * schema.c: migrations of the `dunghen` schema and the reference adapter (see schema.h).
 */
#include "store/schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema_sql.h"
#include "store/sql.h"

/* The migration number of `NNN_name.sql`, or 0 for other files. */
static int migration_number(const char *name) {
  if (!isdigit((unsigned char)name[0]) || !isdigit((unsigned char)name[1]) ||
      !isdigit((unsigned char)name[2]) || name[3] != '_')
    return 0;
  return atoi(name);
}

int schema_latest_version(void) {
  int latest = 0;
  for (const struct schema_sql *file = schema_sql_files; file->name != NULL; file++) {
    int number = migration_number(file->name);
    if (number > latest)
      latest = number;
  }
  return latest;
}

static const char *find_file(const char *name) {
  for (const struct schema_sql *file = schema_sql_files; file->name != NULL; file++)
    if (strcmp(file->name, name) == 0)
      return file->text;
  return NULL;
}

static const char lock_sql[] = "SELECT pg_advisory_xact_lock(28276614712812910)";

/* The applied version, 0 when none (read under the lock when migrating). */
static enum status read_version(PGconn *connection, int *version, struct error *error) {
  *version = 0;
  PGresult *result;
  enum status status = sql_query(connection, "reading the schema version",
                                 "SELECT to_regclass('dunghen.schema_version') IS NOT NULL", 0,
                                 NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  bool exists = PQgetvalue(result, 0, 0)[0] == 't';
  PQclear(result);
  if (!exists)
    return STATUS_OK;
  status = sql_query(connection, "reading the schema version",
                     "SELECT coalesce(max(version), 0) FROM dunghen.schema_version", 0, NULL,
                     &result, error);
  if (status != STATUS_OK)
    return status;
  *version = (int)sql_integer(result, 0, 0, 0);
  PQclear(result);
  return STATUS_OK;
}

static enum status apply_missing(PGconn *connection, int from, struct error *error) {
  for (int number = from + 1; number <= schema_latest_version(); number++) {
    const struct schema_sql *file = schema_sql_files;
    while (file->name != NULL && migration_number(file->name) != number)
      file++;
    if (file->name == NULL)
      return error_set(error, STATUS_RUNTIME, "migration %03d is missing from this build", number);
    char what[128];
    snprintf(what, sizeof what, "migration %s", file->name);
    enum status status = sql_exec(connection, what, file->text, error);
    if (status != STATUS_OK)
      return status;
    char number_text[16];
    snprintf(number_text, sizeof number_text, "%d", number);
    const char *values[] = {number_text};
    PGresult *result;
    status = sql_query(connection, "recording the schema version",
                       "INSERT INTO dunghen.schema_version (version) VALUES ($1::integer)", 1,
                       values, &result, error);
    if (status != STATUS_OK)
      return status;
    PQclear(result);
  }
  return STATUS_OK;
}

static enum status migrate_locked(PGconn *connection, struct schema_result *result,
                                  struct error *error) {
  enum status status = sql_exec(connection, "taking the migration lock", lock_sql, error);
  if (status == STATUS_OK)
    status = read_version(connection, &result->from_version, error);
  if (status != STATUS_OK)
    return status;
  if (result->from_version > schema_latest_version())
    return error_set(error, STATUS_RUNTIME,
                     "the database schema is at version %d, newer than this dunghen knows (%d)",
                     result->from_version, schema_latest_version());
  /* CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists: the
   * least-privilege role of docs/ADAPTER.md owns its schema and has no right on the database. */
  status = sql_exec(connection, "creating the schema",
                    "DO $$ BEGIN IF to_regnamespace('dunghen') IS NULL THEN "
                    "CREATE SCHEMA dunghen; END IF; END $$;"
                    "CREATE TABLE IF NOT EXISTS dunghen.schema_version ("
                    " version integer PRIMARY KEY,"
                    " applied_at timestamptz NOT NULL DEFAULT now())",
                    error);
  if (status == STATUS_OK)
    status = apply_missing(connection, result->from_version, error);
  result->to_version = schema_latest_version();
  return status;
}

/* Runs `body` in one transaction with notices silenced; rolls back on failure. */
static enum status in_transaction(PGconn *connection,
                                  enum status (*body)(PGconn *, struct schema_result *,
                                                      struct error *),
                                  struct schema_result *result, struct error *error) {
  PQnoticeProcessor previous = PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  enum status status = sql_exec(connection, "starting the migration", "BEGIN", error);
  if (status == STATUS_OK)
    status = body(connection, result, error);
  if (status == STATUS_OK)
    status = sql_exec(connection, "committing the migration", "COMMIT", error);
  if (status != STATUS_OK)
    sql_rollback(connection);
  PQsetNoticeProcessor(connection, previous, NULL);
  return status;
}

enum status schema_migrate(PGconn *connection, struct schema_result *result, struct error *error) {
  memset(result, 0, sizeof *result);
  return in_transaction(connection, migrate_locked, result, error);
}

static enum status install_locked(PGconn *connection, struct schema_result *result,
                                  struct error *error) {
  enum status status = sql_exec(connection, "taking the migration lock", lock_sql, error);
  if (status == STATUS_OK)
    status = read_version(connection, &result->from_version, error);
  if (status != STATUS_OK)
    return status;
  result->to_version = result->from_version;
  if (result->from_version < 1)
    return error_set(error, STATUS_RUNTIME,
                     "the daemon's schema is missing: run dunghen migrate first");
  const char *text = find_file("reference.sql");
  if (text == NULL)
    return error_set(error, STATUS_RUNTIME, "reference.sql is missing from this build");
  status = sql_exec(connection, "installing the reference schema", text, error);
  result->reference_installed = status == STATUS_OK;
  return status;
}

enum status schema_install_reference(PGconn *connection, struct error *error) {
  struct schema_result result;
  memset(&result, 0, sizeof result);
  return in_transaction(connection, install_locked, &result, error);
}

enum status schema_check(PGconn *connection, int *version, struct error *error) {
  *version = 0;
  enum status status = read_version(connection, version, error);
  if (status != STATUS_OK || *version == schema_latest_version())
    return status;
  if (*version > schema_latest_version())
    return error_set(error, STATUS_RUNTIME,
                     "the database schema is at version %d, newer than this dunghen knows (%d)",
                     *version, schema_latest_version());
  return error_set(error, STATUS_RUNTIME,
                   "the database schema is at version %d, this dunghen needs %d: run "
                   "dunghen migrate --db CONNINFO",
                   *version, schema_latest_version());
}
