/*
 * one_stop.h: writes to the reference one-stop schema `onestop` (daemon/schema/reference.sql),
 * as the officials of a one-stop shop would: `dunghen demo` plays its simulated month with
 * these, and the daemon then reads the dossiers back only through the source views, as in
 * any deployment.
 *
 * Each call is one statement (two for a pause or its end, which also move the dossier's
 * status), in the caller's transaction when one is open (store/transaction.h). Instants are
 * Unix seconds, written as local time with its offset; the reference schema's trigger stamps
 * updated_at with the server's clock, as the one-stop software would. Blocking libpq.
 */
#ifndef DUNGHEN_ONE_STOP_H
#define DUNGHEN_ONE_STOP_H

#include <libpq-fe.h>
#include <stdint.h>

#include "core/error.h"
#include "core/procedure.h"

/* A dossier as the one-stop shop receives it: status "processing" from then on. */
struct one_stop_receipt {
  const char *code;
  const char *procedure_code;
  const char *agency_code;
  const char *applicant_name;
  const char *applicant_id;
  const char *applicant_address;
  const char *summary;
  enum channel channel;
  int64_t received_at;
  int64_t appointment_at;
};

enum status one_stop_receive(PGconn *connection, const struct one_stop_receipt *receipt,
                             struct error *error);
/* A request for supplements starts a pause, and the status says the dossier waits for them. */
enum status one_stop_pause(PGconn *connection, const char *code, int64_t from, struct error *error);
/* The supplements arrived: the open pause ends and the dossier is processed again. */
enum status one_stop_resume(PGconn *connection, const char *code, int64_t to, struct error *error);
/* The handling official records why the dossier will be late. */
enum status one_stop_record_reason(PGconn *connection, const char *code, const char *reason,
                                   struct error *error);
/* The result is ready at `at`. */
enum status one_stop_finish(PGconn *connection, const char *code, int64_t at, struct error *error);
/* The applicant withdrew the dossier. */
enum status one_stop_withdraw(PGconn *connection, const char *code, struct error *error);

#endif
