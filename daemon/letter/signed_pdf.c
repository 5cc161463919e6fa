/*
 * signed_pdf.c: a signed letter checked against its issued bytes (see signed_pdf.h). The PDF
 * is read only as far as signing needs: the byte ranges and their /Contents, and the
 * incremental update's /Prev. A PDF signature is defined over bytes, not over parsed objects,
 * so that is also all a check of one needs; what the signer's tool changed in the update is
 * its own business, as long as the signature covers it.
 */
#include "letter/signed_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "core/civil.h"

struct cursor {
  const unsigned char *data;
  size_t size, at;
};

static bool is_space(unsigned char byte) {
  return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t' || byte == '\f' ||
         byte == '\0';
}

static bool is_digit(unsigned char byte) {
  return byte >= '0' && byte <= '9';
}

static void skip_space(struct cursor *cursor) {
  while (cursor->at < cursor->size && is_space(cursor->data[cursor->at]))
    cursor->at++;
}

/* A non-negative decimal integer of at most 15 digits (a file offset), after white space. */
static bool read_offset(struct cursor *cursor, size_t *value) {
  skip_space(cursor);
  size_t start = cursor->at;
  *value = 0;
  while (cursor->at < cursor->size && is_digit(cursor->data[cursor->at]) && cursor->at - start < 15)
    *value = *value * 10 + (size_t)(cursor->data[cursor->at++] - '0');
  return cursor->at > start && (cursor->at == cursor->size || !is_digit(cursor->data[cursor->at]));
}

/* The first occurrence of `needle` in data[from, to), or SIZE_MAX. */
static size_t find(const unsigned char *data, size_t from, size_t to, const char *needle) {
  size_t length = strlen(needle);
  for (size_t at = from; at + length <= to; at++)
    if (data[at] == (unsigned char)needle[0] && memcmp(data + at, needle, length) == 0)
      return at;
  return SIZE_MAX;
}

/* The last occurrence of `needle` in data[0, to), or SIZE_MAX. */
static size_t find_last(const unsigned char *data, size_t to, const char *needle) {
  size_t length = strlen(needle);
  for (size_t at = to >= length ? to - length + 1 : 0; at-- > 0;)
    if (memcmp(data + at, needle, length) == 0)
      return at;
  return SIZE_MAX;
}

/* True when data[0, end) ends with %%EOF and an optional end of line: a revision's end. */
static bool ends_revision(const unsigned char *data, size_t end) {
  while (end > 0 && (data[end - 1] == '\n' || data[end - 1] == '\r'))
    end--;
  return end >= 5 && memcmp(data + end - 5, "%%EOF", 5) == 0;
}

/* The issued file's startxref offset, which the update's trailer must give as /Prev. */
static bool issued_startxref(const unsigned char *issued, size_t size, size_t *offset) {
  size_t at = find_last(issued, size, "startxref");
  if (at == SIZE_MAX)
    return false;
  struct cursor cursor = {issued, size, at + strlen("startxref")};
  return read_offset(&cursor, offset);
}

/* Whether data[from, to) holds `/Prev N` with N == offset. */
static bool refers_back(const unsigned char *data, size_t from, size_t to, size_t offset) {
  for (size_t at = find(data, from, to, "/Prev"); at != SIZE_MAX;
       at = find(data, at + 1, to, "/Prev")) {
    struct cursor cursor = {data, to, at + strlen("/Prev")};
    size_t value;
    if (read_offset(&cursor, &value) && value == offset)
      return true;
  }
  return false;
}

static int hex_value(unsigned char byte) {
  if (is_digit(byte))
    return byte - '0';
  if (byte >= 'a' && byte <= 'f')
    return byte - 'a' + 10;
  if (byte >= 'A' && byte <= 'F')
    return byte - 'A' + 10;
  return -1;
}

/* One signature: its byte range and the DER of its /Contents. */
struct signature {
  size_t at, size; /* where its /ByteRange is, and the file's size */
  size_t range[4];
  unsigned char *der;
  size_t der_size;
};

/*
 * Reads the /ByteRange array at `at` (just after the key) and checks it: [0 b c d], with
 * data[b, c) exactly a hex string that is the value of a /Contents key, c + d at a revision's
 * end past the issued bytes. Decodes the hex into signature->der.
 */
