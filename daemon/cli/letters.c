/*
 * letters.c: `dunghen letters get|export|import`, the letters kept in the database (migration
 * 9; docs/LETTERS.md): the database is the record, the spool an export any host can rebuild.
 *
 * - get: one letter's PDF (by dossier code, or agency, year and number; the current draft, or
 *   --version V) written atomically to --out (0640), from the database alone.
 * - export: every rendered draft of the letters created in [--from, --to] (local days, both
 *   included; all when omitted), of --agency when given, written to --out DIR in the daemon's
 *   spool layout (DIR/AGENCY/YEAR/NNNN_CODE[.vN].pdf), each checked against its sha256; files
 *   already identical are left alone. Prints the counts.
 * - import: the rendered drafts whose bytes the database lacks (rendered before migration 9)
 *   read from a spool (--spool DIR, else the config's), each checked against the sha256 and
 *   size of its row and stored. Prints every missing or mismatching file by path and letter
 *   number (file names hold dossier codes, never personal data).
 * - take-signed: a signed copy of one letter (selected as for get; its current draft), read
 *   from --in FILE, checked by letter/signed_pdf.h (the issued bytes first, as an incremental
 *   update; every signature over the whole document; with the config's letters.ca_bundle, a
 *   trusted signer) and recorded in dunghen.letter_signed, the letter moving to 'signed'
 *   (docs/LETTERS.md, "Signing"). A refused file stores nothing and exits 2.
 * The database is found as `dunghen report` finds it: the config's conninfo (--config, or the
 * default file), --db overriding it. Exit status: 0; 2 for bad input (options, dates, a letter
 * that does not exist); 1 when the database or the file system fails, a draft's bytes are
 * missing or do not match, or an import found files missing or mismatching.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "core/sha256.h"
#include "letter/signed_pdf.h"
#include "rules/translate.h"
#include "service/file_write.h"
#include "service/letter_export.h"
#include "service/loop.h"
#include "service/session.h"
#include "service/spool.h"
#include "store/letter_pdf.h"
#include "store/letter_signed.h"
#include "store/schema.h"

enum { IMPORT_FILE_LIMIT = 64 * 1024 * 1024 };

struct letters_options {
  const char *action; /* get, export, import, take-signed */
  const char *code;
  const char *agency;
  long year, number, version;
  bool has_year, has_number;
  const char *from, *to;
  const char *out;
  const char *in;
  const char *spool;
  const char *config;
  const char *conninfo;
};

/* `needed`: the schema version the action needs (9: the bytes; 12: the signed letters). */
static enum status connect_database(const struct config *config, int needed, PGconn **connection,
                                    struct error *error) {
  int version;
  enum status status = session_open_command(config->conninfo, &config->timeouts, "dunghen-letters",
                                            connection, &version, error);
  if (status == STATUS_OK && version < needed)
    status =
        error_set(error, STATUS_RUNTIME,
                  "the database schema is at version %d: run `dunghen migrate` first", version);
  return status;
}

/* ---- get ---- */

static enum status run_get(const struct letters_options *options, PGconn *connection,
                           struct error *error) {
  struct letter_selector selector = {
      .dossier_code = options->code,
      .agency_code = options->agency,
      .year = (int)options->year,
      .number = options->number,
      .version = options->version,
  };
  struct letter_draft_list list;
  enum status status = letter_pdf_find(connection, &selector, &list, error);
  if (status != STATUS_OK)
    return status;
  const struct letter_draft *draft = &list.drafts[0];
  unsigned char *pdf = NULL;
  size_t size = 0;
  status = letter_pdf_read(connection, draft, &pdf, &size, error);
  if (status == STATUS_OK)
    status = file_write_atomically(options->out, pdf, size, FILE_WRITE_MODE, error);
  if (status == STATUS_OK)
    printf("%s: letter %ld of %s in %d, version %" PRId64 ", %zu bytes, sha256 %s\n", options->out,
           draft->number, draft->agency_code, draft->year, draft->version, size, draft->sha256);
  free(pdf);
  letter_draft_list_free(&list);
  return status;
}

