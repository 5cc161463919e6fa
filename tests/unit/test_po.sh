#!/bin/sh
# po/vi.po is a complete, valid catalogue of every message the sources mark (po/POTFILES.in):
# msgfmt --check accepts it (formats agree with the English) with nothing untranslated or fuzzy;
# a .pot extracted afresh with the build's xgettext arguments (the script's arguments, from
# po/meson.build) has no message that vi.po lacks, and vi.po none that the sources dropped;
# po/rules-calendar.pot is what po/rules-messages.py makes of rules/calendar.yaml.
source_root=${DUNGHEN_SOURCE_ROOT:?}
. "$source_root/tests/support/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$source_root" || exit 1

msgfmt --check --statistics -o "$work/vi.mo" po/vi.po >"$work/msgfmt" 2>&1
check "msgfmt --check accepts po/vi.po" equals "$?" 0
check "with every message translated and none fuzzy: $(cat "$work/msgfmt")" sh -c \
  "grep -q 'translated message' '$work/msgfmt' && ! grep -Eq 'untranslated|fuzzy' '$work/msgfmt'"
check "the header says one plural form (Vietnamese)" \
  grep -qF '"Plural-Forms: nplurals=1; plural=0;\n"' po/vi.po

xgettext --package-name=dunghen -f po/POTFILES.in -D . -k_ -o "$work/dunghen.pot" "$@" \
  2>"$work/xgettext"
check "xgettext extracts the marked messages" sh -c \
  "[ -s '$work/dunghen.pot' ] && [ \$(grep -c '^msgid ' '$work/dunghen.pot') -gt 150 ]"
check "every message marked in the sources is translated in po/vi.po" \
  msgcmp po/vi.po "$work/dunghen.pot"
msgattrib --no-obsolete -o "$work/current.po" po/vi.po
check "po/vi.po holds no message the sources no longer have" \
  msgcmp --use-untranslated "$work/dunghen.pot" "$work/current.po"
check "the Vietnamese uses its diacritics (a message and its translation)" \
  grep -qF 'msgstr "ngày làm việc thứ %zu: %s"' po/vi.po

po/rules-messages.py >"$work/rules-calendar.pot"
check "po/rules-calendar.pot is up to date with rules/calendar.yaml (run po/rules-messages.py)" \
  cmp -s "$work/rules-calendar.pot" po/rules-calendar.pot

tap_finish
