/*
 * letter_export.c: the spool rebuilt from the database (see letter_export.h). A file is
 * compared before it is written, so a rerun over a complete spool reads files and writes none.
 */
#include "service/letter_export.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "service/spool.h"

bool letter_export_file_matches(const char *path, const char *sha256, int64_t bytes) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return false;
  struct sha256 hash;
  sha256_init(&hash);
  unsigned char chunk[16384];
  int64_t total = 0;
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, file)) > 0) {
    sha256_update(&hash, chunk, got);
    total += (int64_t)got;
  }
  bool failed = ferror(file) != 0;
  fclose(file);
  unsigned char digest[SHA256_DIGEST_SIZE];
  sha256_final(&hash, digest);
  char hex[SHA256_HEX_SIZE];
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
    snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return !failed && total == bytes && sha256 != NULL && strcmp(hex, sha256) == 0;
}

static enum status export_one(PGconn *connection, const char *spool_directory,
                              const struct letter_draft *draft, struct letter_export_report *report,
                              struct error *error) {
  const char *agency = draft->agency_code != NULL ? draft->agency_code : "";
  char name[160], path[SPOOL_PATH_SIZE];
  spool_letter_name(draft->dossier_code != NULL ? draft->dossier_code : "", draft->number,
                    (long)draft->version, name, sizeof name);
  if (spool_file_path(spool_directory, agency, draft->year, name, path, sizeof path) &&
      letter_export_file_matches(path, draft->sha256, draft->bytes)) {
    report->unchanged++;
    return STATUS_OK;
  }
  unsigned char *pdf = NULL;
  size_t size = 0;
  struct error read_error;
  enum status status = letter_pdf_read(connection, draft, &pdf, &size, &read_error);
  if (status != STATUS_OK) {
    if (read_error.status != STATUS_RUNTIME || PQstatus(connection) != CONNECTION_OK)
      return error_set(error, read_error.status, "%s", read_error.message);
    if (report->unavailable++ == 0)
      snprintf(report->first_problem, sizeof report->first_problem, "%s", read_error.message);
    return STATUS_OK;
  }
  struct spool_result written;
  status = spool_write(spool_directory, agency, draft->year, name, pdf, size, &written, error);
  free(pdf);
  if (status == STATUS_OK)
    report->written++;
  return status;
}

enum status letter_export_run(PGconn *connection, const char *spool_directory,
                              const struct letter_draft_filter *filter,
                              struct letter_export_report *report, struct error *error) {
  memset(report, 0, sizeof *report);
  struct letter_draft_list list;
  enum status status = letter_pdf_list(connection, filter, &list, error);
  for (size_t i = 0; status == STATUS_OK && i < list.count; i++)
    status = export_one(connection, spool_directory, &list.drafts[i], report, error);
  letter_draft_list_free(&list);
  return status;
}