/* ---- take-signed ---- */

/* The signed file's bytes; a file that cannot be read is bad input. */
static enum status read_signed_file(const char *path, unsigned char **data, size_t *size,
                                    struct error *error) {
  *data = NULL;
  *size = 0;
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return error_set(error, STATUS_INVALID, "cannot open %s: %s", path, strerror(errno));
  unsigned char *buffer = malloc(IMPORT_FILE_LIMIT);
  size_t got = buffer != NULL ? fread(buffer, 1, IMPORT_FILE_LIMIT, file) : 0;
  bool unreadable = buffer == NULL || ferror(file);
  fclose(file);
  if (unreadable || got == IMPORT_FILE_LIMIT || got == 0) {
    free(buffer);
    return error_set(error, STATUS_INVALID, "%s: %s", path,
                     unreadable ? "cannot be read"
                     : got == 0 ? "is empty"
                                : "is larger than any signed letter (64 MB)");
  }
  *data = buffer;
  *size = got;
  return STATUS_OK;
}

static enum status run_take_signed(const struct letters_options *options,
                                   const struct config *config, PGconn *connection, int64_t now,
                                   struct error *error) {
  unsigned char *signed_file = NULL, *issued = NULL;
  size_t signed_size = 0, issued_size = 0;
  enum status status = read_signed_file(options->in, &signed_file, &signed_size, error);
  if (status != STATUS_OK)
    return status;
  struct letter_selector selector = {
      .dossier_code = options->code,
      .agency_code = options->agency,
      .year = (int)options->year,
      .number = options->number,
  };
  struct letter_draft_list list = {0};
  status = letter_pdf_find(connection, &selector, &list, error);
  const struct letter_draft *draft = status == STATUS_OK ? &list.drafts[0] : NULL;
  if (status == STATUS_OK)
    status = letter_pdf_read(connection, draft, &issued, &issued_size, error);
  struct signed_pdf_result result;
  if (status == STATUS_OK)
    status = signed_pdf_verify(issued, issued_size, signed_file, signed_size, config->ca_bundle,
                               now, &result, error);
  char hex[SHA256_HEX_SIZE] = "";
  if (status == STATUS_OK) {
    sha256_hex(signed_file, signed_size, hex);
    struct letter_signed_record record = {
        .letter_id = draft->letter_id,
        .version = draft->version,
        .issued_sha256 = draft->sha256,
        .issued_bytes = draft->bytes,
        .pdf = signed_file,
        .size = signed_size,
        .sha256 = hex,
        .signature_count = result.signature_count,
        .signer_subject = result.subject,
        .has_signed_at = result.has_signing_time,
        .signed_at = result.signing_time,
        .trust = signed_pdf_trust_name(result.trust),
        .taken_at = now,
    };
    status = letter_signed_store(connection, &record, error);
  }
  if (status == STATUS_OK) {
    char when[TIMESTAMP_TEXT_SIZE + 16] = "no signing time";
    if (result.has_signing_time)
      civil_format_timestamp(result.signing_time, when);
    printf("%s: letter %ld of %s in %d, version %" PRId64 ", signed (%s): %zu signature(s), "
           "signer %s, %s; %zu bytes, sha256 %s\n",
           options->in, draft->number, draft->agency_code, draft->year, draft->version,
           signed_pdf_trust_name(result.trust), result.signature_count, result.subject, when,
           signed_size, hex);
  } else if (draft != NULL) {
    error_prefix(error, "letter %ld of %s in %d not taken back", draft->number, draft->agency_code,
                 draft->year);
  }
  free(issued);
  free(signed_file);
  if (draft != NULL)
    letter_draft_list_free(&list);
  return status;
}

/* ---- export ---- */

