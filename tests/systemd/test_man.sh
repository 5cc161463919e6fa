#!/bin/bash
# The man pages: groff (and mandoc, when installed) format them without a warning, `man -l`
# renders them, and they keep up with the code: dunghen(8) names every command and option that
# `dunghen help COMMAND` prints, dunghen.yaml(5) every key of dunghen.yaml.example, and
# dunghen-rules(5) every key used in the shipped rules/ and letters/. TAP.
set -u
source_root=${DUNGHEN_SOURCE_ROOT:?}
binary=${DUNGHEN_BINARY:?}
pages="dunghen.8 dunghen.yaml.5 dunghen-rules.5"

. "${DUNGHEN_SOURCE_ROOT:?}/tests/support/tap.sh"

# The pages are UTF-8 (Vietnamese examples): groff needs -k (preconv), man a UTF-8 locale.
# plain PAGE: the page as text, ASCII hyphens, no overstriking, long lines.
plain() {
  groff -k -man -t -Tutf8 -P-cbou -rLL=200n "$source_root/man/$1" 2>/dev/null |
    sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g'
}

for page in $pages; do
  output=$(groff -k -man -t -ww -z -Tutf8 "$source_root/man/$page" 2>&1)
  if [ -z "$output" ]; then pass "$page: groff -ww reports nothing"
  else fail "$page: groff -ww reports nothing" "$output"; fi
  if command -v mandoc >/dev/null 2>&1; then
    output=$(mandoc -T lint -W warning "$source_root/man/$page" 2>&1)
    if [ -z "$output" ]; then pass "$page: mandoc -T lint -W warning reports nothing"
    else fail "$page: mandoc -T lint -W warning reports nothing" "$output"; fi
  else
    skip "$page: mandoc -T lint reports nothing" "mandoc is missing (Debian package mandoc)"
  fi
  if command -v man >/dev/null 2>&1; then
    # The check lintian runs on a package's pages: any warning is printed on stderr.
    output=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
      man --warnings -E UTF-8 -l -Tutf8 -Z "$source_root/man/$page" 2>&1 >/dev/null)
    rendered=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$source_root/man/$page" 2>/dev/null)
    if [ -z "$output" ] && printf '%s\n' "$rendered" | grep -q '^NAME' &&
        printf '%s\n' "$rendered" | grep -q '^SEE ALSO'; then
      pass "$page: man --warnings -l renders NAME ... SEE ALSO without a warning"
    else
      fail "$page: man --warnings -l renders NAME ... SEE ALSO without a warning" \
        "$output"$'\n'"$(printf '%s\n' "$rendered" | head -5)"
    fi
  else
    skip "$page: man -l renders it" "man is missing (Debian package man-db)"
  fi
done

# Every command of `dunghen --help`, and every option of its usage, in dunghen(8).
manual=$(plain dunghen.8)
missing=""
commands=$("$binary" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
for command in $commands; do
  printf '%s\n' "$manual" | grep -Eq "^ *dunghen $command( |$)" || missing="$missing $command"
  for option in $("$binary" help "$command" 2>/dev/null | grep -Eo -- '--[a-z][a-z-]*' | sort -u); do
    printf '%s\n' "$manual" | grep -q -- "$option" || missing="$missing $command:$option"
  done
done
if [ -n "$commands" ] && [ -z "$missing" ]; then
  pass "dunghen(8) documents every command and option ($(echo $commands | wc -w) commands)"
else fail "dunghen(8) documents every command and option" "missing:$missing"; fi

# keys FILE...: the mapping keys used in YAML files (block style, one key per line).
keys() {
  sed -n 's/^[ -]*\([a-z_][a-z0-9_]*\):\( .*\)\{0,1\}$/\1/p' "$@" | sort -u
}

manual=$(plain dunghen.yaml.5)
missing=""
for key in $(keys "$source_root/dunghen.yaml.example"); do
  printf '%s\n' "$manual" | grep -Eq "(^|[^a-z_])$key([^a-z_]|$)" || missing="$missing $key"
done
if [ -z "$missing" ]; then pass "dunghen.yaml(5) documents every key of dunghen.yaml.example"
else fail "dunghen.yaml(5) documents every key of dunghen.yaml.example" "missing:$missing"; fi

manual=$(plain dunghen-rules.5)
for tree in rules letters; do
  missing=""
  for key in $(keys $(find "$source_root/$tree" -name '*.yaml')); do
    printf '%s\n' "$manual" | grep -Eq "(^|[^a-z_])$key([^a-z_]|$)" || missing="$missing $key"
  done
  if [ -z "$missing" ]; then pass "dunghen-rules(5) documents every key used in $tree/"
  else fail "dunghen-rules(5) documents every key used in $tree/" "missing:$missing"; fi
done

# The examples of dunghen-rules(5) are real files: together they make a rules directory that
# `dunghen check` accepts, whose ladder and agencies load (`once` gets as far as the database)
# and with which the letter input example renders.
examples() { # SECTION: the .EX blocks under `.SH "SECTION"`, roff escapes undone
  python3 - "$source_root/man/dunghen-rules.5" "$1" <<'PYTHON'
import sys
page, section = sys.argv[1], sys.argv[2]
current, inside, lines = None, False, []
for line in open(page, encoding='utf-8'):
    line = line.rstrip('\n')
    if line.startswith('.SH '):
        current = line[4:].strip().strip('"')
    elif line == '.EX' and current == section:
        inside = True
    elif line == '.EE':
        inside = False
    elif inside:
        lines.append(line.replace('\\-', '-').replace('\\(aq', "'").replace('\\e', '\\'))
print('\n'.join(lines))
PYTHON
}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/rules"
for file in calendar.yaml procedures.yaml ladder.yaml agencies.yaml; do
  examples "$file" >"$scratch/rules/$file"
done
examples "LETTER INPUT" >"$scratch/letter.yaml"
: >"$scratch/empty.yaml"
if output=$("$binary" check --rules "$scratch/rules" 2>&1); then
  pass "the calendar.yaml and procedures.yaml examples pass dunghen check"
else fail "the calendar.yaml and procedures.yaml examples pass dunghen check" "$output"; fi
output=$("$binary" once --config "$scratch/empty.yaml" --rules "$scratch/rules" \
  --db "host=$scratch/nowhere dbname=none" 2>&1)
status=$?
if [ $status = 1 ] && printf '%s' "$output" | grep -q 'connect'; then
  pass "the ladder.yaml and agencies.yaml examples load (dunghen once stops at the database)"
else
  fail "the ladder.yaml and agencies.yaml examples load (exit $status, expected 1)" "$output"
fi
if output=$("$binary" letter --input "$scratch/letter.yaml" --out "$scratch/letter.pdf" \
    --rules "$scratch/rules" 2>&1) && [ -s "$scratch/letter.pdf" ]; then
  pass "the letter input example renders with the agencies.yaml example"
else fail "the letter input example renders with the agencies.yaml example" "$output"; fi

tap_finish
