#include "spool_check.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/sha256.h"
#include "tap.h"

struct spool_walk {
  char (*paths)[PATH_MAX];
  size_t count, capacity;
  size_t leftovers, bad_modes;
  char first_bad[PATH_MAX];
};

static void walk_add(struct spool_walk *walk, const char *path) {
  if (walk->count == walk->capacity) {
    size_t capacity = walk->capacity == 0 ? 1024 : walk->capacity * 2;
    void *grown = realloc(walk->paths, capacity * sizeof *walk->paths);
    if (grown == NULL)
      return;
    walk->paths = grown;
    walk->capacity = capacity;
  }
  snprintf(walk->paths[walk->count++], PATH_MAX, "%s", path);
}

static void bad_mode(struct spool_walk *walk, const char *path, mode_t mode) {
  if (walk->bad_modes++ == 0)
    snprintf(walk->first_bad, sizeof walk->first_bad, "%s (%04o)", path, (unsigned)mode);
}

/* SPOOL/AGENCY/YEAR/FILE: depth 0 is the spool itself (its mode is the admin's). */
static void walk_directory(struct spool_walk *walk, const char *path, int depth) {
  DIR *directory = opendir(path);
  if (directory == NULL)
    return;
  struct dirent *entry;
  while ((entry = readdir(directory)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
      continue;
    char child[PATH_MAX];
    snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
    struct stat info;
    if (lstat(child, &info) != 0)
      continue;
    mode_t mode = info.st_mode & 07777;
    if (S_ISDIR(info.st_mode)) {
      if (mode != 0750)
        bad_mode(walk, child, mode);
      walk_directory(walk, child, depth + 1);
    } else if (entry->d_name[0] == '.') {
      walk->leftovers++;
    } else {
      if (!S_ISREG(info.st_mode) || mode != 0640)
        bad_mode(walk, child, mode);
      walk_add(walk, child);
    }
  }
  closedir(directory);
}

int spool_check_leftovers(const char *spool) {
  struct spool_walk walk = {0};
  walk_directory(&walk, spool, 0);
  free(walk.paths);
  return (int)walk.leftovers;
}

static bool read_whole(const char *path, unsigned char **data, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return false;
  struct stat info;
  if (fstat(fileno(file), &info) != 0) {
    fclose(file);
    return false;
  }
  *size = (size_t)info.st_size;
  *data = malloc(*size + 1);
  bool ok = *data != NULL && fread(*data, 1, *size, file) == *size;
  fclose(file);
  return ok;
}

bool spool_check_file_matches(const char *path, const char *sha256, long long bytes) {
  unsigned char *data = NULL;
  size_t size = 0;
  bool readable = read_whole(path, &data, &size);
  char hex[SHA256_HEX_SIZE] = "";
  if (readable)
    sha256_hex(data, size, hex);
  free(data);
  return readable && (long long)size == bytes && strcmp(hex, sha256) == 0;
}

static int compare_paths(const void *left, const void *right) {
  return strcmp(left, right);
}

bool spool_check(PGconn *db, const char *spool, const char *label) {
  struct spool_walk walk = {0};
  walk_directory(&walk, spool, 0);
  qsort(walk.paths, walk.count, sizeof *walk.paths, compare_paths);
  /* The current drafts, and the earlier drafts of re-drafted letters kept beside them. */
  PGresult *rows = PQexec(db, "SELECT path, sha256, bytes FROM dunghen.letter_log "
                              "WHERE state = 'rendered' UNION ALL SELECT path, sha256, bytes "
                              "FROM dunghen.letter_version WHERE path IS NOT NULL ORDER BY 1");
  int count = PQresultStatus(rows) == PGRES_TUPLES_OK ? PQntuples(rows) : -1;
  size_t missing = 0, mismatched = 0;
  for (int row = 0; row < count; row++) {
    const char *path = PQgetvalue(rows, row, 0);
    if (bsearch(path, walk.paths, walk.count, sizeof *walk.paths, compare_paths) == NULL) {
      if (missing++ == 0)
        tap_diagnostic("no file for row %s", path);
    } else if (!spool_check_file_matches(path, PQgetvalue(rows, row, 1),
                                         atoll(PQgetvalue(rows, row, 2)))) {
      if (mismatched++ == 0)
        tap_diagnostic("sha256 or size differs: %s", path);
    }
  }
  PQclear(rows);
  bool ok = tap_is_integer((long long)missing, 0, "%s: every rendered row has its PDF", label);
  ok &= tap_is_integer((long long)mismatched, 0, "%s: with the recorded sha256 and size", label);
  ok &= tap_is_integer((long long)walk.count, count, "%s: no PDF without its row (%zu files)",
                       label, walk.count);
  ok &= tap_is_integer((long long)walk.leftovers, 0, "%s: no temporary file in the spool", label);
  if (walk.bad_modes > 0)
    tap_diagnostic("first bad mode: %s", walk.first_bad);
  ok &= tap_is_integer((long long)walk.bad_modes, 0, "%s: files 0640, directories 0750", label);
  free(walk.paths);
  return ok;
}
