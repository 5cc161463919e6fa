/*
 * copy.h: rows in the binary format of `COPY ... FROM STDIN (FORMAT binary)`, and sending them.
 *
 * A batch writes the rows a table does not have yet this way: no scratch table, no parsing of
 * text on the server. copy_open starts the data (signature, flags, no extension); each row is a
 * field count (copy_row) and its fields, which must match the COPY's column list in number,
 * order and type: text, bigint, smallint, timestamptz (from Unix seconds or microseconds) and
 * text[]. copy_send adds the trailer, runs the COPY and counts the rows the server took.
 * Integers are big-endian, as the format wants, whatever the host.
 */
#ifndef DUNGHEN_COPY_H
#define DUNGHEN_COPY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/error.h"

/* Empties `rows` and starts the data. */
void copy_open(struct buffer *rows);
/* Starts a row of `columns` fields. */
void copy_row(struct buffer *rows, int columns);
/* A text field; NULL for a NULL. */
void copy_text(struct buffer *rows, const char *value);
void copy_bigint(struct buffer *rows, int64_t value, bool present);
void copy_smallint(struct buffer *rows, int value);
/* A timestamptz at Unix `seconds`, or microseconds; NULL when not `present`. */
void copy_timestamp(struct buffer *rows, int64_t seconds, bool present);
void copy_timestamp_us(struct buffer *rows, int64_t microseconds, bool present);
/* A text[] of `count` items (none NULL): one dimension, or none when empty (array_send's). */
void copy_text_array(struct buffer *rows, const char *const *items, size_t count);

/*
 * Ends the data and sends it with `sql` (a COPY ... FROM STDIN (FORMAT binary)); *count gets
 * the rows copied. Failures are STATUS_RUNTIME named by `what` (store/sql.h's words, never the
 * server's text); "out of memory" when building the rows failed.
 */
enum status copy_send(PGconn *connection, const char *what, const char *sql, struct buffer *rows,
                      size_t *count, struct error *error);

#endif