static enum status read_signature(const unsigned char *data, size_t size, size_t issued_size,
                                  size_t at, size_t number, struct signature *signature,
                                  struct error *error) {
  struct cursor cursor = {data, size, at};
  skip_space(&cursor);
  bool valid = cursor.at < size && data[cursor.at++] == '[';
  for (int i = 0; valid && i < 4; i++)
    valid = read_offset(&cursor, &signature->range[i]);
  skip_space(&cursor);
  valid = valid && cursor.at < size && data[cursor.at] == ']';
  if (!valid)
    return error_set(error, STATUS_INVALID,
                     "signature %zu: its /ByteRange is not an array of four offsets", number);
  size_t *range = signature->range;
  /* The gap starts past the issued bytes: the signature covers all of them. */
  if (range[0] != 0 || range[1] < issued_size || range[1] >= range[2] || range[2] > size ||
      range[3] > size - range[2] || range[2] + range[3] <= issued_size ||
      !ends_revision(data, range[2] + range[3]))
    return error_set(error, STATUS_INVALID,
                     "signature %zu: its /ByteRange [%zu %zu %zu %zu] does not cover the document "
                     "from its first byte to the end of a revision",
                     number, range[0], range[1], range[2], range[3]);
  /* The gap is exactly the /Contents hex string: nothing else may be left unsigned. */
  size_t start = range[1], end = range[2];
  bool hex = end - start >= 2 && data[start] == '<' && data[end - 1] == '>';
  for (size_t i = start + 1; hex && i + 1 < end; i++)
    hex = hex_value(data[i]) >= 0;
  size_t key = start;
  while (key > 0 && is_space(data[key - 1]))
    key--;
  bool contents = key >= 9 && memcmp(data + key - 9, "/Contents", 9) == 0;
  if (!hex || !contents || (end - start - 2) % 2 != 0)
    return error_set(error, STATUS_INVALID,
                     "signature %zu: the bytes its /ByteRange leaves out are not exactly its "
                     "/Contents hex string",
                     number);
  signature->der_size = (end - start - 2) / 2;
  signature->der = malloc(signature->der_size > 0 ? signature->der_size : 1);
  if (signature->der == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory reading a signature");
  for (size_t i = 0; i < signature->der_size; i++)
    signature->der[i] = (unsigned char)(hex_value(data[start + 1 + 2 * i]) << 4 |
                                        hex_value(data[start + 2 + 2 * i]));
  return STATUS_OK;
}

/* OpenSSL's last error, for a message. */
static void openssl_reason(char *buffer, size_t size) {
  unsigned long code = ERR_peek_last_error();
  snprintf(buffer, size, "no detail");
  if (code != 0)
    ERR_error_string_n(code, buffer, size);
  ERR_clear_error();
}

/* The X509 verification error of the last failed CMS_verify, found in OpenSSL's queue. */
static void verify_reason(char *buffer, size_t size) {
  const char *detail = NULL;
  int flags = 0;
  char text[256] = "";
  unsigned long code;
  while ((code = ERR_get_error_all(NULL, NULL, NULL, &detail, &flags)) != 0) {
    if ((flags & ERR_TXT_STRING) && detail != NULL && detail[0] != '\0')
      snprintf(text, sizeof text, "%s", detail);
    else if (text[0] == '\0')
      ERR_error_string_n(code, text, sizeof text);
  }
  snprintf(buffer, size, "%s", text[0] != '\0' ? text : "no detail");
}

static void subject_of(X509 *certificate, char *subject, size_t size) {
  subject[0] = '\0';
  BIO *memory = BIO_new(BIO_s_mem());
  if (memory == NULL)
    return;
  if (X509_NAME_print_ex(memory, X509_get_subject_name(certificate), 0,
                         XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
    char *text;
    long length = BIO_get_mem_data(memory, &text);
    if (length > 0)
      snprintf(subject, size, "%.*s", (int)(length < (long)size ? length : (long)size - 1), text);
  }
  BIO_free(memory);
}

/* The signed signingTime attribute of the first signer, in Unix seconds. */
static bool signing_time_of(CMS_ContentInfo *cms, int64_t *instant) {
  STACK_OF(CMS_SignerInfo) *signers = CMS_get0_SignerInfos(cms);
  if (signers == NULL || sk_CMS_SignerInfo_num(signers) < 1)
    return false;
  CMS_SignerInfo *signer = sk_CMS_SignerInfo_value(signers, 0);
  int index = CMS_signed_get_attr_by_NID(signer, NID_pkcs9_signingTime, -1);
  X509_ATTRIBUTE *attribute = index >= 0 ? CMS_signed_get_attr(signer, index) : NULL;
  ASN1_TYPE *value = attribute != NULL ? X509_ATTRIBUTE_get0_type(attribute, 0) : NULL;
  if (value == NULL || (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME))
    return false;
  ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
  int days = 0, seconds = 0;
  bool found = epoch != NULL && ASN1_TIME_diff(&days, &seconds, epoch, value->value.utctime) == 1;
  ASN1_TIME_free(epoch);
  if (found)
    *instant = (int64_t)days * 86400 + seconds;
  return found;
}

/* `count` digits at text[at...] as a number, or -1. */
static int digits(const unsigned char *text, size_t size, size_t at, int count) {
  int value = 0;
  for (int i = 0; i < count; i++) {
    if (at + (size_t)i >= size || !is_digit(text[at + (size_t)i]))
      return -1;
    value = value * 10 + (text[at + (size_t)i] - '0');
  }
  return value;
}

/*
 * The signature dictionary's /M (D:YYYYMMDDHHmmSS, then Z or +HH'mm' / -HH'mm'; missing parts
 * default as PDF says), for a CMS without a signingTime attribute (NSS, so pdfsig, writes
 * none). It lies inside the signed range: the signer vouches for it, as for signingTime. The
 * dictionary is the indirect object around the /ByteRange at `at`.
 */
static bool modification_time(const unsigned char *data, size_t size, size_t at, int64_t *instant) {
  size_t start = find_last(data, at, " obj");
  size_t end = find(data, at, size, "endobj");
  if (start == SIZE_MAX || end == SIZE_MAX)
    return false;
  for (size_t key = find(data, start, end, "/M"); key != SIZE_MAX;
       key = find(data, key + 1, end, "/M")) {
    struct cursor cursor = {data, end, key + 2};
    skip_space(&cursor);
    if (cursor.at + 2 >= end || data[cursor.at] != '(')
      continue;
    size_t text = cursor.at + 1;
    if (data[text] == 'D' && data[text + 1] == ':')
      text += 2;
    int year = digits(data, end, text, 4);
    int parts[5] = {1, 1, 0, 0, 0}; /* month, day, hour, minute, second */
    size_t next = text + 4;
    for (int i = 0; i < 5 && digits(data, end, next, 2) >= 0; i++, next += 2)
      parts[i] = digits(data, end, next, 2);
    if (year < 1 || parts[0] < 1 || parts[0] > 12 || parts[1] < 1 || parts[1] > 31 ||
        parts[2] > 23 || parts[3] > 59 || parts[4] > 60)
      return false;
    int64_t offset = 0;
    if (next < end && (data[next] == '+' || data[next] == '-')) {
      int hours = digits(data, end, next + 1, 2);
      int minutes = next + 4 < end && data[next + 3] == '\'' ? digits(data, end, next + 4, 2) : 0;
      if (hours < 0 || minutes < 0)
        return false;
      offset = (data[next] == '+' ? 1 : -1) * ((int64_t)hours * 3600 + minutes * 60);
    }
    *instant = civil_days_from_date(year, parts[0], parts[1]) * 86400 + parts[2] * 3600 +
               parts[3] * 60 + parts[4] - offset;
    return true;
  }
  return false;
}

/* Verifies one CMS signature over its byte range; fills the result from the first one. */
static enum status verify_signature(const unsigned char *data, const struct signature *signature,
                                    size_t number, X509_STORE *trusted, const char *ca_bundle,
                                    struct signed_pdf_result *result, struct error *error) {
  ERR_clear_error();
  const unsigned char *der = signature->der;
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &der, (long)signature->der_size);
  if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return error_set(error, STATUS_INVALID,
                     "signature %zu: its /Contents is not a CMS (PKCS #7) signature", number);
  }
  const size_t *range = signature->range;
  size_t length = range[1] + range[3];
  unsigned char *signed_bytes = malloc(length);
  if (signed_bytes == NULL) {
    CMS_ContentInfo_free(cms);
    return error_set(error, STATUS_RUNTIME, "out of memory checking a signature");
  }
  memcpy(signed_bytes, data, range[1]);
  memcpy(signed_bytes + range[1], data + range[2], range[3]);
  enum status status = STATUS_OK;
  char reason[300];
  /* Integrity first (the digest over the range and the signature with the signer's key), so
   * that an altered file is told apart from an untrusted signer. CMS_BINARY: the bytes are
   * signed as they are, no MIME line endings. */
  BIO *content = BIO_new_mem_buf(signed_bytes, (int)length);
  X509_STORE *empty = X509_STORE_new();
  if (content == NULL || empty == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory checking a signature");
  else if (CMS_verify(cms, NULL, empty, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) !=
           1) {
    openssl_reason(reason, sizeof reason);
    status = error_set(error, STATUS_INVALID,
                       "signature %zu does not verify: the file was altered after signing, or "
                       "the signature is broken (OpenSSL: %s)",
                       number, reason);
  }
  BIO_free(content);
  X509_STORE_free(empty);
  if (status == STATUS_OK && trusted != NULL) {
    content = BIO_new_mem_buf(signed_bytes, (int)length);
    if (content == NULL)
      status = error_set(error, STATUS_RUNTIME, "out of memory checking a signature");
    else if (CMS_verify(cms, NULL, trusted, content, NULL, CMS_BINARY) != 1) {
      verify_reason(reason, sizeof reason);
      status = error_set(error, STATUS_INVALID,
                         "signature %zu: the signer's certificate is not trusted by the CA bundle "
                         "%s (%s)",
                         number, ca_bundle, reason);
    }
    BIO_free(content);
  }
  if (status == STATUS_OK && number == 1) {
    STACK_OF(X509) *signers = CMS_get0_signers(cms);
    if (signers != NULL && sk_X509_num(signers) > 0)
      subject_of(sk_X509_value(signers, 0), result->subject, sizeof result->subject);
    sk_X509_free(signers);
    result->has_signing_time =
        signing_time_of(cms, &result->signing_time) ||
        modification_time(data, signature->size, signature->at, &result->signing_time);
  }
  free(signed_bytes);
  CMS_ContentInfo_free(cms);
  ERR_clear_error();
  return status;
}

static enum status open_bundle(const char *ca_bundle, int64_t now, X509_STORE **store,
                               struct error *error) {
  *store = NULL;
  if (ca_bundle == NULL)
    return STATUS_OK;
  X509_STORE *trusted = X509_STORE_new();
  if (trusted == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading the CA bundle");
  ERR_clear_error();
  if (X509_STORE_load_file(trusted, ca_bundle) != 1) {
    char reason[300];
    openssl_reason(reason, sizeof reason);
    X509_STORE_free(trusted);
    return error_set(error, STATUS_RUNTIME, "cannot load the CA bundle %s (OpenSSL: %s)", ca_bundle,
                     reason);
  }
  X509_VERIFY_PARAM *parameters = X509_STORE_get0_param(trusted);
  X509_VERIFY_PARAM_set_purpose(parameters, X509_PURPOSE_ANY);
  X509_VERIFY_PARAM_set_time(parameters, (time_t)now);
  *store = trusted;
  return STATUS_OK;
}

enum status signed_pdf_verify(const unsigned char *issued, size_t issued_size,
                              const unsigned char *signed_file, size_t signed_size,
                              const char *ca_bundle, int64_t now, struct signed_pdf_result *result,
                              struct error *error) {
  memset(result, 0, sizeof *result);
  if (signed_size < issued_size || memcmp(signed_file, issued, issued_size) != 0)
    return error_set(error, STATUS_INVALID,
                     "the file does not start with the %zu bytes dunghen issued for this letter "
                     "(their sha256 differs): it is another letter or another version, or it "
                     "was changed before it was signed",
                     issued_size);
  size_t startxref = 0;
  if (signed_size == issued_size)
    return error_set(error, STATUS_INVALID,
                     "the file is the letter as dunghen issued it, without a signature");
  if (!issued_startxref(issued, issued_size, &startxref) ||
      !refers_back(signed_file, issued_size, signed_size, startxref) ||
      !ends_revision(signed_file, signed_size))
    return error_set(error, STATUS_INVALID,
                     "what follows the issued letter is not an incremental update of it (no "
                     "trailer with /Prev %zu, or no %%%%EOF at the end)",
                     startxref);
  X509_STORE *trusted;
  enum status status = open_bundle(ca_bundle, now, &trusted, error);
  size_t last_end = 0;
  for (size_t at = find(signed_file, issued_size, signed_size, "/ByteRange");
       status == STATUS_OK && at != SIZE_MAX;
       at = find(signed_file, at + 1, signed_size, "/ByteRange")) {
    struct signature signature = {at, signed_size, {0}, NULL, 0};
    size_t number = ++result->signature_count;
    status = read_signature(signed_file, signed_size, issued_size, at + strlen("/ByteRange"),
                            number, &signature, error);
    if (status == STATUS_OK)
      status = verify_signature(signed_file, &signature, number, trusted, ca_bundle, result, error);
    if (status == STATUS_OK && signature.range[2] + signature.range[3] > last_end)
      last_end = signature.range[2] + signature.range[3];
    free(signature.der);
  }
  X509_STORE_free(trusted);
  if (status != STATUS_OK)
    return status;
  if (result->signature_count == 0)
    return error_set(error, STATUS_INVALID, "the file carries no signature (no /ByteRange)");
  if (last_end != signed_size)
    return error_set(error, STATUS_INVALID,
                     "the last %zu bytes of the file are covered by no signature: it was "
                     "changed after it was signed",
                     signed_size - last_end);
  result->trust = ca_bundle != NULL ? SIGNED_PDF_VERIFIED : SIGNED_PDF_INTEGRITY_ONLY;
  return STATUS_OK;
}

const char *signed_pdf_trust_name(enum signed_pdf_trust trust) {
  return trust == SIGNED_PDF_VERIFIED ? "verified" : "integrity-only";
}
