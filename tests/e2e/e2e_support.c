#include "e2e_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/schema.h"
#include "tap.h"

double e2e_monotonic_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

void e2e_sleep_seconds(double seconds) {
  struct timespec pause = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
    ;
}

/* $DUNGHEN_TEST_TIME_FACTOR stretches every wait (tools/dev valgrind runs the daemon ~20x
 * slower); 1 otherwise. */
static double time_factor(void) {
  const char *text = getenv("DUNGHEN_TEST_TIME_FACTOR");
  double factor = text != NULL ? atof(text) : 1.0;
  return factor >= 1.0 ? factor : 1.0;
}

static bool write_file(const char *path, const char *text) {
  FILE *file = fopen(path, "w");
  if (file == NULL) {
    tap_diagnostic("cannot write %s: %s", path, strerror(errno));
    return false;
  }
  fputs(text, file);
  return fclose(file) == 0;
}

static bool copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (in == NULL) {
    tap_diagnostic("cannot read %s: %s", from, strerror(errno));
    return false;
  }
  FILE *out = fopen(to, "wb");
  if (out == NULL) {
    fclose(in);
    return false;
  }
  char buffer[8192];
  size_t got;
  while ((got = fread(buffer, 1, sizeof buffer, in)) > 0)
    fwrite(buffer, 1, got, out);
  fclose(in);
  return fclose(out) == 0;
}

bool e2e_write_procedures(const struct e2e_harness *harness, const char *fast_duration) {
  char path[PATH_MAX + 32], text[2048];
  snprintf(path, sizeof path, "%s/procedures.yaml", harness->rules);
  snprintf(text, sizeof text,
           "defaults:\n"
           "  counting: hours\n"
           "  extension: 5wd\n"
           "procedures:\n"
           "  - code: '9.900001'\n"
           "    name: 'Thủ tục thử nghiệm nhanh'\n"
           "    field: 'thử nghiệm'\n"
           "    level: 'xã'\n"
           "    duration: %s\n"
           "    source: 'end-to-end test'\n"
           "    confidence: verified-two-sources\n"
           "  - code: '9.900002'\n"
           "    name: 'Thủ tục thử nghiệm chậm'\n"
           "    field: 'thử nghiệm'\n"
           "    level: 'xã'\n"
           "    duration: 5wd\n"
           "    source: 'end-to-end test'\n"
           "    confidence: verified-two-sources\n",
           fast_duration);
  return write_file(path, text);
}

static bool make_rules(struct e2e_harness *harness) {
  snprintf(harness->rules, sizeof harness->rules, "%s/rules", harness->directory);
  if (mkdir(harness->rules, 0755) != 0)
    return false;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  static const char *const shipped[] = {"calendar.yaml", "ladder.yaml"};
  for (size_t i = 0; i < 2; i++) {
    char from[PATH_MAX], to[PATH_MAX + 32];
    snprintf(from, sizeof from, "%s/rules/%s", source != NULL ? source : ".", shipped[i]);
    snprintf(to, sizeof to, "%s/%s", harness->rules, shipped[i]);
    if (!copy_file(from, to))
      return false;
  }
  return e2e_write_procedures(harness, "2wd");
}

static bool migrate(struct e2e_harness *harness) {
  struct schema_result result;
  struct error error;
  if (schema_migrate(harness->db, &result, &error) != STATUS_OK ||
      schema_install_reference(harness->db, &error) != STATUS_OK) {
    tap_diagnostic("migrate: %s", error.message);
    return false;
  }
  return true;
}

bool e2e_setup(struct e2e_harness *harness, const char *conninfo) {
  memset(harness, 0, sizeof *harness);
  const char *parent = getenv("TMPDIR");
  snprintf(harness->directory, sizeof harness->directory, "%s/dunghen-e2e-XXXXXX",
           parent != NULL && *parent != '\0' ? parent : "/tmp");
  if (mkdtemp(harness->directory) == NULL)
    return false;
  snprintf(harness->conninfo, sizeof harness->conninfo, "%s", conninfo);
  if (!make_rules(harness))
    return false;
  harness->db = PQconnectdb(conninfo);
  if (PQstatus(harness->db) != CONNECTION_OK) {
    tap_diagnostic("connect: %s", PQerrorMessage(harness->db));
    return false;
  }
  PQsetNoticeProcessor(harness->db, NULL, NULL);
  return migrate(harness);
}

