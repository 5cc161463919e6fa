/*
 * Signed letters, end to end with real signing tools (issue 20; docs/LETTERS.md, "Signing"):
 *   - the daemon renders three letters, one of an agency with `seal_signature: true`;
 *     `letters get` gives their issued bytes;
 *   - Debian's pdfsig signs the empty field `head_signature` with a throw-away NSS database made
 *     by certutil and pk12util, and podofosign signs it with a throw-away OpenSSL key and
 *     certificate (-field-use-existing); pdfsig then reports each signature valid, and qpdf
 *     --check passes on every result;
 *   - `letters take-signed` accepts a signed letter (state signed, subject, time, trust and the
 *     bytes recorded), and refuses, storing nothing (exit 2): the letter altered by one byte
 *     after signing (in the issued part, and in the signed update), another letter's signed
 *     file, the unsigned letter, a second take-back, and a signer from an untrusted CA when a
 *     CA bundle is configured; without a bundle the same file is accepted as integrity-only;
 *   - the sealed letter signed twice (pdfsig the head's field, then podofosign the seal's, in a
 *     second incremental update) is accepted with both signatures.
 */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "e2e_support.h"
#include "tap.h"

struct setup {
  struct e2e_harness harness;
  char directory[PATH_MAX];            /* keys, certificates and PDFs */
  char trusting_config[PATH_MAX + 32]; /* letters.ca_bundle: the trusted CA */
  char plain_config[PATH_MAX + 32];    /* no bundle */
};

