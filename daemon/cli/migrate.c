/*
 * migrate.c: `dunghen migrate --db CONNINFO [--reference-schema]`.
 *
 * Creates or upgrades the daemon's schema (service/schema.h); with --reference-schema also
 * installs the reference one-stop schema `onestop` and points the source views at it. Without
 * --db, libpq's defaults and the standard PG* environment variables apply. Prints one line per
 * step; exit 0, 1 when the database fails, 2 on a usage error.
 */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "service/schema.h"
#include "store/sql.h"

struct migrate_options {
  const char *conninfo;
  bool reference;
};

static int parse(int argc, char **argv, struct migrate_options *options) {
  options->conninfo = "";
  options->reference = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--db") == 0) {
      if (i + 1 >= argc)
        return cli_usage_error("migrate", "--db needs a connection string");
      options->conninfo = argv[++i];
    } else if (strncmp(argv[i], "--db=", 5) == 0) {
      options->conninfo = argv[i] + 5;
    } else if (strcmp(argv[i], "--reference-schema") == 0) {
      options->reference = true;
    } else {
      return cli_usage_error("migrate", "unknown argument '%s'", argv[i]);
    }
  }
  return 0;
}

int command_migrate(int argc, char **argv) {
  struct migrate_options options;
  int usage = parse(argc, argv, &options);
  if (usage != 0)
    return usage;
  struct error error;
  error_clear(&error);
  PGconn *connection = PQconnectdb(options.conninfo);
  if (PQstatus(connection) != CONNECTION_OK) {
    char message[ERROR_MESSAGE_SIZE];
    snprintf(message, sizeof message, "%s", PQerrorMessage(connection));
    message[strcspn(message, "\n")] = '\0';
    PQfinish(connection);
    error_set(&error, STATUS_RUNTIME, "cannot connect to the database: %s", message);
    return cli_report("migrate", &error);
  }
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  struct schema_result result;
  enum status status = schema_migrate(connection, &result, &error);
  if (status == STATUS_OK) {
    if (result.from_version == result.to_version)
      printf("schema dunghen is up to date (version %d)\n", result.to_version);
    else
      printf("schema dunghen migrated from version %d to %d\n", result.from_version,
             result.to_version);
  }
  if (status == STATUS_OK && options.reference) {
    status = schema_install_reference(connection, &error);
    if (status == STATUS_OK)
      printf("reference schema onestop installed; dunghen.dossier_source and "
             "dunghen.dossier_pause_source read from it\n");
  }
  PQfinish(connection);
  return status == STATUS_OK ? 0 : cli_report("migrate", &error);
}