static enum status parse_day(const char *option, const char *text, int64_t *day,
                             struct error *error) {
  struct civil_date date;
  if (civil_parse_date(text, &date, error) != STATUS_OK)
    return error_prefix(error, "%s", option);
  *day = civil_days_from_date(date.year, date.month, date.day);
  return STATUS_OK;
}

static enum status run_export(const struct letters_options *options,
                              const struct letter_draft_filter *filter, PGconn *connection,
                              struct error *error) {
  struct letter_export_report report;
  enum status status = letter_export_run(connection, options->out, filter, &report, error);
  if (status != STATUS_OK)
    return status;
  printf("%zu file(s) written, %zu already identical, %zu unavailable, in %s\n", report.written,
         report.unchanged, report.unavailable, options->out);
  if (report.unavailable > 0)
    return error_set(error, STATUS_RUNTIME,
                     "%zu letter(s) could not be exported from the database; the first: %s",
                     report.unavailable, report.first_problem);
  return STATUS_OK;
}

/* ---- import ---- */

/* The file's bytes, or NULL when it is missing (errno ENOENT) or unreadable. */
static unsigned char *read_file(const char *path, size_t *size) {
  *size = 0;
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  unsigned char *data = malloc(IMPORT_FILE_LIMIT);
  size_t got = data != NULL ? fread(data, 1, IMPORT_FILE_LIMIT, file) : 0;
  bool failed = data == NULL || ferror(file) || got == IMPORT_FILE_LIMIT;
  fclose(file);
  if (failed) {
    free(data);
    errno = EIO;
    return NULL;
  }
  *size = got;
  return data;
}

static enum status run_import(const char *spool, PGconn *connection, int64_t now,
                              struct error *error) {
  struct letter_draft_list list;
  enum status status = letter_pdf_list_missing(connection, &list, error);
  size_t stored = 0, missing = 0, mismatched = 0;
  for (size_t i = 0; status == STATUS_OK && i < list.count; i++) {
    const struct letter_draft *draft = &list.drafts[i];
    const char *agency = draft->agency_code != NULL ? draft->agency_code : "";
    char name[160], path[SPOOL_PATH_SIZE];
    spool_letter_name(draft->dossier_code != NULL ? draft->dossier_code : "", draft->number,
                      (long)draft->version, name, sizeof name);
    spool_file_path(spool, agency, draft->year, name, path, sizeof path);
    size_t size = 0;
    unsigned char *pdf = read_file(path, &size);
    if (pdf == NULL) {
      missing++;
      fprintf(stderr,
              "dunghen letters: missing: %s (letter %ld of %s in %d, version %" PRId64 "): %s\n",
              path, draft->number, agency, draft->year, draft->version, strerror(errno));
      continue;
    }
    char hex[SHA256_HEX_SIZE];
    sha256_hex(pdf, size, hex);
    if (draft->sha256 == NULL || strcmp(hex, draft->sha256) != 0 || (int64_t)size != draft->bytes) {
      mismatched++;
      fprintf(stderr,
              "dunghen letters: mismatch: %s (letter %ld of %s in %d, version %" PRId64
              "): not the recorded sha256 and size\n",
              path, draft->number, agency, draft->year, draft->version);
    } else {
      status = letter_pdf_store(connection, draft->letter_id, draft->version, hex, pdf, size, now,
                                error);
      stored += status == STATUS_OK;
    }
    free(pdf);
  }
  letter_draft_list_free(&list);
  if (status != STATUS_OK)
    return status;
  printf("%zu letter(s) stored from %s, %zu missing, %zu mismatching\n", stored, spool, missing,
         mismatched);
  if (missing + mismatched > 0)
    return error_set(error, STATUS_RUNTIME,
                     "%zu letter file(s) missing and %zu mismatching: their bytes are still not "
                     "in the database",
                     missing, mismatched);
  return STATUS_OK;
}

/* ---- the run ---- */

