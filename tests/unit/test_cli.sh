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
tap_finish
