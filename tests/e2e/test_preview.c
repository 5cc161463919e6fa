/*
 * `dunghen preview` against a real PostgreSQL with the reference schema: 300 dossiers of the
 * two test procedures across three agencies, a `dunghen once` pass at NOW so that clocks,
 * escalations and letters exist, then previews of new rules: a duration lengthened by 2wd, a
 * duration shortened (escalations and letters), an added holiday; every dunghen.* table is
 * compared byte for byte before and after; a bad rules directory exits 2 with FILE:LINE:COL.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "e2e_support.h"
#include "tap.h"

#define NOW "2025-03-12T09:00:00+07:00"
#define OPEN_STATES "state NOT IN ('finished_early', 'finished_on_time', 'finished_late', 'closed')"
enum { DOSSIERS = 300, TEXT_SIZE = 1 << 20 };

struct listed {
  char code[64];
  char procedure[32];
  long long shift_seconds;
  bool letter;
  bool escalated;
};

static char *read_all(const char *path) {
  char *text = calloc(TEXT_SIZE, 1);
  if (text != NULL)
    e2e_read_text_file(path, text, TEXT_SIZE);
  return text;
}

static bool write_text(const char *path, const char *text) {
  FILE *file = fopen(path, "w");
  if (file == NULL)
    return false;
  bool written = fputs(text, file) >= 0;
  return fclose(file) == 0 && written;
}

/* A copy of the harness's rules in DIRECTORY/NAME: procedures with these durations, and the
 * calendar with `holiday` (YYYY-MM-DD, may be NULL) added to 2025's days off. */
static void make_rules(const struct e2e_harness *harness, const char *name, const char *fast,
                       const char *slow, const char *holiday, char *directory, size_t size) {
  snprintf(directory, size, "%s/%s", harness->directory, name);
  mkdir(directory, 0755);
  char path[4200], text[8192];
  char *calendar = NULL;
  snprintf(path, sizeof path, "%s/calendar.yaml", harness->rules);
  calendar = read_all(path);
  if (holiday != NULL) {
    const char *anchor = "  2025:\n    days_off:\n";
    char *at = strstr(calendar, anchor);
    snprintf(text, sizeof text,
             "      - dates: [%s]\n        reason: a test holiday\n        source: test\n",
             holiday);
    if (at != NULL) {
      at += strlen(anchor);
      memmove(at + strlen(text), at, strlen(at) + 1);
      memcpy(at, text, strlen(text));
    }
  }
  snprintf(path, sizeof path, "%s/calendar.yaml", directory);
  write_text(path, calendar);
  free(calendar);
  snprintf(path, sizeof path, "%s/ladder.yaml", harness->rules);
  char *ladder = read_all(path);
  snprintf(path, sizeof path, "%s/ladder.yaml", directory);
  write_text(path, ladder);
  free(ladder);
  snprintf(path, sizeof path, "%s/procedures.yaml", directory);
  snprintf(text, sizeof text,
           "defaults:\n  counting: hours\n  extension: 5wd\nprocedures:\n"
           "  - code: '9.900001'\n    name: 'Thủ tục thử nghiệm nhanh'\n    field: 'thử nghiệm'\n"
           "    level: 'xã'\n    duration: %s\n    source: 'end-to-end test'\n"
           "    confidence: verified-two-sources\n"
           "  - code: '9.900002'\n    name: 'Thủ tục thử nghiệm chậm'\n    field: 'thử nghiệm'\n"
           "    level: 'xã'\n    duration: %s\n    source: 'end-to-end test'\n"
           "    confidence: verified-two-sources\n",
           fast, slow);
  write_text(path, text);
}

/* Runs `dunghen preview` under `environment` (a prefix of the command: "" or `env ...`); its
 * exit status, stdout and stderr (malloc'ed). */