static enum status run_letters(const struct letters_options *options, struct error *error) {
  struct letter_draft_filter filter = {.agency_code = options->agency};
  enum status status = STATUS_OK;
  if (strcmp(options->action, "export") == 0 && options->from != NULL) {
    filter.has_period = true;
    status = parse_day("--from", options->from, &filter.from_day, error);
    if (status == STATUS_OK)
      status = parse_day("--to", options->to, &filter.to_day, error);
    if (status == STATUS_OK && filter.from_day > filter.to_day)
      status = error_set(error, STATUS_INVALID,
                         "the period is empty: --from %s is after --to %s (both days are included)",
                         options->from, options->to);
  }
  if (status != STATUS_OK)
    return status;
  struct loop_options loop = {.config_path = options->config};
  loop.overrides.conninfo = options->conninfo;
  loop.overrides.spool_directory = options->spool;
  struct config config;
  status = loop_load_config(&loop, &config, error);
  if (status != STATUS_OK)
    return status;
  PGconn *connection = NULL;
  bool take = strcmp(options->action, "take-signed") == 0;
  status = connect_database(&config, take ? 12 : 9, &connection, error);
  if (status == STATUS_OK) {
    if (strcmp(options->action, "get") == 0)
      status = run_get(options, connection, error);
    else if (strcmp(options->action, "export") == 0)
      status = run_export(options, &filter, connection, error);
    else if (take)
      status = run_take_signed(options, &config, connection, (int64_t)time(NULL), error);
    else
      status = run_import(config.spool_directory, connection, (int64_t)time(NULL), error);
  }
  session_close(connection);
  config_free(&config);
  return status;
}

/* ---- the command line ---- */

enum {
  OPTION_CODE = 1,
  OPTION_AGENCY,
  OPTION_YEAR,
  OPTION_NUMBER,
  OPTION_VERSION,
  OPTION_FROM,
  OPTION_TO,
  OPTION_OUT,
  OPTION_IN,
  OPTION_SPOOL,
  OPTION_CONFIG,
  OPTION_DB,
};

static int parse_count(const char *option, const char *text, long low, long high, long *value) {
  char *end = NULL;
  errno = 0;
  *value = strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno != 0 || *value < low || *value > high)
    return cli_usage_error("letters", "%s is a number from %ld to %ld, not '%s'", option, low, high,
                           text);
  return 0;
}

/* Which options each action takes, and which it needs. */
static int check_combination(const struct letters_options *options, int seen) {
  const char *action = options->action;
  if (strcmp(action, "get") == 0 || strcmp(action, "take-signed") == 0) {
    bool take = strcmp(action, "take-signed") == 0;
    if (take && (seen & (1 << OPTION_FROM | 1 << OPTION_TO | 1 << OPTION_SPOOL | 1 << OPTION_OUT |
                         1 << OPTION_VERSION)))
      return cli_usage_error("letters", "take-signed takes no --from, --to, --spool, --out or "
                                        "--version (it takes back the current draft)");
    if (!take && (seen & (1 << OPTION_IN)))
      return cli_usage_error("letters", "get takes no --in");
    if (take && options->in == NULL)
      return cli_usage_error("letters", "take-signed needs --in FILE (the signed PDF)");
    if (seen & (1 << OPTION_FROM | 1 << OPTION_TO | 1 << OPTION_SPOOL))
      return cli_usage_error("letters", "get takes no --from, --to or --spool");
    bool by_number = options->agency != NULL || options->has_year || options->has_number;
    if (options->code != NULL && by_number)
      return cli_usage_error("letters",
                             "%s: give --code, or --agency, --year and --number, not both", action);
    if (options->code == NULL &&
        (options->agency == NULL || !options->has_year || !options->has_number))
      return cli_usage_error("letters",
                             "%s needs --code DOSSIER, or --agency CODE --year Y "
                             "--number N",
                             action);
    if (!take && options->out == NULL)
      return cli_usage_error("letters", "get needs --out FILE");
  } else if (strcmp(action, "export") == 0) {
    if (seen & (1 << OPTION_CODE | 1 << OPTION_YEAR | 1 << OPTION_NUMBER | 1 << OPTION_VERSION |
                1 << OPTION_SPOOL | 1 << OPTION_IN))
      return cli_usage_error("letters",
                             "export takes no --code, --year, --number, --version or --spool");
    if ((options->from == NULL) != (options->to == NULL))
      return cli_usage_error("letters", "export: give both --from DATE and --to DATE, or neither");
    if (options->out == NULL)
      return cli_usage_error("letters", "export needs --out DIR");
  } else if (strcmp(action, "import") == 0) {
    if (seen & ~(1 << OPTION_SPOOL | 1 << OPTION_CONFIG | 1 << OPTION_DB))
      return cli_usage_error("letters", "import takes only --spool, --config and --db");
  } else {
    return cli_usage_error("letters", "unknown action '%s': get, export, import or take-signed",
                           action);
  }
  return 0;
}

