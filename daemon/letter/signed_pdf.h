/*
 * signed_pdf.h: checks a letter signed outside dunghen (docs/LETTERS.md, "Signing") against
 * the bytes dunghen issued, with OpenSSL's CMS. Pure apart from OpenSSL and reading the CA
 * bundle: the caller passes "now" (the instant certificates are checked at) and both files'
 * bytes.
 *
 * A signed letter is accepted when:
 *   - it starts with exactly the issued bytes (so the sha256 of its first `issued_size` bytes is
 *     the one recorded for the letter) and continues with at least one incremental update: its
 *     appended part refers back to the issued file's cross-reference (`/Prev N`, N the issued
 *     file's startxref) and ends with %%EOF;
 *   - it carries at least one signature, and every signature dictionary's /ByteRange
 *     [0 b c d] leaves out exactly its own /Contents <hex>, and ends at the end of a revision
 *     (just after a %%EOF) past the issued bytes; the last one covers the whole file;
 *   - each /Contents is a CMS (PKCS #7) SignedData detached over its byte range, with the
 *     signer's certificate inside, and verifies (the content digest and the signature);
 *   - with a CA bundle, each signer's certificate also chains to one of its certificates at
 *     `now` (any key purpose: a Government CA signing certificate carries no S/MIME usage).
 * Without a bundle the signatures are checked for integrity only, and the result says so.
 * Every refusal is STATUS_INVALID with a message that names the reason.
 */
#ifndef DUNGHEN_LETTER_SIGNED_PDF_H
#define DUNGHEN_LETTER_SIGNED_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum { SIGNED_PDF_SUBJECT_SIZE = 512 };

enum signed_pdf_trust {
  SIGNED_PDF_VERIFIED,       /* every signer chains to the CA bundle */
  SIGNED_PDF_INTEGRITY_ONLY, /* no CA bundle: the signatures verify, their signers unchecked */
};

struct signed_pdf_result {
  size_t signature_count;
  /* The first signature's (the head's): its certificate subject as RFC 2253 in UTF-8 and its
   * signing time (Unix seconds): the CMS signingTime attribute, else the signature
   * dictionary's /M (both inside what the signature covers), when it has either. */
  char subject[SIGNED_PDF_SUBJECT_SIZE];
  bool has_signing_time;
  int64_t signing_time;
  enum signed_pdf_trust trust;
};

/* `ca_bundle` is a PEM file of trusted certificates, or NULL for integrity only. */
enum status signed_pdf_verify(const unsigned char *issued, size_t issued_size,
                              const unsigned char *signed_file, size_t signed_size,
                              const char *ca_bundle, int64_t now, struct signed_pdf_result *result,
                              struct error *error);

/* "verified" or "integrity-only", as dunghen.letter_signed records it. */
const char *signed_pdf_trust_name(enum signed_pdf_trust trust);

#endif
