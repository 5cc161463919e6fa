/*
 * spool_audit.c: the spool's letters listed, compared by the store, reported (see
 * spool_audit.h).
 */
#include "service/spool_audit.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/spool_audit.h"

/* The letters found; each entry owns one allocation holding its texts. */
struct listing {
  struct spool_audit_letter *letters;
  char **texts;
  size_t count;
  size_t capacity;
  bool failed;
};

static bool all_digits(const char *text, size_t length) {
  if (length == 0)
    return false;
  for (size_t i = 0; i < length; i++)
    if (!isdigit((unsigned char)text[i]))
      return false;
  return true;
}

/* `NNNN_NAME.pdf` (a number of 1 to 9 digits); NAME may end in ".vN", a re-draft. */
static void add_file(struct listing *listing, const char *agency, int year, const char *file) {
  size_t length = strlen(file);
  const char *underscore = strchr(file, '_');
  if (file[0] == '.' || length < 6 || strcmp(file + length - 4, ".pdf") != 0 ||
      underscore == NULL || !all_digits(file, (size_t)(underscore - file)) ||
      underscore - file > 9 || underscore + 1 == file + length - 4)
    return; /* not a letter's name: a temporary file, or something an operator put there */
  if (listing->count == listing->capacity) {
    size_t capacity = listing->capacity != 0 ? listing->capacity * 2 : 64;
    struct spool_audit_letter *letters = realloc(listing->letters, capacity * sizeof *letters);
    if (letters != NULL)
      listing->letters = letters;
    char **texts = letters != NULL ? realloc(listing->texts, capacity * sizeof *texts) : NULL;
    if (texts != NULL)
      listing->texts = texts;
    if (letters == NULL || texts == NULL) {
      listing->failed = true;
      return;
    }
    listing->capacity = capacity;
  }
  size_t name_length = (size_t)(file + length - 4 - (underscore + 1));
  size_t agency_length = strlen(agency);
  /* agency, name, name without the draft: three NUL-terminated texts in one block */
  char *text = malloc(agency_length + 2 * name_length + 3);
  if (text == NULL) {
    listing->failed = true;
    return;
  }
  char *name = text + agency_length + 1;
  char *draft = name + name_length + 1;
  memcpy(text, agency, agency_length + 1);
  memcpy(name, underscore + 1, name_length);
  name[name_length] = '\0';
  memcpy(draft, name, name_length + 1);
  char *dot = strrchr(draft, '.');
  bool has_draft = dot != NULL && dot[1] == 'v' && all_digits(dot + 2, strlen(dot + 2));
  if (has_draft)
    *dot = '\0';
  listing->texts[listing->count] = text;
  listing->letters[listing->count++] = (struct spool_audit_letter){
      .agency_code = text,
      .year = year,
      .number = strtol(file, NULL, 10),
      .name = name,
      .name_draft = has_draft ? draft : NULL,
  };
}

/* `depth` 0 is the spool, 1 an agency, 2 a year. A directory that vanished holds nothing. */
static enum status list_directory(struct listing *listing, const char *path, int depth,
                                  const char *agency, int year, struct error *error) {
  DIR *directory = opendir(path);
  if (directory == NULL) {
    if (errno == ENOENT || (depth > 0 && errno == ENOTDIR))
      return STATUS_OK;
    return error_set(error, STATUS_RUNTIME, "spool audit: cannot open %s: %s", path,
                     strerror(errno));
  }
  enum status status = STATUS_OK;
  struct dirent *entry;
  while (status == STATUS_OK && !listing->failed && (entry = readdir(directory)) != NULL) {
    const char *name = entry->d_name;
    if (name[0] == '.')
      continue;
    if (depth == 2) {
      add_file(listing, agency, year, name);
      continue;
    }
    char child[4096];
    if ((size_t)snprintf(child, sizeof child, "%s/%s", path, name) >= sizeof child)
      continue;
    if (depth == 0)
      status = list_directory(listing, child, 1, name, 0, error);
    else if (strlen(name) == 4 && all_digits(name, 4))
      status = list_directory(listing, child, 2, agency, atoi(name), error);
  }
  closedir(directory);
  if (status == STATUS_OK && listing->failed)
    status = error_set(error, STATUS_RUNTIME, "spool audit: out of memory");
  return status;
}

static void listing_free(struct listing *listing) {
  for (size_t i = 0; i < listing->count; i++)
    free(listing->texts[i]);
  free(listing->texts);
  free(listing->letters);
}

enum status spool_audit_run(PGconn *connection, const char *spool_directory, const struct log *log,
                            struct spool_audit_tally *tally, struct error *error) {
  if (spool_directory == NULL || *spool_directory == '\0')
    return STATUS_OK;
  struct listing listing = {0};
  enum status status = list_directory(&listing, spool_directory, 0, NULL, 0, error);
  struct spool_audit_outcome outcome = {0};
  if (status == STATUS_OK)
    status = spool_audit_compare(connection, listing.letters, listing.count, &outcome, error);
  if (status != STATUS_OK) {
    listing_free(&listing);
    return status;
  }
  uint64_t unknown = 0, reused = 0;
  for (size_t i = 0; i < outcome.count; i++) {
    const struct spool_audit_finding *finding = &outcome.findings[i];
    if (finding->reused)
      reused++;
    else
      unknown++;
    log_error(log,
              "spool audit: letter %04ld of %s/%d (file of dossier %s) %s; see docs/FAILOVER.md",
              finding->number, finding->agency_code, finding->year, finding->name,
              finding->reused ? "has its number given to another dossier in the database"
                              : "is unknown to the database (lost in a failover?)");
  }
  if (outcome.counters_raised > 0)
    log_warning(log,
                "spool audit: %zu letter counters raised above the numbers of the spool, so "
                "no number on disk is given again",
                outcome.counters_raised);
  if (outcome.count > 0 || log_enabled(log, LOG_INFO))
    log_message(log, outcome.count > 0 ? LOG_ERROR : LOG_INFO,
                "spool audit: %zu letters in the spool, %" PRIu64 " unknown to the database, "
                "%" PRIu64 " with their number reused",
                listing.count, unknown, reused);
  tally->audits++;
  tally->letters = listing.count;
  tally->unknown = unknown;
  tally->reused = reused;
  tally->counters_raised += outcome.counters_raised;
  spool_audit_outcome_free(&outcome);
  listing_free(&listing);
  return STATUS_OK;
}
