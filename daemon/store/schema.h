/*
 * schema.h: the daemon's database schema `dunghen`, its migrations, and the reference adapter.
 *
 * The SQL lives in the .sql files of daemon/schema/ and is embedded into the binary at build
 * time (meson turns each file into a C array), so the installed daemon needs no data files.
 * schema_migrate() applies the numbered migrations the database lacks, each in one transaction
 * that holds pg_advisory_xact_lock(SCHEMA_LOCK_KEY), so two hosts migrating at once serialise
 * and the second finds nothing to do. `dunghen.schema_version` records what was applied.
 * The reference one-stop schema `onestop` and its adapter views are optional
 * (schema_install_reference()); a deployment writes its own views instead (docs/ADAPTER.md).
 * Blocking libpq; the connection must be idle.
 */
#ifndef DUNGHEN_SCHEMA_H
#define DUNGHEN_SCHEMA_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/error.h"

/* The bytes of "dunghen" as one number, so any tool can take the same lock by hand:
 * SELECT pg_advisory_xact_lock(28276614712812910). */
#define SCHEMA_LOCK_KEY 0x64756e6768656eLL

struct schema_result {
  int from_version; /* 0 when the schema did not exist */
  int to_version;
  bool reference_installed; /* the reference schema was (re)installed by this call */
};

/* The version this binary's migrations reach. */
int schema_latest_version(void);

/* Creates or upgrades `dunghen` to the latest version. Safe to run twice and concurrently. */
enum status schema_migrate(PGconn *connection, struct schema_result *result, struct error *error);

/*
 * Installs the reference one-stop schema `onestop` (tables, updated_at trigger, the optional
 * NOTIFY dunghen_dossier trigger) and points the source views at it. Idempotent: existing tables
 * and their rows are kept. Requires the daemon's schema (call schema_migrate first).
 */
enum status schema_install_reference(PGconn *connection, struct error *error);

/* Fails with STATUS_RUNTIME ("... run dunghen migrate") unless the schema is at the latest
 * version; *version gets what the database has (0 when absent). */
enum status schema_check(PGconn *connection, int *version, struct error *error);

#endif
