/*
 * db_support.h: what the store's database tests share: a migrated database with the
 * reference schema, the shipped rules and ladder, dossier inserts and one-value queries.
 */
#ifndef DUNGHEN_STORE_SUPPORT_H
#define DUNGHEN_STORE_SUPPORT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "letter/letter.h"
#include "rules/agencies.h"
#include "rules/ladder.h"
#include "rules/rules.h"
#include "service/letter_jobs.h"
#include "store/pass.h"
#include "store/pass_metrics.h"

PGconn *db_connect(void);
/* Migrates and installs the reference schema; false (with a TAP diagnostic) on failure. */
bool db_prepare(PGconn *connection);
struct rules *db_rules(void);
struct ladder *db_ladder(void);
/* All three of the above, as one TAP check ("rules, ladder and database are ready"). */
bool db_open(PGconn **connection, struct rules **rules, struct ladder **ladder);
void db_close(PGconn *connection, struct rules *rules, struct ladder *ladder);
/* Runs SQL; a failure is printed as a diagnostic and returns false. */
bool db_exec(PGconn *connection, const char *sql);
/* The first column of the first row as an integer (INT64_MIN for NULL or an error). */
int64_t db_integer(PGconn *connection, const char *sql);
/* The first column of the first row as text, copied into `buffer` ("" for NULL). */
void db_text(PGconn *connection, const char *sql, char *buffer, size_t size);
/* Local time `YYYY-MM-DDTHH:MM` as an instant. */
int64_t db_instant(const char *local);
/* One pass with the shipped rules; prints the error as a diagnostic. */
enum status db_pass(PGconn *connection, const struct rules *rules, const struct ladder *ladder,
                    int64_t now, struct pass_report *report);
/* Inserts a processing dossier of procedure 1.004884 (5wd), agency AG1, direct channel. */
bool db_insert(PGconn *connection, const char *code, const char *received_local);

/* What rendering the queued letters needs: the shipped agencies and templates, a renderer and
 * a temporary spool (removed by db_letter_kit_close). */
struct db_letter_kit {
  struct agency_table agencies;
  struct letter_library *library;
  struct letter_renderer *renderer;
  char spool[64];
};
/* As one TAP check ("agencies, templates, renderer and spool are ready"). */
bool db_letter_kit_open(struct db_letter_kit *kit);
void db_letter_kit_close(struct db_letter_kit *kit);
/* One pass at local time `now` with the kit's agencies (their letters' form); prints the error
 * as a diagnostic. */
struct pass_report db_kit_pass(PGconn *connection, const struct rules *rules,
                               const struct ladder *ladder, const struct db_letter_kit *kit,
                               const char *now);
/* Renders every pending letter; prints the error as a diagnostic. */
struct letter_jobs_report db_render(PGconn *connection, struct db_letter_kit *kit,
                                    const struct rules *rules);

#endif
