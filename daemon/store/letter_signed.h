/*
 * letter_signed.h: signed letters taken back (migration 12, dunghen.letter_signed;
 * docs/LETTERS.md, "Signing"). The file has been checked by letter/signed_pdf.h before it
 * gets here; this module only records it and moves the letter from 'rendered' to 'signed', in
 * one transaction of its own, and reads the signed bytes back for mail. Blocking libpq.
 */
#ifndef DUNGHEN_LETTER_SIGNED_H
#define DUNGHEN_LETTER_SIGNED_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct letter_signed_record {
  int64_t letter_id;
  int64_t version;           /* the draft signed: the letter's current version */
  const char *issued_sha256; /* the draft's, as letter_log records it */
  int64_t issued_bytes;
  const unsigned char *pdf; /* the signed file */
  size_t size;
  const char *sha256; /* of the signed file */
  size_t signature_count;
  const char *signer_subject; /* the first signature's */
  bool has_signed_at;
  int64_t signed_at; /* Unix seconds */
  const char *trust; /* "verified" or "integrity-only" */
  int64_t taken_at;  /* now, Unix seconds */
};

/*
 * Stores the signed file and marks the letter signed, both or neither. STATUS_INVALID, storing
 * nothing, when the letter is no longer a rendered letter at that version with those issued
 * bytes (signed already, or re-drafted meanwhile); STATUS_RUNTIME when the database fails.
 */
enum status letter_signed_store(PGconn *connection, const struct letter_signed_record *record,
                                struct error *error);

/* The signed file of (letter, version), malloc'ed and checked against its recorded sha256 and
 * size; *found false (and nothing allocated) when that draft was not taken back signed. */
enum status letter_signed_read(PGconn *connection, int64_t letter_id, int64_t version,
                               unsigned char **pdf, size_t *size, bool *found, struct error *error);

#endif
