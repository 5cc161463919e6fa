/*
 * The letter spool: paths, modes whatever the umask, atomic replacement, the digest, refused
 * names, leftovers after a crash, and file-system failures (read-only, full, no permission)
 * that must leave no file behind and be reported as retryable runtime errors. The read-only
 * and full cases mount a small tmpfs in a private mount namespace (root only; skipped
 * otherwise); the permission case drops to `nobody` when run as root.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sha256.h"
#include "service/spool.h"
#include "tap.h"

static int mode_of(const char *path) {
  struct stat information;
  return stat(path, &information) == 0 ? (int)(information.st_mode & 07777) : -1;
}

static size_t entries_in(const char *path) {
  DIR *directory = opendir(path);
  if (directory == NULL)
    return 0;
  size_t count = 0;
  struct dirent *entry;
  while ((entry = readdir(directory)) != NULL)
    count += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
  closedir(directory);
  return count;
}

static char *read_all(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  char *data = malloc(1 << 20);
  *size = fread(data, 1, 1 << 20, file);
  fclose(file);
  return data;
}

/* Runs `check` in a child with a private mount namespace and a small tmpfs at `directory`. */
static int in_small_tmpfs(const char *directory, const char *options, unsigned long flags,
                          int (*check)(const char *)) {
  pid_t child = fork();
  if (child == 0) {
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", directory, "tmpfs", 0, options) != 0)
      _exit(77);
    if (flags != 0) {
      /* Make the year directory first, then remount read-only over it. */
      struct spool_result ignored;
      struct error error;
      spool_write(directory, "A", 2026, "seed", "x", 1, &ignored, &error);
      if (mount(NULL, directory, NULL, MS_REMOUNT | flags, options) != 0)
        _exit(77);
    }
    _exit(check(directory));
  }
  int status;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static int check_full(const char *directory) {
  static char big[256 * 1024];
  struct spool_result result;
  struct error error;
  enum status status = spool_write(directory, "A", 2026, "big", big, sizeof big, &result, &error);
  if (status != STATUS_RUNTIME || result.system_error != ENOSPC)
    return 1;
  if (strstr(error.message, "(will retry)") == NULL)
    return 2;
  char year[4096];
  snprintf(year, sizeof year, "%s/A/2026", directory);
  return entries_in(year) == 0 ? 0 : 3;
}

static int check_read_only(const char *directory) {
  struct spool_result result;
  struct error error;
  enum status status = spool_write(directory, "A", 2026, "late", "pdf", 3, &result, &error);
  if (status != STATUS_RUNTIME || result.system_error != EROFS)
    return 1;
  char year[4096];
  snprintf(year, sizeof year, "%s/A/2026", directory);
  return entries_in(year) == 1 ? 0 : 3; /* only the seed written before the remount */
}

static void report_namespace_case(int code, const char *what) {
  if (code == 77) {
    tap_ok(true, "%s: skipped (no permission to mount a private tmpfs)", what);
    return;
  }
  tap_is_integer(code, 0, "%s: retryable runtime error, no file left behind", what);
}

int main(void) {
  char root[] = "/tmp/dunghen-spool-XXXXXX";
  if (mkdtemp(root) == NULL)
    return tap_skip_all("cannot create a temporary directory");
  umask(0);
  const char *letter = "%PDF-1.3 a letter";
  struct spool_result result;
  struct error error;
  char spool[4096], expected[4096];
  snprintf(spool, sizeof spool, "%s/spool", root);
  tap_is_integer(spool_write(spool, "DLK-TTPVHCC", 2026, "07-PXL-TTPVHCC", letter, strlen(letter),
                             &result, &error),
                 STATUS_OK, "write a letter into a spool that does not exist yet");
  snprintf(expected, sizeof expected, "%s/DLK-TTPVHCC/2026/07-PXL-TTPVHCC.pdf", spool);
  tap_is_string(result.path, expected, "path is <spool>/<agency>/<year>/<name>.pdf");
  tap_is_integer(mode_of(expected), 0640, "file mode 0640 with umask 0");
  snprintf(expected, sizeof expected, "%s/DLK-TTPVHCC/2026", spool);
  tap_is_integer(mode_of(expected), 0750, "year directory 0750");
  snprintf(expected, sizeof expected, "%s/DLK-TTPVHCC", spool);
  tap_is_integer(mode_of(expected), 0750, "agency directory 0750");
  tap_is_integer(mode_of(spool), 0750, "spool directory 0750");
  char digest[SHA256_HEX_SIZE];
  sha256_hex(letter, strlen(letter), digest);
  tap_is_string(result.sha256, digest, "sha256 of the bytes written");
  tap_is_integer((long long)result.size, (long long)strlen(letter), "size");
  size_t size;
  char *back = read_all(result.path, &size);
  tap_ok(back != NULL && size == strlen(letter) && memcmp(back, letter, size) == 0,
         "the file holds exactly the bytes");
  free(back);

  const char *second = "%PDF-1.3 the same letter, rendered again";
  tap_is_integer(spool_write(spool, "DLK-TTPVHCC", 2026, "07-PXL-TTPVHCC", second, strlen(second),
                             &result, &error),
                 STATUS_OK, "writing the same name again succeeds");
  back = read_all(result.path, &size);
  tap_ok(back != NULL && size == strlen(second) && memcmp(back, second, size) == 0,
         "the second write replaced the file whole");
  free(back);
  snprintf(expected, sizeof expected, "%s/DLK-TTPVHCC/2026", spool);
  tap_is_integer((long long)entries_in(expected), 1, "no temporary file left beside it");

  tap_is_integer(spool_write(spool, "../etc", 2026, "x", "x", 1, &result, &error), STATUS_INVALID,
                 "an agency code with a slash is refused");
  tap_is_string(error.message, "spool: agency code '../etc' is not a safe directory name",
                "message for a bad agency code");
  tap_is_integer(spool_write(spool, "A", 2026, ".hidden", "x", 1, &result, &error), STATUS_INVALID,
                 "a name starting with a dot is refused");
  tap_is_string(error.message, "spool: letter name '.hidden' is not a safe file name",
                "message for a bad name");
  tap_is_integer(spool_write(spool, "A", 1800, "x", "x", 1, &result, &error), STATUS_INVALID,
                 "a year out of range is refused");

  /* A crash between create and rename leaves `.name.pdf.XXXXXX`; start-up removes it. */
  char leftover[4096];
  snprintf(leftover, sizeof leftover, "%s/DLK-TTPVHCC/2026/.08-PXL-TTPVHCC.pdf.Ab12Cd", spool);
  FILE *file = fopen(leftover, "w");
  if (file != NULL)
    fclose(file);
  size_t removed = 0;
  tap_is_integer(spool_remove_leftovers(spool, &removed, &error), STATUS_OK, "remove leftovers");
  tap_is_integer((long long)removed, 1, "one leftover removed");
  tap_ok(access(leftover, F_OK) != 0, "the leftover is gone");
  snprintf(expected, sizeof expected, "%s/DLK-TTPVHCC/2026/07-PXL-TTPVHCC.pdf", spool);
  tap_ok(access(expected, F_OK) == 0, "the finished letter is kept");

  /* No permission: drop to nobody when root, as root ignores mode bits. */
  char locked[4096];
  snprintf(locked, sizeof locked, "%s/locked", root);
  mkdir(locked, 0755);
  pid_t child = fork();
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
      _exit(77);
    if (geteuid() != 0)
      chmod(locked, 0555);
    enum status status = spool_write(locked, "A", 2026, "x", "x", 1, &result, &error);
    _exit(status == STATUS_RUNTIME && result.system_error == EACCES &&
                  strstr(error.message, "(will retry)") != NULL
              ? 0
              : 1);
  }
  int wait_status;
  waitpid(child, &wait_status, 0);
  int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 99;
  if (code == 77)
    tap_ok(true, "permission denied: skipped (cannot drop privileges)");
  else
    tap_is_integer(code, 0, "permission denied: a retryable runtime error (EACCES)");
  tap_is_integer((long long)entries_in(locked), 0, "permission denied: nothing created");

  char small[4096];
  snprintf(small, sizeof small, "%s/small", root);
  mkdir(small, 0755);
  report_namespace_case(in_small_tmpfs(small, "size=64k", 0, check_full), "file system full");
  report_namespace_case(in_small_tmpfs(small, "size=64k", MS_RDONLY, check_read_only),
                        "read-only file system");

  char command[4200];
  snprintf(command, sizeof command, "rm -rf '%s'", root);
  if (system(command) != 0)
    tap_diagnostic("could not remove %s", root);
  return tap_finish();
}
