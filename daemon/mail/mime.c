/*
 * mime.c: the message builder of mime.h: base64, RFC 2047 words, the parts.
 */
#include "mail/mime.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/buffer.h"

/* 39 bytes make 52 base64 characters: "=?UTF-8?B?" + 52 + "?=" is 64, which leaves room for
 * any header name up to 12 characters before it on the first line. */
enum { WORD_BYTES = 39, BASE64_LINE = 76 };

size_t mime_base64(const unsigned char *data, size_t size, char *out) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t written = 0;
  for (size_t i = 0; i < size; i += 3) {
    uint32_t group = (uint32_t)data[i] << 16;
    if (i + 1 < size)
      group |= (uint32_t)data[i + 1] << 8;
    if (i + 2 < size)
      group |= data[i + 2];
    out[written++] = alphabet[(group >> 18) & 63];
    out[written++] = alphabet[(group >> 12) & 63];
    out[written++] = i + 1 < size ? alphabet[(group >> 6) & 63] : '=';
    out[written++] = i + 2 < size ? alphabet[group & 63] : '=';
  }
  out[written] = '\0';
  return written;
}

/* Base64 in lines of 76 characters, each ending in LF. */
static void append_base64_lines(struct buffer *buffer, const unsigned char *data, size_t size) {
  char line[BASE64_LINE + 2];
  size_t chunk = BASE64_LINE / 4 * 3;
  for (size_t at = 0; at < size; at += chunk) {
    size_t length = mime_base64(data + at, size - at < chunk ? size - at : chunk, line);
    line[length] = '\n';
    buffer_append(buffer, line, length + 1);
  }
}

static bool plain_ascii(const char *text) {
  for (const unsigned char *at = (const unsigned char *)text; *at != '\0'; at++)
    if (*at < 0x20 || *at > 0x7e)
      return false;
  return strstr(text, "=?") == NULL;
}

/* The length of the longest run of whole UTF-8 characters from `text`, at most `limit`. */
static size_t whole_characters(const char *text, size_t limit) {
  size_t length = strlen(text);
  if (length <= limit)
    return length;
  size_t cut = limit;
  while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
    cut--;
  return cut == 0 ? limit : cut;
}

/* Encoded words after `Name:`, each on its own line (folding adds the space before each). */
static void append_encoded(struct buffer *buffer, const char *value) {
  char encoded[4 * ((WORD_BYTES + 2) / 3) + 1];
  size_t length = strlen(value), at = 0;
  do {
    size_t take = whole_characters(value + at, WORD_BYTES);
    mime_base64((const unsigned char *)value + at, take, encoded);
    buffer_add_format(buffer, "%s=?UTF-8?B?%s?=", at == 0 ? " " : "\n ", encoded);
    at += take;
  } while (at < length);
}

static enum status check_header_value(const char *name, const char *value, struct error *error) {
  if (value == NULL)
    return error_set(error, STATUS_INVALID, "mail header %s: no value", name);
  if (strpbrk(value, "\r\n") != NULL)
    return error_set(error, STATUS_INVALID, "mail header %s: a line break is not allowed", name);
  return STATUS_OK;
}

static void append_header(struct buffer *buffer, const char *name, const char *value) {
  buffer_add_format(buffer, "%s:", name);
  if (plain_ascii(value) && strlen(name) + 2 + strlen(value) <= MIME_LINE_LIMIT)
    buffer_add_format(buffer, " %s", value);
  else
    append_encoded(buffer, value);
  buffer_add(buffer, "\n");
}

enum status mime_header(const char *name, const char *value, char **output, struct error *error) {
  *output = NULL;
  enum status status = check_header_value(name, value, error);
  if (status != STATUS_OK)
    return status;
  struct buffer buffer = {0};
  append_header(&buffer, name, value);
  if (buffer.failed) {
    buffer_free(&buffer);
    return error_set(error, STATUS_RUNTIME, "out of memory building a mail header");
  }
  *output = buffer.data;
  return STATUS_OK;
}