static int run_preview_in(const struct e2e_harness *harness, const char *environment,
                          const char *rules, const char *format, char **out, char **errors) {
  char command[8192], out_path[4200], errors_path[4200];
  snprintf(out_path, sizeof out_path, "%s/preview.out", harness->directory);
  snprintf(errors_path, sizeof errors_path, "%s/preview.err", harness->directory);
  snprintf(command, sizeof command,
           "%s '%s' preview --config '%s/preview.yaml' --db '%s' --rules '%s' --now " NOW
           " --format %s > '%s' 2> '%s'",
           environment, getenv("DUNGHEN_BINARY"), harness->directory, harness->conninfo, rules,
           format, out_path, errors_path);
  int status = system(command);
  *out = read_all(out_path);
  *errors = read_all(errors_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_preview(const struct e2e_harness *harness, const char *rules, const char *format,
                       char **out, char **errors) {
  return run_preview_in(harness, "", rules, format, out, errors);
}

static bool json_valid(const struct e2e_harness *harness) {
  char command[4400];
  snprintf(command, sizeof command,
           "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '%s/preview.out'",
           harness->directory);
  return system(command) == 0;
}

/* The value after `"key": ` on `line` (a string without its quotes, or the literal). */
static void json_field(const char *line, const char *key, char *value, size_t size) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\": ", key);
  const char *at = strstr(line, pattern);
  value[0] = '\0';
  if (at == NULL)
    return;
  at += strlen(pattern);
  size_t length;
  if (*at == '"') {
    at++;
    length = strcspn(at, "\"");
  } else {
    length = strcspn(at, ",}");
  }
  if (length >= size)
    length = size - 1;
  memcpy(value, at, length);
  value[length] = '\0';
}

/* The dossiers of the JSON output (one a line); their count. */
static size_t parse_dossiers(const char *json, struct listed *listed, size_t capacity) {
  size_t count = 0;
  const char *line = strstr(json, "\"dossiers\": [");
  while (line != NULL && (line = strstr(line, "{\"code\": ")) != NULL && count < capacity) {
    const char *end = strchr(line, '\n');
    size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
    char row[2048], value[64];
    snprintf(row, sizeof row, "%.*s", (int)(length < sizeof row ? length : sizeof row - 1), line);
    struct listed *item = &listed[count++];
    json_field(row, "code", item->code, sizeof item->code);
    json_field(row, "procedure_code", item->procedure, sizeof item->procedure);
    json_field(row, "shift_seconds", value, sizeof value);
    item->shift_seconds = atoll(value);
    json_field(row, "letter", value, sizeof value);
    item->letter = strcmp(value, "true") == 0;
    item->escalated = strstr(row, "\"escalations\": []") == NULL;
    line += length;
  }
  return count;
}

/* The codes of `listed`, comma-separated in order. */
static void listed_codes(const struct listed *listed, size_t count, char *codes, size_t size) {
  size_t used = 0;
  codes[0] = '\0';
  for (size_t i = 0; i < count && used < size; i++)
    used += (size_t)snprintf(codes + used, size - used, "%s%s", i > 0 ? "," : "", listed[i].code);
}

static char *query_text(const struct e2e_harness *harness, const char *sql) {
  PGresult *result = PQexec(harness->db, sql);
  char *text = NULL;
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1)
    text = strdup(PQgetisnull(result, 0, 0) ? "" : PQgetvalue(result, 0, 0));
  else
    tap_diagnostic("%s: %s", sql, PQresultErrorMessage(result));
  PQclear(result);
  return text != NULL ? text : strdup("(error)");
}

/* One md5 per table of the dunghen schema, "table=md5" joined by spaces. */
static char *schema_digest(const struct e2e_harness *harness) {
  PGresult *tables = PQexec(harness->db, "SELECT table_name FROM information_schema.tables"
                                         " WHERE table_schema = 'dunghen'"
                                         " AND table_type = 'BASE TABLE' ORDER BY 1");
  size_t size = 65536, used = 0;
  char *digest = calloc(size, 1);
  for (int i = 0; i < PQntuples(tables); i++) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)),"
             " '') FROM dunghen.%s t",
             PQgetvalue(tables, i, 0));
    char *one = query_text(harness, sql);
    used += (size_t)snprintf(digest + used, size - used, "%s=%s ", PQgetvalue(tables, i, 0), one);
    free(one);
  }
  PQclear(tables);
  return digest;
}

