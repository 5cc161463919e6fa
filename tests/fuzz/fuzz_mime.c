/*
 * fuzz_mime.c: any bytes as the variable parts of an e-mail (mail/mime.h). The input is cut at
 * its first two NUL bytes into the subject, the sender's display name and the body; the rest is
 * the attachment. A message is refused only for a line break in a header value; a built message
 * keeps the rules every MTA relies on: header lines of at most 78 characters, no line over 998,
 * no CR, and a blank line between the header and the body.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "mail/mime.h"

/* The next NUL-terminated part of the input, or the rest when no NUL is left. */
static char *next_part(const uint8_t **data, size_t *size) {
  const uint8_t *end = memchr(*data, '\0', *size);
  size_t length = end != NULL ? (size_t)(end - *data) : *size;
  char *part = fuzz_string(*data, length);
  *data += length + (end != NULL);
  *size -= length + (end != NULL);
  return part;
}

static void check_lines(const char *message, size_t length) {
  bool header = true;
  size_t start = 0;
  for (size_t at = 0; at <= length; at++) {
    if (at < length && message[at] == '\r')
      abort();
    if (at < length && message[at] != '\n')
      continue;
    size_t line = at - start;
    if (line > 998 || (header && line > MIME_LINE_LIMIT))
      abort();
    if (header && line == 0)
      header = false;
    start = at + 1;
  }
  if (header)
    abort(); /* no blank line after the header */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *subject = next_part(&data, &size);
  char *from_name = next_part(&data, &size);
  char *body = next_part(&data, &size);
  struct mime_message message = {
      .from_address = "dunghen@example.org",
      .from_name = from_name,
      .to_address = "motcua@example.org",
      .subject = subject,
      .message_id = "outbox-7.1a2b3c4d@example.org",
      .date = 1770000000,
      .body = body,
      .attachment_name = size > 0 ? "0007_H23.pdf" : NULL,
      .attachment = data,
      .attachment_size = size,
  };
  char *output = NULL;
  size_t length = 0;
  struct error error;
  enum status status = mime_build(&message, &output, &length, &error);
  bool line_break = strpbrk(subject, "\r\n") != NULL || strpbrk(from_name, "\r\n") != NULL;
  if ((status == STATUS_OK) == line_break || (status != STATUS_OK && status != STATUS_INVALID))
    abort();
  if (status == STATUS_OK)
    check_lines(output, length);
  free(output);
  free(subject);
  free(from_name);
  free(body);
  return 0;
}