/* RFC 5322 date in Vietnam's time: "Thu, 03 Dec 2026 15:51:38 +0700". */
static void append_date(struct buffer *buffer, int64_t date) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t local = (time_t)(date + 7 * 3600);
  struct tm fields;
  gmtime_r(&local, &fields);
  buffer_add_format(buffer, "Date: %s, %02d %s %04d %02d:%02d:%02d +0700\n", days[fields.tm_wday],
                    fields.tm_mday, months[fields.tm_mon], fields.tm_year + 1900, fields.tm_hour,
                    fields.tm_min, fields.tm_sec);
}

static void append_from(struct buffer *buffer, const struct mime_message *message) {
  if (message->from_name == NULL || message->from_name[0] == '\0') {
    buffer_add_format(buffer, "From: %s\n", message->from_address);
    return;
  }
  buffer_add(buffer, "From:");
  append_encoded(buffer, message->from_name);
  buffer_add_format(buffer, "\n <%s>\n", message->from_address);
}

/* A file name fit for a header without encoding: letters, digits, '.', '-' and '_'. */
static void append_file_name(struct buffer *buffer, const char *name) {
  char clean[128];
  size_t length = 0;
  for (const char *at = name; *at != '\0' && length + 1 < sizeof clean && length < 60; at++) {
    char c = *at;
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
    clean[length++] = plain ? c : '_';
  }
  clean[length] = '\0';
  buffer_add_format(buffer, "Content-Type: application/pdf; name=\"%s\"\n", clean);
  buffer_add_format(buffer, "Content-Disposition: attachment; filename=\"%s\"\n", clean);
}

static void append_text_part(struct buffer *buffer, const char *body) {
  buffer_add(buffer, "Content-Type: text/plain; charset=UTF-8\n"
                     "Content-Transfer-Encoding: base64\n\n");
  append_base64_lines(buffer, (const unsigned char *)body, strlen(body));
}

static enum status check_message(const struct mime_message *message, struct error *error) {
  const char *names[] = {"From", "From name", "To", "Subject", "Message-ID"};
  const char *values[] = {message->from_address,
                          message->from_name != NULL ? message->from_name : "", message->to_address,
                          message->subject, message->message_id};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    enum status status = check_header_value(names[i], values[i], error);
    if (status != STATUS_OK)
      return status;
  }
  if (message->body == NULL)
    return error_set(error, STATUS_INVALID, "mail: no body");
  if (strlen(message->to_address) + 4 > MIME_LINE_LIMIT ||
      strlen(message->message_id) + 14 > MIME_LINE_LIMIT)
    return error_set(error, STATUS_INVALID, "mail: an address or message id is too long");
  return STATUS_OK;
}

enum status mime_build(const struct mime_message *message, char **output, size_t *length,
                       struct error *error) {
  *output = NULL;
  *length = 0;
  enum status status = check_message(message, error);
  if (status != STATUS_OK)
    return status;
  struct buffer buffer = {0};
  append_date(&buffer, message->date);
  append_from(&buffer, message);
  buffer_add_format(&buffer, "To: %s\n", message->to_address);
  append_header(&buffer, "Subject", message->subject);
  buffer_add_format(&buffer, "Message-ID: <%s>\n", message->message_id);
  buffer_add(&buffer, "MIME-Version: 1.0\nAuto-Submitted: auto-generated\n");
  if (message->attachment_name == NULL) {
    append_text_part(&buffer, message->body);
  } else {
    /* "=_" never occurs in base64 lines, so the boundary cannot appear inside a part. */
    const char *boundary = "=_dunghen_part";
    buffer_add_format(&buffer, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", boundary);
    buffer_add_format(&buffer, "This is a MIME message.\n--%s\n", boundary);
    append_text_part(&buffer, message->body);
    buffer_add_format(&buffer, "--%s\n", boundary);
    append_file_name(&buffer, message->attachment_name);
    buffer_add(&buffer, "Content-Transfer-Encoding: base64\n\n");
    append_base64_lines(&buffer, message->attachment, message->attachment_size);
    buffer_add_format(&buffer, "--%s--\n", boundary);
  }
  if (buffer.failed) {
    buffer_free(&buffer);
    return error_set(error, STATUS_RUNTIME, "out of memory building a mail message");
  }
  *output = buffer.data;
  *length = buffer.length;
  return STATUS_OK;
}