static void test_lengthened(const struct e2e_harness *harness) {
  char rules[4200], *out, *errors;
  make_rules(harness, "lengthened", "4wd", "5wd", NULL, rules, sizeof rules);
  int status = run_preview(harness, rules, "json", &out, &errors);
  tap_is_integer(status, 0, "lengthened: exit status 0 %s", errors);
  tap_is_string(errors, "", "lengthened: nothing on stderr");
  tap_ok(json_valid(harness), "lengthened: the output is JSON");
  static struct listed listed[DOSSIERS];
  size_t count = parse_dossiers(out, listed, DOSSIERS);
  char *expected = query_text(harness, "SELECT string_agg(code, ',' ORDER BY code)"
                                       " FROM dunghen.clock WHERE procedure_code = '9.900001'"
                                       " AND " OPEN_STATES);
  char codes[DOSSIERS * 16];
  listed_codes(listed, count, codes, sizeof codes);
  tap_ok(count > 50, "lengthened: %zu dossiers listed", count);
  tap_is_string(codes, expected, "lengthened: exactly the open dossiers of 9.900001");
  size_t two_days = 0;
  for (size_t i = 0; i < count; i++)
    two_days +=
        listed[i].shift_seconds == 2 * 8 * 3600 && strcmp(listed[i].procedure, "9.900001") == 0;
  tap_is_integer((long long)two_days, (long long)count, "lengthened: each by 2 working days");
  char summary[128];
  snprintf(summary, sizeof summary, "{\"summary\": {\"examined\": %lld, \"moved\": %zu,",
           e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock WHERE " OPEN_STATES), count);
  tap_contains(out, summary, "lengthened: the summary counts examined and moved");
  tap_contains(out, "\"shift\": \"+2 working days\"", "lengthened: the shift in words");
  tap_contains(out, "\"by_procedure\": [{\"key\": \"9.900001\"", "lengthened: by procedure");
  tap_contains(out, "\"by_agency\": [{\"key\": \"AG0\"", "lengthened: by agency");
  tap_contains(out,
               "\"changes\": [\n  {\"kind\": \"procedure\", \"subject\": \"9.900001\", "
               "\"sentence\": \"procedure 9.900001: duration 2wd -> 4wd\"}]",
               "lengthened: the one rule change");
  free(expected);
  free(out);
  free(errors);

  tap_is_integer(run_preview(harness, rules, "text", &out, &errors), 0, "text: exit status 0");
  tap_contains(out, "Rule changes (1):\n  procedure 9.900001: duration 2wd -> 4wd\n\nDossiers",
               "text: the rule change in words comes first");
  tap_contains(out, " (+2 working days)\n", "text: the shift in words");
  snprintf(summary, sizeof summary, "\nSummary: %lld examined, %zu moved, ",
           e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock WHERE " OPEN_STATES), count);
  tap_contains(out, summary, "text: the summary");

  tap_contains(out, "\nBy procedure:\n", "text: by procedure");
  tap_contains(out, "\nBy agency:\n", "text: by agency");
  free(out);
  free(errors);
}

static void test_shortened(const struct e2e_harness *harness) {
  char rules[4200], *out, *errors;
  make_rules(harness, "shortened", "2wd", "1wd", NULL, rules, sizeof rules);
  int status = run_preview(harness, rules, "json", &out, &errors);
  tap_is_integer(status, 0, "shortened: exit status 0 %s", errors);
  tap_ok(json_valid(harness), "shortened: the output is JSON");
  static struct listed listed[DOSSIERS];
  size_t count = parse_dossiers(out, listed, DOSSIERS);
  size_t letters = 0, escalated = 0, other = 0;
  for (size_t i = 0; i < count; i++) {
    letters += listed[i].letter;
    escalated += listed[i].escalated;
    other += strcmp(listed[i].procedure, "9.900002") != 0;
  }
  tap_ok(count > 0 && other == 0, "shortened: only dossiers of 9.900002 (%zu)", count);
  tap_ok(letters > 0 && escalated >= letters, "shortened: %zu letters, %zu escalated", letters,
         escalated);
  tap_contains(out, "\"state_after\": \"rescheduled\"",
               "shortened: dossiers are rescheduled by the letter");
  tap_contains(out, "\"escalations\": [\"apology\", \"overdue\"], \"letter\": true",
               "shortened: the apology and overdue levels, with a letter");
  char summary[64];
  snprintf(summary, sizeof summary, "\"letters\": %zu,", letters);
  tap_contains(out, summary, "shortened: the summary counts the letters");
  free(out);
  free(errors);
}

static void test_holiday(const struct e2e_harness *harness) {
  char rules[4200], *out, *errors;
  make_rules(harness, "holiday", "2wd", "5wd", "2025-03-14", rules, sizeof rules);
  int status = run_preview(harness, rules, "json", &out, &errors);
  tap_is_integer(status, 0, "holiday: exit status 0 %s", errors);
  static struct listed listed[DOSSIERS];
  size_t count = parse_dossiers(out, listed, DOSSIERS);
  /* Counting crosses Friday 14 March when the deadline in force is after its opening. */
  char *expected = query_text(harness, "SELECT string_agg(code, ',' ORDER BY code)"
                                       " FROM dunghen.clock WHERE " OPEN_STATES
                                       " AND deadline > '2025-03-14 07:00+07'");
  char codes[DOSSIERS * 16];
  listed_codes(listed, count, codes, sizeof codes);
  tap_ok(count > 10, "holiday: %zu dossiers listed", count);
  tap_is_string(codes, expected, "holiday: exactly the dossiers whose counting crosses it");
  /* A deadline after the holiday (or at its closing time) moves by one working day; one during
   * the holiday's hours moves to the next working day, by the working time of that day before
   * it. */
  size_t one_day = 0, on_the_day = 0;
  for (size_t i = 0; i < count; i++) {
    one_day += listed[i].shift_seconds == 8 * 3600;
    on_the_day += listed[i].shift_seconds > 0 && listed[i].shift_seconds < 8 * 3600;
  }
  tap_is_integer((long long)one_day,
                 e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock WHERE " OPEN_STATES
                                         " AND deadline >= '2025-03-14 17:00+07'"),
                 "holiday: a deadline after it moves by 1 working day");
  tap_is_integer((long long)(one_day + on_the_day), (long long)count,
                 "holiday: a deadline on it moves by less (%zu)", on_the_day);
  tap_contains(
      out,
      "\"deadline_before\": \"2025-03-14T07:49:00+07:00\", \"deadline_after\": "
      "\"2025-03-17T07:49:00+07:00\", \"shift_seconds\": 2940, \"shift\": \"+49m working time\"",
      "holiday: Friday 07:49 becomes Monday 07:49, 49 minutes of working time later");
  free(expected);
  free(out);
  free(errors);
}

/* The columns a UTF-8 line takes: one per code point (Vietnamese is precomposed here). */
static size_t columns(const char *line, size_t length) {
  size_t count = 0;
  for (size_t i = 0; i < length; i++)
    count += ((unsigned char)line[i] & 0xC0) != 0x80;
  return count;
}

/* Whether the heading line after `title` and the first row under it end in the same column:
 * the counts are right-aligned under their headings. */
static bool table_aligned(const char *text, const char *title) {
  const char *heading = strstr(text, title);
  if (heading == NULL)
    return false;
  heading += strlen(title);
  const char *row = strchr(heading, '\n');
  const char *row_end = row != NULL ? strchr(row + 1, '\n') : NULL;
  if (row_end == NULL)
    return false;
  return columns(heading, (size_t)(row - heading)) == columns(row + 1, (size_t)(row_end - row - 1));
}

/* The same previews for a Vietnamese admin (po/vi.po): the text in Vietnamese, the JSON as it
 * is in English, byte for byte. Runs after the tests above made the rules directories. */
#define VIETNAMESE "env -u LC_ALL -u LC_MESSAGES LANGUAGE=vi LANG=C.UTF-8"
static void test_vietnamese(const struct e2e_harness *harness) {
  char rules[4200], *out, *errors, *english, *english_errors;
  snprintf(rules, sizeof rules, "%s/lengthened", harness->directory);
  int status = run_preview_in(harness, VIETNAMESE, rules, "text", &out, &errors);
  tap_is_integer(status, 0, "Vietnamese text: exit status 0 %s", errors);
  tap_contains(out,
               "Thay đổi quy định (1):\n  thủ tục 9.900001: thời hạn 2wd -> 4wd\n\n"
               "Hồ sơ thay đổi tại thời điểm 2025-03-12T09:00:00+07:00: ",
               "Vietnamese text: the rule change in words comes first");
  tap_contains(out, " (thủ tục 9.900001, cơ quan AG", "Vietnamese text: a dossier's procedure");
  tap_contains(out, "\n    hạn giải quyết: 2025-",
               "Vietnamese text: its deadline before and after");
  tap_contains(out, " (+2 ngày làm việc)\n    trạng thái: ", "Vietnamese text: the shift in words");
  char summary[128];
  snprintf(summary, sizeof summary, "\nTổng hợp: %lld hồ sơ đã xét, ",
           e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock WHERE " OPEN_STATES));
  tap_contains(out, summary, "Vietnamese text: the summary");
  tap_contains(out, "\nTheo thủ tục:\n  thủ tục ", "Vietnamese text: by procedure");
  tap_contains(out, "\nTheo cơ quan:\n  cơ quan ", "Vietnamese text: by agency");
  tap_ok(table_aligned(out, "\nTheo thủ tục:\n"),
         "Vietnamese text: the counts by procedure line up under their headings");
  tap_ok(strstr(out, "Rule changes") == NULL && strstr(out, "working day") == NULL &&
             strstr(out, "Summary") == NULL,
         "Vietnamese text: no English sentence left");
  free(out);
  free(errors);

  tap_is_integer(run_preview_in(harness, VIETNAMESE, rules, "json", &out, &errors), 0,
                 "Vietnamese locale, JSON: exit status 0");
  tap_is_integer(run_preview(harness, rules, "json", &english, &english_errors), 0,
                 "English locale, JSON: exit status 0");
  tap_is_string(out, english,
                "JSON is the same under a Vietnamese locale (keys, sentences, shifts)");
  free(out);
  free(errors);
  free(english);
  free(english_errors);

  snprintf(rules, sizeof rules, "%s/holiday", harness->directory);
  tap_is_integer(run_preview_in(harness,
                                "env -u LANGUAGE -u LC_ALL -u LC_MESSAGES "
                                "LANG=vi_VN.UTF-8",
                                rules, "text", &out, &errors),
                 0, "LANG=vi_VN.UTF-8 text: exit status 0");
  tap_contains(out, "  2025-03-14 (Thứ Sáu) trở thành ngày nghỉ: a test holiday — test\n",
               "LANG=vi_VN.UTF-8: the added holiday in Vietnamese (its reason as the admin wrote)");
  tap_contains(out, " (+49m thời gian làm việc)\n", "LANG=vi_VN.UTF-8: a shift in working time");
  free(out);
  free(errors);

  snprintf(rules, sizeof rules, "%s/shortened", harness->directory);
  tap_is_integer(run_preview_in(harness, VIETNAMESE, rules, "text", &out, &errors), 0,
                 "Vietnamese text, shortened: exit status 0");
  tap_contains(out, "\n    phát sinh ngay: apology, overdue (phiếu xin lỗi)\n",
               "Vietnamese text: the escalations and the letter raised at once");
  free(out);
  free(errors);
}

static void test_bad_rules(const struct e2e_harness *harness) {
  char rules[4200], *out, *errors;
  make_rules(harness, "bad", "2wd", "5xx", NULL, rules, sizeof rules);
  tap_is_integer(run_preview(harness, rules, "json", &out, &errors), 2, "bad rules: exit status 2");
  char expected[4400];
  snprintf(expected, sizeof expected, "dunghen preview: %s/procedures.yaml:16:15: ", rules);
  tap_contains(errors, expected, "bad rules: FILE:LINE:COLUMN");
  tap_is_string(out, "", "bad rules: nothing on stdout");
  free(out);
  free(errors);
  tap_is_integer(run_preview(harness, "/nonexistent", "json", &out, &errors), 2,
                 "a missing rules directory: exit status 2");
  free(out);
  free(errors);
  tap_is_integer(run_preview(harness, rules, "yaml", &out, &errors), 2, "--format yaml: usage, 2");
  free(out);
  free(errors);
}

static void load_dossiers(const struct e2e_harness *harness) {
  /* Received every 37 minutes from Monday 3 March; every tenth already returned. */
  e2e_db_exec(harness,
              "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh,"
              " dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai, ngay_hoan_thanh)"
              " SELECT 'PV-' || lpad(i::text, 4, '0'), CASE WHEN i %% 2 = 0 THEN '9.900001'"
              " ELSE '9.900002' END, 'AG' || (i %% 3), 'Nguyễn Văn Thử', '066123456789',"
              " 'xã Hòa Phú', 'thử nghiệm', 'truc_tiep',"
              " timestamptz '2025-03-03 07:00+07' + i * interval '37 minutes',"
              " CASE WHEN i %% 10 = 0 THEN 'da_tra_ket_qua' ELSE 'dang_xu_ly' END,"
              " CASE WHEN i %% 10 = 0 THEN timestamptz '2025-03-03 07:00+07'"
              "  + i * interval '37 minutes' + interval '1 hour' END"
              " FROM generate_series(1, %d) i",
              DOSSIERS);
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run under with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "harness"))
    return tap_finish();
  char path[4200], config[4400], command[8192];
  snprintf(path, sizeof path, "%s/preview.yaml", harness.directory);
  snprintf(config, sizeof config, "paths:\n  rules: %s\n", harness.rules);
  write_text(path, config);
  load_dossiers(&harness);
  snprintf(command, sizeof command,
           "'%s' once --config '%s' --db '%s' --now " NOW " > '%s/once.out' 2>&1",
           getenv("DUNGHEN_BINARY"), path, harness.conninfo, harness.directory);
  tap_is_integer(system(command), 0, "dunghen once at " NOW);
  tap_ok(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log") > 0,
         "the pass raised escalations");
  char *before = schema_digest(&harness);
  char *sync_before = query_text(&harness, "SELECT t::text FROM dunghen.sync_state t");
  test_lengthened(&harness);
  test_shortened(&harness);
  test_holiday(&harness);
  test_vietnamese(&harness);
  test_bad_rules(&harness);
  char *after = schema_digest(&harness);
  char *sync_after = query_text(&harness, "SELECT t::text FROM dunghen.sync_state t");
  tap_is_string(after, before, "every dunghen table is byte for byte as before");
  tap_is_string(sync_after, sync_before, "dunghen.sync_state is untouched");
  tap_ok(strstr(before, "clock=") != NULL && strstr(before, "escalation_log=") != NULL,
         "the digest covers the clock and the escalation log");
  free(before);
  free(after);
  free(sync_before);
  free(sync_after);
  e2e_teardown(&harness);
  return tap_finish();
}