void e2e_teardown(struct e2e_harness *harness) {
  if (harness->db != NULL)
    PQfinish(harness->db);
  harness->db = NULL;
  if (getenv("DUNGHEN_KEEP_E2E") == NULL && harness->directory[0] != '\0') {
    char command[PATH_MAX + 16];
    snprintf(command, sizeof command, "rm -rf '%s'", harness->directory);
    int ignored = system(command);
    (void)ignored;
  }
}

static char *read_log(const struct e2e_daemon *daemon) {
  FILE *file = fopen(daemon->log_path, "rb");
  if (file == NULL)
    return NULL;
  size_t capacity = 1 << 16, length = 0;
  char *text = malloc(capacity);
  size_t got;
  while (text != NULL && (got = fread(text + length, 1, capacity - length - 1, file)) > 0) {
    length += got;
    if (capacity - length < 4096) {
      capacity *= 2;
      char *grown = realloc(text, capacity);
      if (grown == NULL) {
        free(text);
        text = NULL;
      }
      text = grown;
    }
  }
  fclose(file);
  if (text != NULL)
    text[length] = '\0';
  return text;
}

int e2e_daemon_log_count(const struct e2e_daemon *daemon, const char *needle) {
  char *text = read_log(daemon);
  if (text == NULL)
    return 0;
  int count = 0;
  for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
    count++;
  free(text);
  return count;
}

bool e2e_daemon_wait_log(const struct e2e_daemon *daemon, const char *needle, int count,
                         double timeout) {
  double until = e2e_monotonic_now() + timeout * time_factor();
  do {
    if (e2e_daemon_log_count(daemon, needle) >= count)
      return true;
    e2e_sleep_seconds(0.02);
  } while (e2e_monotonic_now() < until);
  return false;
}

bool e2e_daemon_log_line(const struct e2e_daemon *daemon, const char *needle, char *line,
                         size_t size) {
  char *text = read_log(daemon);
  if (text == NULL)
    return false;
  const char *at = strstr(text, needle);
  if (at != NULL) {
    const char *start = at;
    while (start > text && start[-1] != '\n')
      start--;
    const char *end = strchr(at, '\n');
    size_t length = end != NULL ? (size_t)(end - start) : strlen(start);
    snprintf(line, size, "%.*s", (int)length, start);
  }
  free(text);
  return at != NULL;
}

void e2e_daemon_dump_log(const struct e2e_daemon *daemon) {
  char *text = read_log(daemon);
  if (text == NULL)
    return;
  for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
    tap_diagnostic("log: %s", line);
  free(text);
}

bool e2e_daemon_start(struct e2e_daemon *daemon, const struct e2e_harness *harness,
                      const char *config_extra, char *const *environment) {
  static int serial;
  serial++;
  memset(daemon, 0, sizeof *daemon);
  daemon->port = -1;
  snprintf(daemon->log_path, sizeof daemon->log_path, "%s/daemon-%d.log", harness->directory,
           serial);
  snprintf(daemon->config_path, sizeof daemon->config_path, "%s/dunghen-%d.yaml",
           harness->directory, serial);
  char config[4096];
  snprintf(config, sizeof config, "http:\n  address: 127.0.0.1\n  port: 0\n%s",
           config_extra != NULL ? config_extra : "");
  if (!write_file(daemon->config_path, config))
    return false;
  const char *binary = getenv("DUNGHEN_BINARY");
  fflush(NULL);
  daemon->pid = fork();
  if (daemon->pid == 0) {
    int log = open(daemon->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, STDERR_FILENO);
    for (char *const *variable = environment; variable != NULL && *variable != NULL; variable++)
      putenv(*variable);
    /* $DUNGHEN_DAEMON_WRAPPER (tools/dev valgrind) runs the daemon under valgrind; the test
     * programs and PostgreSQL stay outside it. */
    const char *wrapper = getenv("DUNGHEN_DAEMON_WRAPPER");
    if (wrapper != NULL && *wrapper != '\0')
      execl(wrapper, wrapper, binary, "run", "--config", daemon->config_path, "--db",
            harness->conninfo, "--rules", harness->rules, (char *)NULL);
    else
      execl(binary, binary, "run", "--config", daemon->config_path, "--db", harness->conninfo,
            "--rules", harness->rules, (char *)NULL);
    _exit(127);
  }
  if (!e2e_daemon_wait_log(daemon, "http: listening on 127.0.0.1:", 1, 20)) {
    e2e_daemon_dump_log(daemon);
    return false;
  }
  char line[512];
  e2e_daemon_log_line(daemon, "http: listening on 127.0.0.1:", line, sizeof line);
  daemon->port = atoi(strstr(line, "127.0.0.1:") + strlen("127.0.0.1:"));
  return true;
}