static int parse_options(int argc, char **argv, struct letters_options *options) {
  static const struct option long_options[] = {
      {"code", required_argument, NULL, OPTION_CODE},
      {"agency", required_argument, NULL, OPTION_AGENCY},
      {"year", required_argument, NULL, OPTION_YEAR},
      {"number", required_argument, NULL, OPTION_NUMBER},
      {"version", required_argument, NULL, OPTION_VERSION},
      {"from", required_argument, NULL, OPTION_FROM},
      {"to", required_argument, NULL, OPTION_TO},
      {"out", required_argument, NULL, OPTION_OUT},
      {"in", required_argument, NULL, OPTION_IN},
      {"spool", required_argument, NULL, OPTION_SPOOL},
      {"config", required_argument, NULL, OPTION_CONFIG},
      {"db", required_argument, NULL, OPTION_DB},
      {NULL, 0, NULL, 0},
  };
  memset(options, 0, sizeof *options);
  if (argc < 2 || argv[1][0] == '-')
    return cli_usage_error("letters", "give an action: get, export, import or take-signed");
  options->action = argv[1];
  optind = 2;
  opterr = 0;
  int option, seen = 0;
  while ((option = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
    if (option > 0 && option < 31)
      seen |= 1 << option;
    if (option > 0 && option < 31 && option != ':' && optarg[0] == '\0')
      return cli_usage_error("letters", "option '%s' needs a value", argv[optind - 1]);
    switch (option) {
    case OPTION_CODE:
      options->code = optarg;
      break;
    case OPTION_AGENCY:
      options->agency = optarg;
      break;
    case OPTION_YEAR:
      options->has_year = true;
      if (parse_count("--year", optarg, 1900, 9999, &options->year) != 0)
        return STATUS_INVALID;
      break;
    case OPTION_NUMBER:
      options->has_number = true;
      if (parse_count("--number", optarg, 1, 999999999, &options->number) != 0)
        return STATUS_INVALID;
      break;
    case OPTION_VERSION:
      if (parse_count("--version", optarg, 1, 999999, &options->version) != 0)
        return STATUS_INVALID;
      break;
    case OPTION_FROM:
      options->from = optarg;
      break;
    case OPTION_TO:
      options->to = optarg;
      break;
    case OPTION_OUT:
      options->out = optarg;
      break;
    case OPTION_IN:
      options->in = optarg;
      break;
    case OPTION_SPOOL:
      options->spool = optarg;
      break;
    case OPTION_CONFIG:
      options->config = optarg;
      break;
    case OPTION_DB:
      options->conninfo = optarg;
      break;
    default:
      return cli_option_error("letters", option, argv);
    }
  }
  if (cli_no_arguments("letters", argc, argv) != 0)
    return STATUS_INVALID;
  return check_combination(options, seen);
}

int command_letters(int argc, char **argv) {
  struct letters_options options;
  int usage = parse_options(argc, argv, &options);
  if (usage != 0)
    return usage;
  struct error error;
  error_clear(&error);
  if (run_letters(&options, &error) != STATUS_OK)
    return cli_report("letters", &error);
  return 0;
}
