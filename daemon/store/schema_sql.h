/*
 * schema_sql.h: the SQL files of daemon/schema/, embedded at build time by embed.py.
 *
 * `NNN_name.sql` files are the numbered migrations of the `dunghen` schema; `reference.sql` is
 * the reference one-stop schema and its adapter views. The list ends with a {NULL, NULL} entry.
 */
#ifndef DUNGHEN_SCHEMA_SQL_H
#define DUNGHEN_SCHEMA_SQL_H

struct schema_sql {
  const char *name; /* base name, e.g. "001_daemon.sql" */
  const char *text; /* NUL-terminated SQL */
};

extern const struct schema_sql schema_sql_files[];

#endif
