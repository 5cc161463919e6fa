/*
 * copy.c: binary COPY data (see copy.h).
 */
#include "store/copy.h"

#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

enum {
  POSTGRES_EPOCH_OFFSET = 946684800, /* 2000-01-01 in Unix seconds: timestamptz's zero */
  TEXT_TYPE_OID = 25,
};

static void integer(struct buffer *rows, uint64_t value, int bytes) {
  unsigned char big_endian[8];
  for (int i = 0; i < bytes; i++)
    big_endian[i] = (unsigned char)(value >> (8 * (bytes - 1 - i)));
  buffer_append(rows, big_endian, (size_t)bytes);
}

static void null(struct buffer *rows) {
  integer(rows, UINT32_MAX, 4); /* length -1 */
}

void copy_open(struct buffer *rows) {
  static const char signature[] = "PGCOPY\n\377\r\n"; /* with its NUL: 11 bytes */
  buffer_reset(rows);
  buffer_append(rows, signature, sizeof signature);
  integer(rows, 0, 4); /* flags */
  integer(rows, 0, 4); /* header extension length */
}

void copy_row(struct buffer *rows, int columns) {
  integer(rows, (uint64_t)columns, 2);
}

void copy_text(struct buffer *rows, const char *value) {
  if (value == NULL) {
    null(rows);
    return;
  }
  size_t length = strlen(value);
  integer(rows, length, 4);
  buffer_append(rows, value, length);
}

void copy_bigint(struct buffer *rows, int64_t value, bool present) {
  if (!present) {
    null(rows);
    return;
  }
  integer(rows, 8, 4);
  integer(rows, (uint64_t)value, 8);
}

void copy_smallint(struct buffer *rows, int value) {
  integer(rows, 2, 4);
  integer(rows, (uint64_t)value, 2);
}

void copy_timestamp_us(struct buffer *rows, int64_t microseconds, bool present) {
  copy_bigint(rows, microseconds - (int64_t)POSTGRES_EPOCH_OFFSET * 1000000, present);
}

void copy_timestamp(struct buffer *rows, int64_t seconds, bool present) {
  copy_timestamp_us(rows, present ? seconds * 1000000 : 0, present);
}

void copy_text_array(struct buffer *rows, const char *const *items, size_t count) {
  size_t size = count > 0 ? 20 : 12;
  for (size_t i = 0; i < count; i++)
    size += 4 + strlen(items[i]);
  integer(rows, size, 4);
  integer(rows, count > 0 ? 1 : 0, 4); /* dimensions */
  integer(rows, 0, 4);                 /* no NULLs */
  integer(rows, TEXT_TYPE_OID, 4);
  if (count > 0) {
    integer(rows, count, 4);
    integer(rows, 1, 4); /* lower bound */
  }
  for (size_t i = 0; i < count; i++) {
    size_t length = strlen(items[i]);
    integer(rows, length, 4);
    buffer_append(rows, items[i], length);
  }
}

enum status copy_send(PGconn *connection, const char *what, const char *sql, struct buffer *rows,
                      size_t *count, struct error *error) {
  integer(rows, UINT16_MAX, 2); /* trailer: a field count of -1 */
  if (rows->failed)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  /* Failures are reported by sql_fail, like every statement's: never the server's text. */
  PGresult *result = PQexec(connection, sql);
  enum status status = STATUS_OK;
  if (PQresultStatus(result) != PGRES_COPY_IN)
    status = sql_fail(connection, result, what, error);
  PQclear(result);
  if (status == STATUS_OK && (PQputCopyData(connection, rows->data, (int)rows->length) != 1 ||
                              PQputCopyEnd(connection, NULL) != 1))
    status = sql_fail(connection, NULL, what, error);
  while ((result = PQgetResult(connection)) != NULL) {
    if (PQresultStatus(result) == PGRES_COMMAND_OK)
      *count = (size_t)strtoull(PQcmdTuples(result), NULL, 10);
    else if (status == STATUS_OK)
      status = sql_fail(connection, result, what, error);
    PQclear(result);
  }
  return status;
}
