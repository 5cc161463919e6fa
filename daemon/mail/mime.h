/*
 * mime.h: builds one e-mail message (RFC 5322 + MIME) for `sendmail -t -i`, in memory.
 *
 * Text is UTF-8. Header values that are not plain ASCII (Subject, the From display name) become
 * RFC 2047 encoded words ("=?UTF-8?B?...?="), split on character boundaries and folded so that
 * no header line passes 78 characters. The body is base64 (76-character lines), and a letter's
 * PDF goes in a multipart/mixed part, base64 too. Lines end in LF (the local sendmail
 * convention; the MTA writes CRLF on the wire). Every header value is refused if it holds CR or
 * LF, so no input can add a header. Pure: no clock (the date is an argument), no I/O.
 */
#ifndef DUNGHEN_MIME_H
#define DUNGHEN_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum { MIME_LINE_LIMIT = 78 };

struct mime_message {
  const char *from_address;    /* required */
  const char *from_name;       /* display name; NULL or "": none */
  const char *to_address;      /* required; one recipient */
  const char *subject;         /* UTF-8, one line */
  const char *message_id;      /* without the angle brackets: outbox-7.1a2b@example.org */
  int64_t date;                /* Unix seconds, written in Vietnam's time (+0700) */
  const char *body;            /* UTF-8 text; "\n" ends lines */
  const char *attachment_name; /* NULL: no attachment */
  const unsigned char *attachment;
  size_t attachment_size;
};

/* The whole message in a new buffer (free() it); *length excludes the final NUL. */
enum status mime_build(const struct mime_message *message, char **output, size_t *length,
                       struct error *error);

/* Base64 (RFC 4648) of `size` bytes into `out`, which needs 4 * ((size + 2) / 3) + 1 bytes. */
size_t mime_base64(const unsigned char *data, size_t size, char *out);

/*
 * `Name: value` as header lines (with their LFs) into a new string: plain when `value` is
 * printable ASCII that fits, else RFC 2047 encoded words folded at 78 characters.
 */
enum status mime_header(const char *name, const char *value, char **output, struct error *error);

#endif
