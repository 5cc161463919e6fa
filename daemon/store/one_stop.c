#include "store/one_stop.h"

#include "core/civil.h"
#include "store/sql.h"

/* The reference schema's words for the channels. */
static const char *channel_code(enum channel channel) {
  switch (channel) {
  case CHANNEL_DIRECT:
    return "truc_tiep";
  case CHANNEL_ONLINE:
    return "truc_tuyen";
  default:
    return "buu_chinh";
  }
}

static enum status execute(PGconn *connection, const char *sql, int count,
                           const char *const *values, struct error *error) {
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "writing the one-stop tables", sql, count, values, &result, error);
  PQclear(result);
  return status;
}

enum status one_stop_receive(PGconn *connection, const struct one_stop_receipt *receipt,
                             struct error *error) {
  char received[TIMESTAMP_TEXT_SIZE], promised[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(receipt->received_at, received);
  civil_format_timestamp(receipt->appointment_at, promised);
  const char *values[] = {receipt->code,
                          receipt->procedure_code,
                          receipt->agency_code,
                          receipt->applicant_name,
                          receipt->applicant_id,
                          receipt->applicant_address,
                          receipt->summary,
                          channel_code(receipt->channel),
                          received,
                          promised};
  return execute(connection,
                 "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so,"
                 " so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, ngay_hen_tra,"
                 " trang_thai) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'dang_xu_ly')",
                 10, values, error);
}

enum status one_stop_pause(PGconn *connection, const char *code, int64_t from,
                           struct error *error) {
  char from_text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(from, from_text);
  const char *values[] = {code, from_text};
  enum status status = execute(connection,
                               "INSERT INTO onestop.tam_dung (ma_ho_so, loai, tu_ngay)"
                               " VALUES ($1, 'bo_sung', $2)",
                               2, values, error);
  if (status != STATUS_OK)
    return status;
  return execute(connection,
                 "UPDATE onestop.ho_so SET trang_thai = 'cho_bo_sung' WHERE ma_ho_so = $1", 1,
                 values, error);
}

enum status one_stop_resume(PGconn *connection, const char *code, int64_t to, struct error *error) {
  char to_text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(to, to_text);
  const char *values[] = {code, to_text};
  enum status status = execute(connection,
                               "UPDATE onestop.tam_dung SET den_ngay = $2"
                               " WHERE ma_ho_so = $1 AND den_ngay IS NULL",
                               2, values, error);
  if (status != STATUS_OK)
    return status;
  return execute(connection,
                 "UPDATE onestop.ho_so SET trang_thai = 'dang_xu_ly' WHERE ma_ho_so = $1", 1,
                 values, error);
}

enum status one_stop_record_reason(PGconn *connection, const char *code, const char *reason,
                                   struct error *error) {
  const char *values[] = {code, reason};
  return execute(connection, "UPDATE onestop.ho_so SET ly_do_tre_han = $2 WHERE ma_ho_so = $1", 2,
                 values, error);
}

enum status one_stop_finish(PGconn *connection, const char *code, int64_t at, struct error *error) {
  char at_text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(at, at_text);
  const char *values[] = {code, at_text};
  return execute(connection,
                 "UPDATE onestop.ho_so SET trang_thai = 'da_co_ket_qua', ngay_hoan_thanh = $2"
                 " WHERE ma_ho_so = $1",
                 2, values, error);
}

enum status one_stop_withdraw(PGconn *connection, const char *code, struct error *error) {
  const char *values[] = {code};
  return execute(connection, "UPDATE onestop.ho_so SET trang_thai = 'da_rut' WHERE ma_ho_so = $1",
                 1, values, error);
}
