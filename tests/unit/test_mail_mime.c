/*
 * mail/mime.h: base64 (RFC 4648 vectors), RFC 2047 encoded words for Vietnamese (split on
 * character boundaries, lines within 78 characters, decoding back to the input), header
 * injection refused, and whole messages: headers, a base64 body and a PDF attachment that
 * decode back byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mime.h"
#include "tap.h"

static int decode_character(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes base64, skipping line ends; returns the byte count. */
static size_t decode_base64(const char *text, size_t length, unsigned char *out) {
  size_t written = 0;
  unsigned bits = 0, value = 0;
  for (size_t i = 0; i < length; i++) {
    int digit = decode_character(text[i]);
    if (digit < 0)
      continue;
    value = (value << 6) | (unsigned)digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = (unsigned char)(value >> bits);
      value &= (1u << bits) - 1;
    }
  }
  return written;
}

static size_t longest_line(const char *text) {
  size_t longest = 0;
  while (*text != '\0') {
    size_t length = strcspn(text, "\n");
    longest = length > longest ? length : longest;
    text += length + (text[length] == '\n');
  }
  return longest;
}

static void test_base64(void) {
  const char *inputs[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *outputs[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (size_t i = 0; i < 7; i++) {
    char out[32];
    mime_base64((const unsigned char *)inputs[i], strlen(inputs[i]), out);
    tap_is_string(out, outputs[i], "base64 of '%s' (RFC 4648)", inputs[i]);
  }
}

/* Decodes the encoded words of one header into `out`; false if a word is malformed or a word's
 * bytes do not start on a character boundary. */
static bool decode_header(const char *header, char *out, size_t size, bool *boundaries_ok) {
  size_t written = 0;
  *boundaries_ok = true;
  const char *at = header;
  while ((at = strstr(at, "=?UTF-8?B?")) != NULL) {
    at += 10;
    const char *end = strstr(at, "?=");
    if (end == NULL)
      return false;
    unsigned char bytes[256];
    size_t count = decode_base64(at, (size_t)(end - at), bytes);
    if (count > 0 && (bytes[0] & 0xC0) == 0x80)
      *boundaries_ok = false;
    if (written + count + 1 > size)
      return false;
    memcpy(out + written, bytes, count);
    written += count;
    at = end + 2;
  }
  out[written] = '\0';
  return written > 0;
}

static void test_headers(void) {
  char *header = NULL;
  struct error error;
  tap_ok(mime_header("Subject", "Plain ASCII subject", &header, &error) == STATUS_OK,
         "an ASCII subject is accepted");
  tap_is_string(header, "Subject: Plain ASCII subject\n", "and written as it is");
  free(header);
  const char *vietnamese = "[Đúng hẹn] Phiếu xin lỗi và hẹn lại ngày trả kết quả số "
                           "07/PXL-TTPVHCC: hồ sơ H23.10-260115-0042 của Nguyễn Thị Thu Hương";
  tap_ok(mime_header("Subject", vietnamese, &header, &error) == STATUS_OK,
         "a long Vietnamese subject is accepted");
  tap_ok(strncmp(header, "Subject: =?UTF-8?B?", 19) == 0, "as RFC 2047 B words");
  tap_ok(longest_line(header) <= MIME_LINE_LIMIT, "folded within 78 characters (%zu)",
         longest_line(header));
  int lines = 0;
  for (const char *at = header; *at != '\0'; at++)
    lines += *at == '\n';
  tap_ok(lines >= 3, "over several lines (%d)", lines);
  bool continuation_ok = true;
  for (const char *at = strchr(header, '\n'); at != NULL && at[1] != '\0';
       at = strchr(at + 1, '\n'))
    continuation_ok &= at[1] == ' ';
  tap_ok(continuation_ok, "each continuation line starts with a space");
  char decoded[1024];
  bool boundaries = false;
  tap_ok(decode_header(header, decoded, sizeof decoded, &boundaries), "the words decode");
  tap_is_string(decoded, vietnamese, "back to the exact subject");
  tap_ok(boundaries, "no word starts inside a character");
  free(header);
  tap_is_integer(mime_header("Subject", "a\r\nBcc: victim@example.org", &header, &error),
                 STATUS_INVALID, "a subject with CR LF is refused");
  tap_is_string(error.message, "mail header Subject: a line break is not allowed",
                "with the exact message");
  tap_ok(header == NULL, "and no header is made");
  tap_ok(mime_header("Subject", "=?UTF-8?B?QQ==?= looks encoded", &header, &error) == STATUS_OK &&
             strncmp(header, "Subject: =?UTF-8?B?", 19) == 0,
         "ASCII text that looks like an encoded word is encoded itself");
  free(header);
}

static const char *header_line(const char *message, const char *name, char *out, size_t size) {
  char needle[64];
  snprintf(needle, sizeof needle, "\n%s: ", name);
  const char *at = strstr(message, needle);
  out[0] = '\0';
  if (at == NULL)
    return NULL;
  at += 1;
  snprintf(out, size, "%.*s", (int)strcspn(at, "\n"), at);
  return out;
}

static void test_message(void) {
  unsigned char pdf[10000];
  unsigned seed = 12345;
  for (size_t i = 0; i < sizeof pdf; i++) {
    seed = seed * 1103515245u + 12345u;
    pdf[i] = (unsigned char)(seed >> 16);
  }
  const char *body = "Kính gửi: Bộ phận Một cửa,\n\nHồ sơ H23.10-260115-0042 quá hạn.\n";
  struct mime_message message = {
      .from_address = "dunghen@example.org",
      .from_name = "Hệ thống Đúng hẹn",
      .to_address = "motcua@ttpvhcc.example.org",
      .subject = "[Đúng hẹn] Hồ sơ quá hạn: hồ sơ H23.10-260115-0042",
      .message_id = "outbox-7.1abbd5c0@example.org",
      .date = 1770262200, /* 2026-02-05T03:30:00Z: 10:30 in Vietnam */
      .body = body,
      .attachment_name = "0007_H23.10 260115/0042.pdf",
      .attachment = pdf,
      .attachment_size = sizeof pdf,
  };
  char *text = NULL;
  size_t length = 0;
  struct error error;
  if (!tap_ok(mime_build(&message, &text, &length, &error) == STATUS_OK, "a message is built"))
    return;
  tap_is_integer((long long)strlen(text), (long long)length, "its length is reported");
  tap_ok(strncmp(text, "Date: Thu, 05 Feb 2026 10:30:00 +0700\n", 38) == 0,
         "Date first, in Vietnam's time");
  char line[256];
  tap_is_string(header_line(text, "To", line, sizeof line) ? line : "",
                "To: motcua@ttpvhcc.example.org", "To: the one recipient");
  tap_is_string(header_line(text, "Message-ID", line, sizeof line) ? line : "",
                "Message-ID: <outbox-7.1abbd5c0@example.org>", "Message-ID as given");
  tap_ok(strstr(text, "\nFrom: =?UTF-8?B?") != NULL &&
             strstr(text, "?=\n <dunghen@example.org>\n") != NULL,
         "From: an encoded display name, then the address");
  tap_ok(strstr(text, "\nMIME-Version: 1.0\n") != NULL, "MIME-Version");
  tap_ok(strstr(text, "\nContent-Type: multipart/mixed; boundary=\"=_dunghen_part\"\n") != NULL,
         "multipart/mixed with the attachment");
  tap_ok(strstr(text, "filename=\"0007_H23.10_260115_0042.pdf\"") != NULL,
         "the file name keeps only safe characters");
  tap_ok(longest_line(text) <= MIME_LINE_LIMIT, "no line passes 78 characters (%zu)",
         longest_line(text));
  tap_ok(strchr(text, '\r') == NULL, "lines end in LF (sendmail converts)");
  const char *part = strstr(text, "Content-Type: text/plain; charset=UTF-8\n"
                                  "Content-Transfer-Encoding: base64\n\n");
  unsigned char decoded[20000];
  if (tap_ok(part != NULL, "a UTF-8 text part in base64")) {
    part = strstr(part, "\n\n") + 2;
    size_t count = decode_base64(part, strcspn(part, "-"), decoded);
    decoded[count] = '\0';
    tap_is_string((const char *)decoded, body, "the body decodes back exactly");
  }
  const char *attachment = strstr(text, "Content-Type: application/pdf;");
  if (tap_ok(attachment != NULL, "an application/pdf part")) {
    attachment = strstr(attachment, "\n\n") + 2;
    const char *end = strstr(attachment, "--=_dunghen_part--\n");
    size_t count = end != NULL ? decode_base64(attachment, (size_t)(end - attachment), decoded) : 0;
    tap_ok(count == sizeof pdf && memcmp(decoded, pdf, sizeof pdf) == 0,
           "the attachment decodes back byte for byte (%zu bytes)", count);
  }
  tap_ok(length >= 19 && strcmp(text + length - 19, "--=_dunghen_part--\n") == 0,
         "the closing boundary ends the message");
  free(text);
  message.attachment_name = NULL;
  tap_ok(mime_build(&message, &text, &length, &error) == STATUS_OK &&
             strstr(text, "multipart") == NULL &&
             strstr(text, "\nContent-Type: text/plain; charset=UTF-8\n") != NULL,
         "without an attachment: a single text/plain message");
  free(text);
  message.to_address = "motcua@example.org\nBcc: victim@example.org";
  tap_is_integer(mime_build(&message, &text, &length, &error), STATUS_INVALID,
                 "a recipient with a line break is refused");
  tap_is_string(error.message, "mail header To: a line break is not allowed",
                "with the exact message");
  message.to_address = "motcua@example.org";
  message.from_name = "Dunghen\r";
  tap_is_integer(mime_build(&message, &text, &length, &error), STATUS_INVALID,
                 "a display name with CR is refused");
  tap_is_string(error.message, "mail header From name: a line break is not allowed",
                "with the exact message");
}

int main(void) {
  test_base64();
  test_headers();
  test_message();
  return tap_finish();
}
