/*
 * spool.c: atomic letter files. The order matters for crash safety: data, fsync(file),
 * rename, fsync(directory). New directories are fsynced into their parents too, or a crash
 * could lose a directory holding a letter already recorded as written.
 */
#include "service/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/file_write.h"

enum {
  SPOOL_FILE_MODE = 0640,
  SPOOL_DIRECTORY_MODE = 0750,
  SPOOL_NAME_MAXIMUM = 128,
};

static bool valid_name(const char *name) {
  size_t length = strlen(name);
  if (length == 0 || length > SPOOL_NAME_MAXIMUM || name[0] == '.')
    return false;
  for (size_t i = 0; i < length; i++) {
    char c = name[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  }
  return true;
}

static enum status system_failure(struct spool_result *result, struct error *error,
                                  const char *what, const char *path) {
  int saved = errno;
  result->system_error = saved;
  return error_set(error, STATUS_RUNTIME, "spool: cannot %s %s: %s (will retry)", what, path,
                   strerror(saved));
}

static int sync_directory(const char *path) {
  int descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor < 0)
    return -1;
  int status = fsync(descriptor);
  int saved = errno;
  close(descriptor);
  errno = saved;
  return status;
}

/* Creates `path` (0750) if missing; a new directory is made durable in its parent. */
static enum status ensure_directory(const char *path, const char *parent,
                                    struct spool_result *result, struct error *error) {
  if (mkdir(path, SPOOL_DIRECTORY_MODE) == 0) {
    if (chmod(path, SPOOL_DIRECTORY_MODE) != 0)
      return system_failure(result, error, "set the mode of", path);
    if (parent != NULL && sync_directory(parent) != 0)
      return system_failure(result, error, "sync", parent);
    return STATUS_OK;
  }
  if (errno != EEXIST)
    return system_failure(result, error, "create directory", path);
  struct stat status;
  if (stat(path, &status) != 0)
    return system_failure(result, error, "inspect", path);
  if (!S_ISDIR(status.st_mode)) {
    errno = ENOTDIR;
    return system_failure(result, error, "use", path);
  }
  return STATUS_OK;
}

static enum status write_temporary(const char *temporary_path, int descriptor, const void *data,
                                   size_t size, struct spool_result *result, struct error *error) {
  if (fchmod(descriptor, SPOOL_FILE_MODE) != 0)
    return system_failure(result, error, "set the mode of", temporary_path);
  if (!file_write_all(descriptor, data, size))
    return system_failure(result, error, "write", temporary_path);
  if (fsync(descriptor) != 0)
    return system_failure(result, error, "sync", temporary_path);
  return STATUS_OK;
}

enum status spool_write(const char *spool_directory, const char *agency_code, int year,
                        const char *name, const void *data, size_t size,
                        struct spool_result *result, struct error *error) {
  memset(result, 0, sizeof *result);
  if (!valid_name(agency_code))
    return error_set(error, STATUS_INVALID, "spool: agency code '%s' is not a safe directory name",
                     agency_code);
  if (!valid_name(name))
    return error_set(error, STATUS_INVALID, "spool: letter name '%s' is not a safe file name",
                     name);
  if (year < 1900 || year > 9999)
    return error_set(error, STATUS_INVALID, "spool: year %d out of range", year);
  char agency_path[SPOOL_PATH_SIZE], year_path[SPOOL_PATH_SIZE], temporary[SPOOL_PATH_SIZE];
  if ((size_t)snprintf(agency_path, sizeof agency_path, "%s/%s", spool_directory, agency_code) >=
          sizeof agency_path ||
      (size_t)snprintf(year_path, sizeof year_path, "%s/%d", agency_path, year) >=
          sizeof year_path ||
      (size_t)snprintf(result->path, sizeof result->path, "%s/%s.pdf", year_path, name) >=
          sizeof result->path ||
      (size_t)snprintf(temporary, sizeof temporary, "%s/.%s.pdf.XXXXXX", year_path, name) >=
          sizeof temporary)
    return error_set(error, STATUS_INVALID, "spool: path too long under %s", spool_directory);
  enum status status = ensure_directory(spool_directory, NULL, result, error);
  if (status == STATUS_OK)
    status = ensure_directory(agency_path, spool_directory, result, error);
  if (status == STATUS_OK)
    status = ensure_directory(year_path, agency_path, result, error);
  if (status != STATUS_OK)
    return status;
  int descriptor = mkostemp(temporary, O_CLOEXEC);
  if (descriptor < 0)
    return system_failure(result, error, "create a file in", year_path);
  status = write_temporary(temporary, descriptor, data, size, result, error);
  if (close(descriptor) != 0 && status == STATUS_OK)
    status = system_failure(result, error, "close", temporary);
  if (status == STATUS_OK && rename(temporary, result->path) != 0)
    status = system_failure(result, error, "rename into", result->path);
  if (status != STATUS_OK) {
    unlink(temporary);
    return status;
  }
  if (sync_directory(year_path) != 0)
    return system_failure(result, error, "sync", year_path);
  sha256_hex(data, size, result->sha256);
  result->size = size;
  return STATUS_OK;
}

void spool_letter_name(const char *dossier_code, long number, long version, char *name,
                       size_t size) {
  int used = snprintf(name, size, "%04ld_", number);
  size_t at = used > 0 ? (size_t)used : 0;
  for (const char *c = dossier_code; *c != '\0' && at + 1 < size && at < 100; c++) {
    bool safe = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                *c == '.' || *c == '-' || *c == '_';
    name[at++] = safe ? *c : '-';
  }
  name[at] = '\0';
  if (version > 1 && at + 1 < size)
    snprintf(name + at, size - at, ".v%ld", version);
}

bool spool_file_path(const char *spool_directory, const char *agency_code, int year,
                     const char *name, char *path, size_t size) {
  return (size_t)snprintf(path, size, "%s/%s/%d/%s.pdf", spool_directory, agency_code, year, name) <
         size;
}

static bool is_leftover(const char *name) {
  return name[0] == '.' && strstr(name, ".pdf.") != NULL;
}

/* Removes leftovers in one directory; `depth` 0 is the spool, 1 an agency, 2 a year. */
static enum status clean_directory(const char *path, int depth, size_t *removed,
                                   struct error *error) {
  DIR *directory = opendir(path);
  if (directory == NULL) {
    if (errno == ENOENT)
      return STATUS_OK;
    return error_set(error, STATUS_RUNTIME, "spool: cannot open %s: %s", path, strerror(errno));
  }
  enum status status = STATUS_OK;
  struct dirent *entry;
  while (status == STATUS_OK && (entry = readdir(directory)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
      continue;
    char child[SPOOL_PATH_SIZE];
    if ((size_t)snprintf(child, sizeof child, "%s/%s", path, entry->d_name) >= sizeof child)
      continue;
    if (depth == 2) {
      if (is_leftover(entry->d_name)) {
        if (unlink(child) != 0)
          status = error_set(error, STATUS_RUNTIME, "spool: cannot remove %s: %s", child,
                             strerror(errno));
        else
          (*removed)++;
      }
      continue;
    }
    struct stat information;
    if (entry->d_name[0] != '.' && stat(child, &information) == 0 && S_ISDIR(information.st_mode))
      status = clean_directory(child, depth + 1, removed, error);
  }
  closedir(directory);
  return status;
}

enum status spool_remove_leftovers(const char *spool_directory, size_t *removed,
                                   struct error *error) {
  *removed = 0;
  return clean_directory(spool_directory, 0, removed, error);
}
