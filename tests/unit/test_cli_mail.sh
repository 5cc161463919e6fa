#!/bin/sh
# `dunghen check` and the mail rules: agencies' addresses and roles, the ladder's roles against
# them, and the mail wording of letters/ (checked when present), each error located, exit 2.
binary=${DUNGHEN_BINARY:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
rules=$source_root/rules
. "$source_root/tests/support/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { "$binary" check "$@" >"$work/out" 2>"$work/err"; echo $?; }

check "the shipped rules with mail roles pass" equals "$(run)" 0

mkdir "$work/noroles" "$work/crlf" "$work/letters" "$work/nomail"
# No agency gives the provincial office an address, which ladder.yaml sends long_overdue to.
sed '/provincial_office:/d' "$rules/agencies.yaml" >"$work/noroles/agencies.yaml"
check "a ladder role no agency gives an address exits 2" \
  equals "$(run --rules "$work/noroles:$rules")" 2
line=$(grep -n 'recipients: \[provincial_office\]' "$rules/ladder.yaml" | head -1 | cut -d: -f1)
check "and points at the role in ladder.yaml" equals "$(cat "$work/err")" \
  "dunghen check: $rules/ladder.yaml:$line:18: level 'long_overdue' sends to role 'provincial_office', but no agency in $work/noroles/agencies.yaml gives that role a mail address"

# Without any `mail:` the rules stay valid: mail is simply not addressed.
sed '/^    mail:/,/^$/d' "$rules/agencies.yaml" | grep -v '@' >"$work/nomail/agencies.yaml"
check "agencies without any mail section pass" equals "$(run --rules "$work/nomail:$rules")" 0

sed 's/      one_stop_unit: motcua@ttpvhcc.example.org/      one_stop_unit: "motcua@ttpvhcc.example.org\\nBcc: x@example.org"/' \
  "$rules/agencies.yaml" >"$work/crlf/agencies.yaml"
check "an address with a line break exits 2" equals "$(run --rules "$work/crlf:$rules")" 2
check "and is located" grep -q \
  "^dunghen check: $work/crlf/agencies.yaml:[0-9]*:[0-9]*: mail.one_stop_unit: the address contains a line break (CR or LF), which could inject mail headers$" \
  "$work/err"

cp "$source_root"/letters/*.yaml "$work/letters/"
sed -i 's/{dossier_code}"$/{dossier_cod}"/' "$work/letters/mail-escalation.yaml"
check "a mail template with an unknown placeholder exits 2" \
  equals "$(run --letters "$work/letters")" 2
check "and is located, with a suggestion" grep -q \
  "^dunghen check: $work/letters/mail-escalation.yaml:[0-9]*:[0-9]*: unknown placeholder {dossier_cod} (did you mean {dossier_code}?)$" \
  "$work/err"
rm "$work"/letters/mail-*.yaml
check "letters without mail wording pass (needed only with mail on)" \
  equals "$(run --letters "$work/letters")" 0
tap_finish