static int shell(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command (its output discarded unless redirected); its exit status. */
static int shell(const char *format, ...) {
  char command[8 * PATH_MAX];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(command, sizeof command, format, arguments);
  va_end(arguments);
  int status = system(command);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs `dunghen ARGUMENTS --db ...`; stdout and stderr in `output`; the exit status. */
static int dunghen(const struct setup *setup, char *output, size_t size, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static int dunghen(const struct setup *setup, char *output, size_t size, const char *format, ...) {
  char arguments[4 * PATH_MAX], command[6 * PATH_MAX];
  va_list list;
  va_start(list, format);
  vsnprintf(arguments, sizeof arguments, format, list);
  va_end(list);
  snprintf(command, sizeof command, "'%s' %s --db '%s' 2>&1", getenv("DUNGHEN_BINARY"), arguments,
           setup->harness.conninfo);
  output[0] = '\0';
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return -1;
  size_t got = fread(output, 1, size - 1, pipe);
  output[got] = '\0';
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void query_text(const struct e2e_harness *harness, const char *sql, char *out, size_t size) {
  PGresult *result = PQexec(harness->db, sql);
  bool found = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 &&
               !PQgetisnull(result, 0, 0);
  snprintf(out, size, "%s", found ? PQgetvalue(result, 0, 0) : "");
  PQclear(result);
}

static void write_file(const char *path, const char *text) {
  FILE *file = fopen(path, "w");
  if (file != NULL) {
    fputs(text, file);
    fclose(file);
  }
}

/* The output of a shell command, at most size - 1 bytes. */
static void capture(char *output, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void capture(char *output, size_t size, const char *format, ...) {
  char command[8 * PATH_MAX];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(command, sizeof command, format, arguments);
  va_end(arguments);
  output[0] = '\0';
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return;
  size_t got = fread(output, 1, size - 1, pipe);
  output[got] = '\0';
  pclose(pipe);
}

static void render_letters(struct setup *setup, const char *config) {
  struct e2e_harness *harness = &setup->harness;
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "the daemon starts"))
    return;
  e2e_db_exec(harness,
              "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh, "
              "dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai, ly_do_tre_han) "
              "SELECT 'SG-' || g, '9.900001', CASE WHEN g = 3 THEN 'DLK-SNNMT' ELSE 'DLK-TTPVHCC' "
              "END, 'Lê Thị Lưu ' || g, "
              "'0661' || lpad(g::text, 8, '0'), 'xã Hòa Phú', 'thử nghiệm', 'truc_tiep', "
              "now() - interval '30 days', 'dang_xu_ly', 'Chờ kết quả xác minh' "
              "FROM generate_series(1, 3) AS g");
  tap_ok(e2e_db_wait_integer(harness, 3, 30,
                             "SELECT count(*) FROM dunghen.letter_log WHERE state = 'rendered'"),
         "the daemon renders three letters");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "the daemon stops");
}

/* Throw-away keys: a trusted CA and its signer (also in an NSS database for pdfsig), and an
 * untrusted CA and its signer. */
static bool make_keys(const struct setup *setup) {
  const char *d = setup->directory;
  return shell("cd '%s' && printf '[signer]\\nbasicConstraints=CA:false\\n"
               "keyUsage=critical,digitalSignature,nonRepudiation\\n' > signer.cnf",
               d) == 0 &&
         shell("cd '%s' && for ca in trusted untrusted; do"
               " openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca-ca.key -out $ca-ca.pem"
               " -days 30 -subj \"/CN=Test CA $ca\" -addext basicConstraints=critical,CA:true"
               " -addext keyUsage=critical,keyCertSign,cRLSign &&"
               " openssl req -newkey rsa:2048 -nodes -keyout $ca-signer.key -out $ca-signer.csr"
               " -subj \"/CN=Nguyen Van Minh $ca/O=TTPVHCC\" &&"
               " openssl x509 -req -in $ca-signer.csr -CA $ca-ca.pem -CAkey $ca-ca.key"
               " -CAcreateserial -out $ca-signer.pem -days 30 -extfile signer.cnf"
               " -extensions signer || exit 1; done >/dev/null 2>&1",
               d) == 0 &&
         shell("cd '%s' && mkdir nss && certutil -N -d sql:nss --empty-password &&"
               " openssl pkcs12 -export -inkey trusted-signer.key -in trusted-signer.pem"
               " -certfile trusted-ca.pem -out signer.p12 -passout pass: -name signer &&"
               " pk12util -i signer.p12 -d sql:nss -W '' >/dev/null 2>&1 &&"
               " certutil -M -d sql:nss -n 'Test CA trusted' -t CT,C,C >/dev/null 2>&1",
               d) == 0;
}

/* pdfsig's verdict on a file: 0 when it reports every signature valid. */
static bool pdfsig_valid(const struct setup *setup, const char *file) {
  char output[4096];
  capture(output, sizeof output, "cd '%s' && pdfsig -nssdir sql:nss '%s' 2>&1", setup->directory,
          file);
  return strstr(output, "Signature Validation: Signature is Valid.") != NULL &&
         strstr(output, "Signature Field Name: head_signature") != NULL;
}

static void sign_letters(struct setup *setup) {
  const char *d = setup->directory;
  char output[8192];
  tap_is_integer(
      dunghen(setup, output, sizeof output, "letters get --code SG-1 --out '%s/one.pdf'", d), 0,
      "letters get SG-1");
  tap_is_integer(
      dunghen(setup, output, sizeof output, "letters get --code SG-2 --out '%s/two.pdf'", d), 0,
      "letters get SG-2");
  tap_is_integer(shell("cd '%s' && pdfsig -nssdir sql:nss -sign head_signature -nick signer"
                       " one.pdf one-pdfsig.pdf >/dev/null 2>&1",
                       d),
                 0, "pdfsig -sign head_signature fills the empty field");
  tap_ok(pdfsig_valid(setup, "one-pdfsig.pdf"), "pdfsig reports the signature valid");
  tap_is_integer(shell("cd '%s' && podofosign -in two.pdf -out two-podofo.pdf"
                       " -cert trusted-signer.pem -pkey trusted-signer.key -digest sha256"
                       " -field-name head_signature -field-use-existing >/dev/null 2>&1",
                       d),
                 0, "podofosign -field-use-existing fills the empty field");
  tap_ok(pdfsig_valid(setup, "two-podofo.pdf"), "pdfsig reports podofosign's signature valid");
  tap_is_integer(shell("cd '%s' && podofosign -in two.pdf -out two-untrusted.pdf"
                       " -cert untrusted-signer.pem -pkey untrusted-signer.key -digest sha256"
                       " -field-name head_signature -field-use-existing >/dev/null 2>&1",
                       d),
                 0, "podofosign signs with a certificate of an untrusted CA");
  const char *files[] = {"one-pdfsig.pdf", "two-podofo.pdf", "two-untrusted.pdf"};
  for (size_t i = 0; i < 3; i++)
    tap_is_integer(shell("cd '%s' && qpdf --check %s >/dev/null 2>&1", d, files[i]), 0,
                   "qpdf --check passes on %s", files[i]);
  /* One byte changed after signing: in the issued part, and in the signed update (the
   * signer's /Name, inside the signed range). */
  tap_is_integer(shell("cd '%s' && cp one-pdfsig.pdf one-issued-altered.pdf &&"
                       " printf 'X' | dd of=one-issued-altered.pdf bs=1 seek=400 conv=notrunc"
                       " 2>/dev/null && python3 -c \"import sys; data = open('one-pdfsig.pdf',"
                       " 'rb').read(); at = data.rindex(b'/Name (N') + 7;"
                       " open('one-update-altered.pdf', 'wb').write(data[:at] + b'M' +"
                       " data[at + 1:])\"",
                       d),
                 0, "two altered copies are made");
}

static long long signed_rows(const struct setup *setup) {
  return e2e_db_integer(&setup->harness, "SELECT count(*) FROM dunghen.letter_signed");
}

static void refused(struct setup *setup, const char *config, const char *code, const char *file,
                    const char *message, const char *what) {
  char output[8192];
  long long before = signed_rows(setup);
  char state[32];
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT state FROM dunghen.letter_log WHERE dossier_code = '%s'", code);
  char state_before[32];
  query_text(&setup->harness, sql, state_before, sizeof state_before);
  int status = dunghen(setup, output, sizeof output,
                       "letters take-signed --config '%s' --code %s --in '%s/%s'", config, code,
                       setup->directory, file);
  tap_is_integer(status, 2, "%s: refused, exit 2", what);
  tap_contains(output, message, "%s: the message names the reason", what);
  query_text(&setup->harness, sql, state, sizeof state);
  tap_ok(signed_rows(setup) == before && strcmp(state, state_before) == 0,
         "%s: nothing stored (letter_signed rows %lld, state %s)", what, signed_rows(setup), state);
}

static void take_back(struct setup *setup) {
  const char *trusting = setup->trusting_config, *plain = setup->plain_config;
  char output[8192];
  refused(setup, trusting, "SG-1", "one.pdf",
          "the letter as dunghen issued it, without a signature", "the unsigned letter");
  refused(setup, trusting, "SG-1", "one-issued-altered.pdf", "does not start with the",
          "one byte altered in the issued part after signing");
  refused(setup, trusting, "SG-1", "one-update-altered.pdf",
          "signature 1 does not verify: the file was altered after signing",
          "one byte altered in the signed update");
  refused(setup, trusting, "SG-2", "one-pdfsig.pdf", "does not start with the",
          "another letter's signed file");
  refused(setup, trusting, "SG-2", "two-untrusted.pdf",
          "the signer's certificate is not trusted by the CA bundle",
          "an untrusted signer with a CA bundle");

  int status = dunghen(setup, output, sizeof output,
                       "letters take-signed --config '%s' --code SG-1 --in '%s/one-pdfsig.pdf'",
                       trusting, setup->directory);
  tap_is_integer(status, 0, "pdfsig's signed letter is taken back: exit 0 %s", output);
  tap_contains(output,
               "signed (verified): 1 signature(s), signer O=TTPVHCC,CN=Nguyen Van Minh "
               "trusted",
               "it prints the trust and the signer");
  char text[512];
  query_text(&setup->harness,
             "SELECT l.state || ' ' || s.trust || ' ' || s.signer_subject || ' '"
             " || (s.signed_at IS NOT NULL) || ' ' || (s.issued_sha256 = l.sha256) || ' '"
             " || (encode(substring(s.pdf FROM 1 FOR l.bytes::integer), 'hex')"
             "     = encode(p.pdf, 'hex'))"
             " FROM dunghen.letter_log l JOIN dunghen.letter_signed s ON s.letter_id = l.id"
             " JOIN dunghen.letter_pdf p ON p.letter_id = l.id AND p.version = l.version"
             " WHERE l.dossier_code = 'SG-1'",
             text, sizeof text);
  tap_is_string(text, "signed verified O=TTPVHCC,CN=Nguyen Van Minh trusted true true true",
                "state signed, trust, subject, signing time and the issued bytes recorded");
  char recorded[80], file[80];
  query_text(&setup->harness,
             "SELECT s.sha256 FROM dunghen.letter_signed s JOIN dunghen.letter_log l"
             " ON l.id = s.letter_id WHERE l.dossier_code = 'SG-1'",
             recorded, sizeof recorded);
  capture(file, sizeof file, "sha256sum '%s/one-pdfsig.pdf' | cut -c1-64 | tr -d '\\n'",
          setup->directory);
  tap_is_string(recorded, file, "the stored signed file is the file taken back");
  refused(setup, trusting, "SG-1", "one-pdfsig.pdf", "already taken back signed",
          "a second take-back");

  const char *d = setup->directory;
  tap_is_integer(
      dunghen(setup, output, sizeof output, "letters get --code SG-3 --out '%s/sealed.pdf'", d), 0,
      "letters get SG-3 (seal_signature: true)");
  tap_is_integer(shell("qpdf --json --json-key=acroform '%s/sealed.pdf' | grep -q"
                       " '\"fullname\": \"seal_signature\"'",
                       d),
                 0, "the issued letter has the empty seal_signature field");
  tap_is_integer(shell("cd '%s' && pdfsig -nssdir sql:nss -sign head_signature -nick signer"
                       " sealed.pdf sealed-head.pdf >/dev/null 2>&1 && podofosign -in"
                       " sealed-head.pdf -out sealed-both.pdf -cert trusted-signer.pem"
                       " -pkey trusted-signer.key -digest sha256 -field-name seal_signature"
                       " -field-use-existing >/dev/null 2>&1 && qpdf --check sealed-both.pdf"
                       " >/dev/null 2>&1",
                       d),
                 0, "pdfsig signs the head's field, podofosign the seal's; qpdf --check passes");
  char verdicts[4096];
  capture(verdicts, sizeof verdicts, "cd '%s' && pdfsig -nssdir sql:nss sealed-both.pdf 2>&1", d);
  tap_contains(verdicts, "Signature Field Name: seal_signature",
               "pdfsig sees the seal's signature");
  const char *second = strstr(verdicts, "Signature #2");
  tap_ok(second != NULL && strstr(verdicts, "Signature is Valid.") < second &&
             strstr(second, "Signature is Valid.") != NULL,
         "pdfsig reports both signatures valid");
  status = dunghen(setup, output, sizeof output,
                   "letters take-signed --config '%s' --code SG-3 --in '%s/sealed-both.pdf'",
                   trusting, d);
  tap_is_integer(status, 0, "the letter signed twice is taken back: exit 0 %s", output);
  tap_contains(output, "signed (verified): 2 signature(s)", "with both signatures verified");

  status = dunghen(setup, output, sizeof output,
                   "letters take-signed --config '%s' --code SG-2 --in '%s/two-untrusted.pdf'",
                   plain, setup->directory);
  tap_is_integer(status, 0, "without a CA bundle the untrusted signer is accepted: exit 0 %s",
                 output);
  query_text(&setup->harness,
             "SELECT l.state || ' ' || s.trust || ' ' || s.signer_subject"
             " FROM dunghen.letter_log l JOIN dunghen.letter_signed s ON s.letter_id = l.id"
             " WHERE l.dossier_code = 'SG-2'",
             text, sizeof text);
  tap_is_string(text, "signed integrity-only O=TTPVHCC,CN=Nguyen Van Minh untrusted",
                "recorded as integrity-only");
  tap_is_integer(dunghen(setup, output, sizeof output,
                         "letters take-signed --code SG-2 --out x.pdf --in y.pdf"),
                 2, "take-signed with --out: usage error, exit 2");
  tap_is_integer(dunghen(setup, output, sizeof output, "letters get --code SG-1 --out '%s/get.pdf'",
                         setup->directory),
                 0, "letters get still gives a signed letter's issued draft");
  tap_is_integer(shell("cmp -s '%s/get.pdf' '%s/one.pdf'", setup->directory, setup->directory), 0,
                 "the same bytes as issued");
  /* A delay reason that changes after signing re-drafts a rendered letter (issue 10), never a
   * signed one: the head signed those words. */
  e2e_db_exec(&setup->harness, "UPDATE onestop.ho_so SET ly_do_tre_han = 'Chờ ý kiến Sở Tài chính'"
                               " WHERE ma_ho_so IN ('SG-1', 'SG-3')");
  tap_is_integer(dunghen(setup, output, sizeof output, "once --config '%s'", plain), 0,
                 "a pass after the delay reasons changed: exit 0 %s", output);
  query_text(
      &setup->harness,
      "SELECT string_agg(dossier_code || ' ' || state || ' ' || version, ', '"
      " ORDER BY dossier_code) FROM dunghen.letter_log WHERE dossier_code IN ('SG-1', 'SG-3')",
      text, sizeof text);
  tap_is_string(text, "SG-1 signed 1, SG-3 signed 1", "the signed letters keep their drafts");
  tap_is_integer(e2e_db_integer(&setup->harness, "SELECT count(*) FROM dunghen.letter_version"), 0,
                 "and no earlier draft was set aside (the re-draft's first step)");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  if (shell("command -v pdfsig certutil pk12util podofosign openssl qpdf >/dev/null") != 0)
    return tap_skip_all("pdfsig, certutil, pk12util, podofosign, openssl or qpdf is missing "
                        "(tools/dev installs them)");
  static struct setup setup;
  struct e2e_harness *harness = &setup.harness;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char agencies[3 * PATH_MAX];
  if (!tap_ok(e2e_setup(harness, conninfo), "database migrated, reference schema in"))
    return tap_finish();
  snprintf(agencies, sizeof agencies, "cp '%s/rules/agencies.yaml' '%s/agencies.yaml'",
           source != NULL ? source : ".", harness->rules);
  tap_is_integer(system(agencies), 0, "agencies in");
  snprintf(agencies, sizeof agencies,
           "sed -i 's/^  - code: DLK-SNNMT$/  - code: DLK-SNNMT\\n    seal_signature: true/' "
           "'%s/agencies.yaml' && grep -q 'seal_signature: true' '%s/agencies.yaml'",
           harness->rules, harness->rules);
  tap_is_integer(system(agencies), 0, "DLK-SNNMT's letters carry the seal's field");
  snprintf(setup.directory, sizeof setup.directory, "%s/signing", harness->directory);
  mkdir(setup.directory, 0700);
  char spool[PATH_MAX + 16], config[3 * PATH_MAX];
  snprintf(spool, sizeof spool, "%s/spool", harness->directory);
  mkdir(spool, 0755);
  snprintf(config, sizeof config,
           "paths:\n  letters: %s/letters\n  spool: %s\nsync:\n  poll_interval: 3600\n",
           source != NULL ? source : ".", spool);
  snprintf(setup.plain_config, sizeof setup.plain_config, "%s/plain.yaml", setup.directory);
  write_file(setup.plain_config, config);
  char trusting[4 * PATH_MAX];
  snprintf(trusting, sizeof trusting, "%sletters:\n  ca_bundle: %s/trusted-ca.pem\n", config,
           setup.directory);
  snprintf(setup.trusting_config, sizeof setup.trusting_config, "%s/trusting.yaml",
           setup.directory);
  write_file(setup.trusting_config, trusting);
  if (tap_ok(make_keys(&setup), "throw-away CAs, signers and an NSS database")) {
    render_letters(&setup, config);
    sign_letters(&setup);
    take_back(&setup);
  }
  e2e_teardown(harness);
  return tap_finish();
}
