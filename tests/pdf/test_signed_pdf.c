/*
 * letter/signed_pdf.h on crafted files, without a database: a letter rendered through the C
 * API and signed by podofosign (a throw-away self-signed certificate), then changed in the ways
 * a check must catch: bytes appended after the signature, the file cut short, one hex digit of
 * the signature changed, the /ByteRange widened over the /Contents; the trust with and without
 * a CA bundle, and a bundle that cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "letter/signed_pdf.h"
#include "sample_input.h"
#include "tap.h"

static unsigned char *read_all(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  unsigned char *data = malloc(1 << 22);
  *size = data != NULL ? fread(data, 1, 1 << 22, file) : 0;
  fclose(file);
  return data;
}

static void check(const unsigned char *issued, size_t issued_size, const unsigned char *file,
                  size_t size, const char *bundle, enum status expected, const char *message,
                  const char *what) {
  struct signed_pdf_result result;
  struct error error = {0};
  enum status status = signed_pdf_verify(issued, issued_size, file, size, bundle,
                                         (int64_t)time(NULL), &result, &error);
  tap_is_integer(status, expected, "%s: status %d", what, (int)expected);
  if (message != NULL)
    tap_contains(error.message, message, "%s: the message says why", what);
}

int main(void) {
  if (system("command -v podofosign openssl >/dev/null") != 0)
    return tap_skip_all("podofosign or openssl is missing (tools/dev installs them)");
  struct sample_input_setup setup;
  struct error error;
  if (!sample_input_setup_load(&setup, &error))
    return tap_skip_all(error.message);
  struct letter_input input = sample_input(setup.agency, 7, "Lê Thị Yến", "Chờ xác minh.", 0);
  struct letter_output output;
  if (!tap_is_integer(letter_render(setup.renderer, &input, &output, &error), STATUS_OK,
                      "a letter renders")) {
    sample_input_setup_free(&setup);
    return tap_finish();
  }
  char directory[] = "/tmp/dunghen-signed-XXXXXX";
  if (mkdtemp(directory) == NULL)
    return tap_skip_all("no temporary directory");
  char path[sizeof directory + 32], command[1024];
  snprintf(path, sizeof path, "%s/issued.pdf", directory);
  FILE *file = fopen(path, "wb");
  fwrite(output.pdf, 1, output.size, file);
  fclose(file);
  snprintf(command, sizeof command,
           "cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem"
           " -days 30 -subj '/CN=Nguyễn Văn Minh/O=TTPVHCC' -utf8 >/dev/null 2>&1 &&"
           " openssl req -x509 -newkey rsa:2048 -nodes -keyout other-key.pem -out other.pem"
           " -days 30 -subj '/CN=Another CA' >/dev/null 2>&1 &&"
           " podofosign -in issued.pdf -out signed.pdf -cert cert.pem -pkey key.pem"
           " -digest sha256 -field-name head_signature -field-use-existing >/dev/null 2>&1",
           directory);
  size_t size = 0;
  unsigned char *signed_file = NULL;
  if (tap_is_integer(system(command), 0, "podofosign signs it with a throw-away certificate")) {
    snprintf(path, sizeof path, "%s/signed.pdf", directory);
    signed_file = read_all(path, &size);
  }
  if (signed_file != NULL && size > output.size) {
    const unsigned char *issued = output.pdf;
    size_t issued_size = output.size;
    struct signed_pdf_result result;
    tap_is_integer(signed_pdf_verify(issued, issued_size, signed_file, size, NULL,
                                     (int64_t)time(NULL), &result, &error),
                   STATUS_OK, "the signed file verifies for integrity");
    tap_is_integer(result.trust, SIGNED_PDF_INTEGRITY_ONLY, "integrity only without a bundle");
    tap_is_integer((long long)result.signature_count, 1, "one signature");
    tap_is_string(result.subject, "O=TTPVHCC,CN=Nguyễn Văn Minh",
                  "the signer's subject in UTF-8, RFC 2253");
    char bundle[sizeof directory + 32], other[sizeof directory + 32];
    snprintf(bundle, sizeof bundle, "%s/cert.pem", directory);
    snprintf(other, sizeof other, "%s/other.pem", directory);
    tap_is_integer(signed_pdf_verify(issued, issued_size, signed_file, size, bundle,
                                     (int64_t)time(NULL), &result, &error),
                   STATUS_OK, "a bundle holding the signer's (self-signed) certificate");
    tap_is_integer(result.trust, SIGNED_PDF_VERIFIED, "verified");
    check(issued, issued_size, signed_file, size, other, STATUS_INVALID,
          "not trusted by the CA bundle", "a bundle of another CA");
    check(issued, issued_size, signed_file, size, "/nonexistent/ca.pem", STATUS_RUNTIME,
          "cannot load the CA bundle /nonexistent/ca.pem", "a bundle that cannot be read");
    /* A year after the certificate expired, it no longer chains. */
    struct signed_pdf_result later;
    tap_is_integer(signed_pdf_verify(issued, issued_size, signed_file, size, bundle,
                                     (int64_t)time(NULL) + 400 * 86400, &later, &error),
                   STATUS_INVALID, "checked at `now`: an expired signer is refused (%s)",
                   error.message);

    unsigned char *changed = malloc(size + 64);
    memcpy(changed, signed_file, size);
    memcpy(changed + size, "\n% more\n%%EOF\n", 14);
    check(issued, issued_size, changed, size + 14, NULL, STATUS_INVALID, "covered by no signature",
          "bytes appended after the signature");
    check(issued, issued_size, signed_file, size - 7, NULL, STATUS_INVALID,
          "is not an incremental update", "the file cut short");
    check(issued, issued_size, issued, issued_size, NULL, STATUS_INVALID, "without a signature",
          "the issued letter");
    check(issued, issued_size, signed_file, issued_size - 1, NULL, STATUS_INVALID,
          "does not start with", "a file shorter than the letter");
    /* One hex digit near the end of the signature value (inside the DER, not the padding). */
    memcpy(changed, signed_file, size);
    unsigned char *contents = memmem(changed, size, "/Contents<", 10);
    if (tap_ok(contents != NULL, "the signature's /Contents is found")) {
      unsigned char *digit = contents + 10 + 600;
      *digit = *digit == '0' ? '1' : '0';
      check(issued, issued_size, changed, size, NULL, STATUS_INVALID, "does not verify",
            "one hex digit of the signature changed");
    }
    /* The /ByteRange widened to leave bytes before /Contents unsigned. */
    memcpy(changed, signed_file, size);
    unsigned char *range = memmem(changed, size, "/ByteRange[ 0 ", 14);
    if (tap_ok(range != NULL, "the /ByteRange is found")) {
      size_t b = 0;
      sscanf((char *)range + 14, "%zu", &b);
      /* b - 1, as wide as b (a leading space where it has a digit less): the file keeps its
       * size and offsets. */
      char widened[32];
      int width = snprintf(NULL, 0, "%zu", b);
      snprintf(widened, sizeof widened, "%*zu", width, b - 1);
      memcpy(range + 14, widened, (size_t)width);
      check(issued, issued_size, changed, size, NULL, STATUS_INVALID,
            "are not exactly its /Contents hex string", "a /ByteRange that leaves more out");
    }
    free(changed);
  }
  free(signed_file);
  snprintf(command, sizeof command, "rm -rf '%s'", directory);
  if (system(command) != 0)
    tap_diagnostic("could not remove %s", directory);
  letter_output_free(&output);
  sample_input_setup_free(&setup);
  return tap_finish();
}