int e2e_daemon_stop(struct e2e_daemon *daemon, int signal_number, double timeout) {
  if (daemon->pid <= 0)
    return -1;
  kill(daemon->pid, signal_number);
  double until = e2e_monotonic_now() + timeout * time_factor();
  int status;
  for (;;) {
    pid_t done = waitpid(daemon->pid, &status, WNOHANG);
    if (done == daemon->pid)
      break;
    if (e2e_monotonic_now() > until) {
      kill(daemon->pid, SIGKILL);
      waitpid(daemon->pid, &status, 0);
      daemon->pid = -1;
      return -1;
    }
    e2e_sleep_seconds(0.02);
  }
  daemon->pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int e2e_http_get(int port, const char *path, char *body, size_t size) {
  body[0] = '\0';
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  struct timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    close(fd);
    return -1;
  }
  char request[512];
  int length = snprintf(request, sizeof request,
                        "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
  if (write(fd, request, (size_t)length) != length) {
    close(fd);
    return -1;
  }
  static char response[1 << 17];
  size_t used = 0;
  ssize_t got;
  while (used < sizeof response - 1 &&
         (got = read(fd, response + used, sizeof response - 1 - used)) > 0)
    used += (size_t)got;
  close(fd);
  response[used] = '\0';
  int status = -1;
  if (sscanf(response, "HTTP/1.%*d %d", &status) != 1)
    return -1;
  const char *content = strstr(response, "\r\n\r\n");
  if (content != NULL)
    snprintf(body, size, "%s", content + 4);
  return status;
}

static PGresult *run_sql(const struct e2e_harness *harness, const char *format, va_list arguments) {
  char sql[4096];
  vsnprintf(sql, sizeof sql, format, arguments);
  PGresult *result = PQexec(harness->db, sql);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    tap_diagnostic("SQL failed: %s: %s", sql, PQerrorMessage(harness->db));
    PQclear(result);
    return NULL;
  }
  return result;
}

bool e2e_db_exec(const struct e2e_harness *harness, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  PGresult *result = run_sql(harness, format, arguments);
  va_end(arguments);
  PQclear(result);
  return result != NULL;
}

static long long first_integer(PGresult *result) {
  if (result == NULL)
    return -1;
  long long value =
      PQntuples(result) > 0 && !PQgetisnull(result, 0, 0) ? atoll(PQgetvalue(result, 0, 0)) : -1;
  PQclear(result);
  return value;
}

long long e2e_db_integer(const struct e2e_harness *harness, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  PGresult *result = run_sql(harness, format, arguments);
  va_end(arguments);
  return first_integer(result);
}

void e2e_db_text(const struct e2e_harness *harness, char *text, size_t size, const char *format,
                 ...) {
  va_list arguments;
  va_start(arguments, format);
  PGresult *result = run_sql(harness, format, arguments);
  va_end(arguments);
  text[0] = '\0';
  if (result != NULL && PQntuples(result) > 0 && !PQgetisnull(result, 0, 0))
    snprintf(text, size, "%s", PQgetvalue(result, 0, 0));
  PQclear(result);
}

