#!/bin/sh
# The command-line contract of main.c: help, version, unknown commands, exit statuses.
binary=${DUNGHEN_BINARY:?}
. "${DUNGHEN_SOURCE_ROOT:?}/tests/support/tap.sh"
status_of() { "$@" >/dev/null 2>&1; echo $?; }

check "--version prints the version" sh -c "'$binary' --version | grep -Eq '^dunghen [0-9]+\.[0-9]+\.[0-9]+$'"
check "--help lists every command" sh -c "'$binary' --help | grep -q deadline && '$binary' --help | grep -q demo"
check "help COMMAND shows its usage" sh -c "'$binary' help deadline | grep -q -- '--received TS'"
check "COMMAND --help shows its usage" sh -c "'$binary' lunar --help | grep -q 'YYYY-MM-DD'"
check "an unknown command exits 2" test "$(status_of "$binary" frobnicate)" = 2
check "help for an unknown command exits 2" test "$(status_of "$binary" help frobnicate)" = 2
check "no command exits 2" test "$(status_of "$binary")" = 2

# Exit statuses as dunghen(8) states them: a file that was named but does not exist is invalid
# input (2, and systemd does not restart the daemon for it); a file that exists but cannot be
# read is the world failing (1).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
missing=$scratch/missing.yaml
# status_and_error CODE NEEDLE COMMAND...: the exit status is CODE and stderr names NEEDLE.
status_and_error() {
  expected=$1 needle=$2
  shift 2
  "$@" >/dev/null 2>"$scratch/stderr"
  got=$?
  equals "$got" "$expected" && grep -qF -- "$needle" "$scratch/stderr" ||
    { sed 's/^/#   /' "$scratch/stderr"; return 1; }
}
check "run: a missing --config exits 2" \
  status_and_error 2 "$missing: cannot open: No such file or directory" \
  "$binary" run --config "$missing"
check "once: a missing --config exits 2" \
  status_and_error 2 "$missing: cannot open: No such file or directory" \
  "$binary" once --config "$missing"
check "check: a missing rules directory exits 2" \
  status_and_error 2 "calendar.yaml: no such rules file in $scratch/none" \
  "$binary" check --rules "$scratch/none"
check "letter: a missing --input exits 2" \
  status_and_error 2 "$missing: cannot open: No such file or directory" \
  "$binary" letter --input "$missing" --out "$scratch/out.pdf"
check "run: a --db libpq cannot parse exits 2" \
  status_and_error 2 "--db: unknown connection keyword 'hots'" \
  "$binary" run --config /dev/null --db "dbname=x hots=y"
mkdir "$scratch/directory.yaml"
check "run: a --config that cannot be read (a directory) exits 1" \
  status_and_error 1 "$scratch/directory.yaml: cannot read" \
  "$binary" run --config "$scratch/directory.yaml"
check "once: a --config that cannot be read exits 1" \
  status_and_error 1 "$scratch/directory.yaml: cannot read" \
  "$binary" once --config "$scratch/directory.yaml"
mkdir -p "$scratch/letters/form-2025.yaml"
cp "$DUNGHEN_SOURCE_ROOT/letters/form-2018.yaml" "$scratch/letters/"
check "check: a template that cannot be read exits 1" \
  status_and_error 1 "$scratch/letters/form-2025.yaml: read error" \
  "$binary" check --letters "$scratch/letters"
rmdir "$scratch/letters/form-2025.yaml"
check "check: a missing template exits 2" \
  status_and_error 2 "$scratch/letters/form-2025.yaml: cannot open: No such file or directory" \
  "$binary" check --letters "$scratch/letters"
# dunghen web: --hash-password prints a yescrypt hash that crypt(3) accepts for the password
# read from stdin; no password is invalid input; the users file's errors exit 2.
hash=$(printf 'mật khẩu 1\n' | "$binary" web --hash-password 2>"$scratch/stderr")
check "web --hash-password prints a yescrypt hash" sh -c "printf '%s' '$hash' | grep -Eq '^[\$]y[\$][./A-Za-z0-9]+[\$][./A-Za-z0-9]+[\$][./A-Za-z0-9]{43}$'"
check "web --hash-password: the hash is the password's" python3 -W ignore -c \
  "import crypt, sys; sys.exit(crypt.crypt('mật khẩu 1', '$hash') != '$hash')"
check "web --hash-password: an empty password exits 2" \
  status_and_error 2 "dunghen web: the password is empty" \
  sh -c "printf '\\n' | '$binary' web --hash-password"
check "web --hash-password: no input exits 2" \
  status_and_error 2 "dunghen web: no password on standard input" \
  sh -c "'$binary' web --hash-password </dev/null"
printf 'web:\n  users: %s/users.yaml\n' "$scratch" >"$scratch/web.yaml"
printf 'users:\n  - name: lan\n    display_name: Lan\n    agency: DLK-SNNMT\n    password: hunter2\n' \
  >"$scratch/users.yaml"
check "web: a clear-text password in the users file exits 2 with FILE:LINE:COLUMN" \
  status_and_error 2 "$scratch/users.yaml:5:15: the password of 'lan' is not a yescrypt hash" \
  "$binary" web --config "$scratch/web.yaml"
tap_finish
