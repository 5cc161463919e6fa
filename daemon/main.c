/*
 * main.c: the `dunghen` executable, one binary for the daemon and the command-line tool.
 *
 * It only dispatches: the table below names every subcommand with its summary and usage (marked
 * N_() for the catalogue, translated when printed), and each subcommand's file (cli/) does the
 * work. `dunghen --help`, `dunghen help COMMAND` and
 * `dunghen --version` are answered here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/language.h"
#include "dunghen-config.h"
#include "rules/translate.h"

struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
  const char *usage;
};

static const struct command commands[] = {
    {"check", command_check, N_("validate all rules and print a one-line summary"),
     N_("dunghen check [--rules DIR] [--letters DIR] [--now TS]\n"
        "  Loads every rules file, reports the first error as FILE:LINE:COLUMN: message (exit 2)\n"
        "  or prints a summary and any warnings (exit 0). The warnings about the years without an\n"
        "  announced schedule are about the year of --now (or $DUNGHEN_NOW), else today's.")},
    {"calendar", command_calendar, N_("list the exception days of a year"),
     N_("dunghen calendar --year Y [--rules DIR]\n"
        "  One line per exception day, sorted: YYYY-MM-DD<TAB>off|work<TAB>reason.")},
    {"lunar", command_lunar, N_("convert a solar date to the Vietnamese lunar calendar"),
     N_("dunghen lunar YYYY-MM-DD\n"
        "  Prints the lunar date as YYYY-MM-DD, followed by ' leap' in a leap month.")},
    {"solar", command_solar, N_("convert a Vietnamese lunar date to the solar calendar"),
     N_("dunghen solar YYYY-MM-DD [--leap]\n"
        "  Prints the solar date of a lunar date; --leap selects the leap month.")},
    {"deadline", command_deadline, N_("compute (and explain) a statutory deadline"),
     N_("dunghen deadline --received TS (--procedure CODE [--channel C] | --duration D)\n"
        "                 [--pause FROM/TO]... [--counting hours|days] [--cutoff HH:MM]\n"
        "                 [--supplement pause|restart] [--rules DIR] [--explain]\n"
        "                 [--apology-at TS [--promised TS] [--extension D]]\n"
        "  --apology-at also decides the apology letter drafted at TS, as the daemon does.\n"
        "  D is N followed by wd (working days), wh (working hours) or cd (calendar days).\n"
        "  TS without an offset is local time (Asia/Ho_Chi_Minh, UTC+7).")},
    {"letter", command_letter, N_("render one apology letter offline"),
     N_("dunghen letter --input FILE.yaml --out FILE.pdf [--rules DIR] [--letters DIR]\n"
        "               [--true-italic]\n"
        "  Italics are slanted from the upright faces (2 embedded faces); --true-italic embeds\n"
        "  the real italic faces (4 faces, a larger and slower letter).")},
    {"migrate", command_migrate, N_("create or upgrade the daemon's database schema"),
     N_("dunghen migrate --db CONNINFO [--reference-schema]\n"
        "  Creates or upgrades the daemon's schema (safe to run twice or from two hosts at once);\n"
        "  --reference-schema also installs the reference one-stop schema and its views.")},
    {"run", command_run, N_("run the daemon"),
     N_("dunghen run [--config FILE] [--db CONNINFO] [--rules DIR] [--letters DIR] [--spool DIR]\n"
        "            [--now TS [--clock-rate R]]\n"
        "  Runs until SIGTERM or SIGINT; SIGHUP reloads the config and rules. --now (or\n"
        "  $DUNGHEN_NOW) starts a simulated clock at TS that then runs R times real time\n"
        "  (--clock-rate or $DUNGHEN_CLOCK_RATE, default 1), for tests and demos.")},
    {"once", command_once, N_("one full pass, then exit"),
     N_("dunghen once [--config FILE] [--now TS] [--db CONNINFO] [--rules DIR] [--letters DIR]\n"
        "             [--spool DIR]\n"
        "  One full pass, then renders the letters it (or anything before it) queued.")},
    {"preview", command_preview, N_("what new rules would change, writing nothing"),
     N_("dunghen preview --rules DIR [--config FILE | --db CONNINFO] [--now TS]\n"
        "                [--format text|json]\n"
        "  Compares the rules in force (the config's, as `dunghen once` loads them) with DIR:\n"
        "  the rule changes in words, then every open dossier whose deadline, state or due\n"
        "  escalations would change, and a summary by procedure and agency (docs/PREVIEW.md).\n"
        "  Reads one snapshot of the database and writes nothing.")},
    {"report", command_report, N_("a period's progress report (Decision 766/QĐ-TTg)"),
     N_("dunghen report --from DATE --to DATE [--by agency|field|procedure|channel]\n"
        "               [--agency CODE] [--format text|csv|json|pdf] [--out FILE]\n"
        "               [--issuer CODE] [--number N] [--now TS]\n"
        "               [--config FILE | --db CONNINFO] [--rules DIR]\n"
        "  Counts the dossiers of the period [DATE 00:00, DATE + 1 day 00:00) local time\n"
        "  from one snapshot of the database (docs/REPORT.md): received, done early, on\n"
        "  time or late, in progress on time or overdue, the on-time share and score,\n"
        "  letters, late dossiers without a letter, missed new dates. Writes to stdout, or\n"
        "  atomically to FILE (mode 0640). The PDF carries the letterhead of --issuer\n"
        "  (default: --agency, else the first agency of agencies.yaml), the date of --now\n"
        "  and the number N (default: blank).")},
    {"letters", command_letters,
     N_("the letters kept in the database: get, export, import, take-signed"),
     N_("dunghen letters get (--code DOSSIER | --agency CODE --year Y --number N) [--version V]\n"
        "                    --out FILE [--config FILE | --db CONNINFO]\n"
        "dunghen letters export [--from DATE --to DATE] [--agency CODE] --out DIR\n"
        "                       [--config FILE | --db CONNINFO]\n"
        "dunghen letters import [--spool DIR] [--config FILE | --db CONNINFO]\n"
        "dunghen letters take-signed (--code DOSSIER | --agency CODE --year Y --number N)\n"
        "                            --in FILE [--config FILE | --db CONNINFO]\n"
        "  The database holds every letter's PDF (docs/LETTERS.md); the spool is an export.\n"
        "  get writes one letter (its current draft, or version V) atomically to FILE (0640).\n"
        "  export rebuilds the spool layout in DIR for the letters created in the period\n"
        "  (local days, both included; all letters without one), every draft, each checked\n"
        "  against its sha256; identical files are left alone. import stores the bytes of the\n"
        "  letters rendered before the database kept them, read from the spool (default: the\n"
        "  config's) and checked against their sha256; it names every missing or mismatching\n"
        "  file and then exits 1. take-signed takes back a signed copy of a letter's current\n"
        "  draft: it must start with the issued bytes, as an incremental update, and every\n"
        "  signature must cover the whole document and verify (with letters.ca_bundle in the\n"
        "  config, every signer must chain to that bundle); it is stored and the letter is\n"
        "  signed. A refused file stores nothing (exit 2).")},
    {"web", command_web, N_("the officials' read-only web view"),
     N_("dunghen web [--config FILE] [--rules DIR] [--now TS]\n"
        "dunghen web --hash-password\n"
        "  Serves the read-only view of dossiers, letters, reports and rules to the users of\n"
        "  the config's web.users file (docs/WEB.md), on web.address:web.port (default\n"
        "  127.0.0.1:9467), as the database role of web.conninfo. SIGHUP reloads the users.\n"
        "  --now (or $DUNGHEN_NOW) starts a simulated clock at TS, for tests.\n"
        "  --hash-password reads a password from standard input (without echo on a terminal)\n"
        "  and prints its yescrypt hash for the users file.")},
    {"demo", command_demo, N_("show the whole product on a private PostgreSQL"),
     N_("dunghen demo [--out DIR] [--seed N] [--dossiers N] [--days N] [--start YYYY-MM-DD]\n"
        "             [--keep] [--rules DIR] [--letters DIR]\n"
        "  Plays a month of realistic dossiers on a private PostgreSQL and writes the letters\n"
        "  to DIR/letters (default ./dunghen-demo).")},
};

enum { COMMAND_COUNT = sizeof commands / sizeof commands[0] };

static const struct command *find_command(const char *name) {
  for (size_t i = 0; i < COMMAND_COUNT; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static void print_overview(FILE *stream) {
  fprintf(stream,
          _("dunghen %s: statutory deadlines, escalations and apology letters for\n"
            "Vietnam's one-stop-shops.\n\nUsage: dunghen COMMAND [OPTIONS]\n\nCommands:\n"),
          DUNGHEN_VERSION);
  for (size_t i = 0; i < COMMAND_COUNT; i++)
    fprintf(stream, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf(stream, _("  %-10s %s\n\nOptions: --help, --version\n"), "help",
          _("show the usage of a command: dunghen help COMMAND"));
}

static int help(int argc, char **argv) {
  if (argc < 2) {
    print_overview(stdout);
    return 0;
  }
  const struct command *command = find_command(argv[1]);
  if (command == NULL) {
    fprintf(stderr, _("dunghen help: unknown command '%s'\n"), argv[1]);
    return 2;
  }
  printf(_("%s: %s\n\nUsage: %s\n"), command->name, _(command->summary), _(command->usage));
  return 0;
}

static bool asks_for_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return true;
  return false;
}

int main(int argc, char **argv) {
  /* The admin tools speak the locale's language; the daemon's output is its log: English. */
  if (argc < 2 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "once") != 0))
    language_setup();
  if (argc < 2) {
    print_overview(stderr);
    return 2;
  }
  const char *name = argv[1];
  if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
    printf("dunghen %s\n", DUNGHEN_VERSION);
    return 0;
  }
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
    return help(1, argv);
  if (strcmp(name, "help") == 0)
    return help(argc - 1, argv + 1);
  const struct command *command = find_command(name);
  if (command == NULL) {
    fprintf(stderr, _("dunghen: unknown command '%s'\nTry 'dunghen --help'.\n"), name);
    return 2;
  }
  if (asks_for_help(argc - 1, argv + 1)) {
    char *arguments[] = {argv[0], argv[1], NULL};
    return help(2, arguments);
  }
  return command->run(argc - 1, argv + 1);
}