bool e2e_db_wait_integer(const struct e2e_harness *harness, long long expected, double timeout,
                         const char *sql) {
  double until = e2e_monotonic_now() + timeout * time_factor();
  long long value;
  do {
    value = e2e_db_integer(harness, "%s", sql);
    if (value == expected)
      return true;
    e2e_sleep_seconds(0.02);
  } while (e2e_monotonic_now() < until);
  tap_diagnostic("%s: got %lld, expected %lld", sql, value, expected);
  return false;
}

bool e2e_db_insert_dossier(const struct e2e_harness *harness, const char *code,
                           const char *procedure, const char *received_sql) {
  return e2e_db_exec(harness,
                     "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
                     "so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) VALUES "
                     "('%s', '%s', 'E2E', 'Nguyễn Văn Thử', '066123456789', 'xã Hòa Phú', "
                     "'thử nghiệm', 'truc_tiep', %s, 'dang_xu_ly')",
                     code, procedure, received_sql);
}

bool e2e_daemon_wait_health(const struct e2e_daemon *daemon, int expected, char *body, size_t size,
                            double timeout) {
  double until = e2e_monotonic_now() + timeout * time_factor();
  do {
    if (e2e_http_get(daemon->port, "/healthz", body, size) == expected)
      return true;
    e2e_sleep_seconds(0.05);
  } while (e2e_monotonic_now() < until);
  return false;
}

static void write_text_file(const char *path, const char *text) {
  FILE *file = fopen(path, "w");
  if (file != NULL) {
    fputs(text, file);
    fclose(file);
  }
}

static int bind_notify_socket(const char *path) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  snprintf(address.sun_path, sizeof address.sun_path, "%s", path);
  if (fd >= 0 && bind(fd, (struct sockaddr *)&address, sizeof address) == 0)
    return fd;
  tap_diagnostic("bind %s: %s", path, strerror(errno));
  if (fd >= 0)
    close(fd);
  return -1;
}

/* Everything queued on the socket: the daemon has exited, so nothing more will come. */
static void drain_notifications(int fd, char *seen, size_t size) {
  seen[0] = '\0';
  char message[4096];
  ssize_t got;
  while ((got = recv(fd, message, sizeof message - 1, MSG_DONTWAIT)) > 0) {
    message[got] = '\0';
    size_t used = strlen(seen);
    snprintf(seen + used, size - used, "%s%s", used > 0 ? "|" : "", message);
  }
}

int e2e_daemon_run_refused(const struct e2e_harness *harness, const char *name, const char *config,
                           char *errors, size_t errors_size, char *notifications,
                           size_t notifications_size) {
  char socket_path[PATH_MAX + 64], config_path[PATH_MAX + 64], log_path[PATH_MAX + 64];
  snprintf(socket_path, sizeof socket_path, "%s/%s.sock", harness->directory, name);
  snprintf(config_path, sizeof config_path, "%s/%s.yaml", harness->directory, name);
  snprintf(log_path, sizeof log_path, "%s/%s.log", harness->directory, name);
  write_text_file(config_path, config);
  int fd = bind_notify_socket(socket_path);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    dup2(log, STDERR_FILENO);
    setenv("NOTIFY_SOCKET", socket_path, 1);
    const char *binary = getenv("DUNGHEN_BINARY");
    execl(binary, binary, "run", "--config", config_path, "--db", harness->conninfo, "--rules",
          harness->rules, (char *)NULL);
    _exit(127);
  }
  int status = 0, result = -1;
  for (double until = e2e_monotonic_now() + 20 * time_factor(); e2e_monotonic_now() < until;
       e2e_sleep_seconds(0.02))
    if (waitpid(pid, &status, WNOHANG) == pid) {
      result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
  if (result < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  notifications[0] = '\0';
  if (fd >= 0) {
    drain_notifications(fd, notifications, notifications_size);
    close(fd);
  }
  e2e_read_text_file(log_path, errors, errors_size);
  return result;
}

void e2e_read_text_file(const char *path, char *text, size_t size) {
  text[0] = '\0';
  FILE *file = fopen(path, "r");
  if (file == NULL)
    return;
  size_t got = fread(text, 1, size - 1, file);
  text[got] = '\0';
  fclose(file);
}
