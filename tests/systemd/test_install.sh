#!/bin/bash
# `meson install --destdir` into a temporary directory, then the tree: the binary, the unit,
# the sysusers.d and tmpfiles.d files, the shipped rules and letters, the example config, the
# man pages and the Vietnamese catalogue, each where the build's prefix says and with its mode,
# and nothing outside the prefix. As root, the installed sysusers.d and tmpfiles.d files are
# applied to the temporary root and must create the user and the spool. TAP.
set -u
build=${DUNGHEN_BUILD_ROOT:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
destdir=$scratch/root

. "${DUNGHEN_SOURCE_ROOT:?}/tests/support/tap.sh"

# The directories of this build, as meson joins them (an absolute option replaces the prefix).
directories=$(meson introspect --buildoptions "$build" | python3 -c '
import json, os, sys
options = {o["name"]: o["value"] for o in json.load(sys.stdin)}
prefix = options["prefix"]
for name in ("sbindir", "datadir", "mandir", "sysconfdir", "localedir"):
    print(name, os.path.join(prefix, options[name]))
print("prefix", prefix)')
directory() { printf '%s\n' "$directories" | sed -n "s/^$1 //p"; }
prefix=$(directory prefix)
sbindir=$(directory sbindir)
datadir=$(directory datadir)/dunghen
mandir=$(directory mandir)
sysconfdir=$(directory sysconfdir)/dunghen
localedir=$(directory localedir)
# systemd.pc (or the fallback in systemd/meson.build) puts these under the prefix's lib/.
unitdir=$prefix/lib/systemd/system
sysusersdir=$prefix/lib/sysusers.d
tmpfilesdir=$prefix/lib/tmpfiles.d

# mode_is PATH MODE: PATH (inside the DESTDIR) exists with exactly MODE (octal, as stat %a).
mode_is() {
  local actual
  actual=$(stat -c %a "$destdir$1" 2>/dev/null) || { echo "$1: missing"; return 1; }
  [ "$actual" = "$2" ] || { echo "$1: mode $actual, expected $2"; return 1; }
}
# check_file DESCRIPTION PATH MODE [SOURCE]: present, mode, and identical to SOURCE if given.
check_file() {
  local problem
  problem=$(mode_is "$2" "$3") || { fail "$1" "$problem"; return; }
  if [ -n "${4:-}" ] && ! cmp -s "$4" "$destdir$2"; then
    fail "$1" "$2 differs from $4"; return
  fi
  pass "$1"
}

if output=$(meson install -C "$build" --destdir "$destdir" --no-rebuild 2>&1); then
  pass "meson install --destdir succeeds (prefix $prefix)"
else
  fail "meson install --destdir succeeds" "$(printf '%s\n' "$output" | tail -20)"
  echo "1..$count"
  exit 1
fi

check_file "the binary is $sbindir/dunghen, mode 755" "$sbindir/dunghen" 755
if "$destdir$sbindir/dunghen" --version 2>/dev/null | grep -q '^dunghen [0-9]'; then
  pass "the installed binary runs (--version)"
else fail "the installed binary runs (--version)"; fi

check_file "the unit is $unitdir/dunghen.service, mode 644" "$unitdir/dunghen.service" 644
if grep -qx "ExecStart=$sbindir/dunghen run --config /etc/dunghen/dunghen.yaml" \
    "$destdir$unitdir/dunghen.service"; then
  pass "the installed unit runs the installed binary"
else
  fail "the installed unit runs the installed binary" \
    "$(grep '^ExecStart' "$destdir$unitdir/dunghen.service" 2>&1)"
fi

check_file "the web unit is $unitdir/dunghen-web.service, mode 644" "$unitdir/dunghen-web.service" 644
if grep -qx "ExecStart=$sbindir/dunghen web --config /etc/dunghen/dunghen.yaml" \
    "$destdir$unitdir/dunghen-web.service"; then
  pass "the installed web unit runs the installed binary"
else
  fail "the installed web unit runs the installed binary" \
    "$(grep '^ExecStart' "$destdir$unitdir/dunghen-web.service" 2>&1)"
fi

check_file "the sysusers.d file is $sysusersdir/dunghen.conf, mode 644" \
  "$sysusersdir/dunghen.conf" 644 "$source_root/systemd/dunghen.sysusers"
check_file "the tmpfiles.d file is $tmpfilesdir/dunghen.conf, mode 644" \
  "$tmpfilesdir/dunghen.conf" 644 "$source_root/systemd/dunghen.tmpfiles"

# Every shipped rules file and letter template, byte for byte, readable by all, writable by root.
for tree in rules letters; do
  problems=""
  shipped=0
  while IFS= read -r file; do
    shipped=$((shipped + 1))
    problem=$(mode_is "$datadir/$tree/$file" 644) || { problems="$problems$problem"$'\n'; continue; }
    cmp -s "$source_root/$tree/$file" "$destdir$datadir/$tree/$file" ||
      problems="$problems$file differs"$'\n'
  done < <(cd "$source_root/$tree" && find . -type f -printf '%P\n' | sort)
  extra=$(cd "$destdir$datadir/$tree" 2>/dev/null && find . -type f -printf '%P\n' | sort |
    while IFS= read -r file; do [ -f "$source_root/$tree/$file" ] || echo "$file"; done)
  [ -n "$extra" ] && problems="${problems}installed but not shipped: $extra"
  if [ "$shipped" -gt 0 ] && [ -z "$problems" ]; then
    pass "all $shipped files of $tree/ are in $datadir/$tree, mode 644"
  else fail "all files of $tree/ are in $datadir/$tree, mode 644" "$problems"; fi
done

check_file "the example config is $sysconfdir/dunghen.yaml, mode 644" \
  "$sysconfdir/dunghen.yaml" 644 "$source_root/dunghen.yaml.example"
if problem=$(mode_is "$sysconfdir/rules" 755) && [ -d "$destdir$sysconfdir/rules" ] &&
    [ -z "$(ls -A "$destdir$sysconfdir/rules")" ]; then
  pass "an empty $sysconfdir/rules/ waits for the admin's overrides"
else fail "an empty $sysconfdir/rules/ waits for the admin's overrides" "${problem:-not empty}"; fi

check_file "dunghen(8) is $mandir/man8/dunghen.8" "$mandir/man8/dunghen.8" 644 \
  "$source_root/man/dunghen.8"
check_file "dunghen.yaml(5) is $mandir/man5/dunghen.yaml.5" "$mandir/man5/dunghen.yaml.5" 644 \
  "$source_root/man/dunghen.yaml.5"
check_file "dunghen-rules(5) is $mandir/man5/dunghen-rules.5" \
  "$mandir/man5/dunghen-rules.5" 644 "$source_root/man/dunghen-rules.5"

check_file "the Vietnamese messages are $localedir/vi/LC_MESSAGES/dunghen.mo" \
  "$localedir/vi/LC_MESSAGES/dunghen.mo" 644
if env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=vi_VN.UTF-8 DUNGHEN_LOCALEDIR="$destdir$localedir" \
    "$destdir$sbindir/dunghen" help calendar 2>&1 | grep -qx 'Cách dùng: dunghen calendar --year Y \[--rules DIR\]'; then
  pass "the installed binary speaks Vietnamese with the installed catalogue"
else fail "the installed binary speaks Vietnamese with the installed catalogue"; fi

# Nothing lands outside the prefix (the systemd directories once ignored it), nothing is
# writable by group or others, nothing is setuid or setgid.
outside=$(cd "$destdir" && find . -type f -printf '/%P\n' | grep -v "^$prefix/" |
  grep -v "^$sysconfdir/")
if [ -z "$outside" ]; then pass "every installed file is under $prefix (or $sysconfdir)"
else fail "every installed file is under $prefix (or $sysconfdir)" "$outside"; fi
loose=$(cd "$destdir" && find . -mindepth 1 \( -perm -g+w -o -perm -o+w -o -perm /6000 \) \
  ! -type l -printf '/%P %m\n')
if [ -z "$loose" ]; then pass "nothing installed is group- or world-writable, setuid or setgid"
else fail "nothing installed is group- or world-writable, setuid or setgid" "$loose"; fi

# Applied to the temporary root, the installed files create the user and the spool. Creating
# files owned by another user needs root; CI runs as root.
if [ "$(id -u)" != 0 ]; then
  skip "sysusers.d creates the dunghen user" "needs root (chown)"
  skip "sysusers.d creates the dunghen-web user" "needs root (chown)"
  skip "tmpfiles.d creates the spool, 0750, owned by dunghen" "needs root (chown)"
elif ! command -v systemd-sysusers >/dev/null 2>&1; then
  skip "sysusers.d creates the dunghen user" "systemd-sysusers is missing (package systemd)"
  skip "sysusers.d creates the dunghen-web user" "systemd-sysusers is missing"
  skip "tmpfiles.d creates the spool, 0750, owned by dunghen" "systemd-tmpfiles is missing"
else
  mkdir -p "$destdir/etc"
  output=$(systemd-sysusers --root="$destdir" "$destdir$sysusersdir/dunghen.conf" 2>&1)
  entry=$(grep '^dunghen:' "$destdir/etc/passwd" 2>/dev/null)
  case $entry in
    dunghen:x:*:*:*:/var/lib/dunghen:/usr/sbin/nologin) pass "sysusers.d creates the dunghen user" ;;
    *) fail "sysusers.d creates the dunghen user" "$output${entry:+$'\n'passwd: $entry}" ;;
  esac
  web_entry=$(grep '^dunghen-web:' "$destdir/etc/passwd" 2>/dev/null)
  if [ -n "$web_entry" ] && grep -q '^dunghen:x:[0-9]*:.*dunghen-web' "$destdir/etc/group"; then
    pass "sysusers.d creates the dunghen-web user, a member of the group dunghen"
  else fail "sysusers.d creates the dunghen-web user, a member of the group dunghen" \
    "passwd: $web_entry"$'\n'"group: $(grep '^dunghen' "$destdir/etc/group" 2>&1)"; fi
  uid=$(printf '%s' "$entry" | cut -d: -f3)
  output=$(systemd-tmpfiles --root="$destdir" --create "$destdir$tmpfilesdir/dunghen.conf" 2>&1)
  problems=""
  for spool in /var/lib/dunghen /var/lib/dunghen/spool; do
    actual=$(stat -c '%a %u' "$destdir$spool" 2>/dev/null)
    [ "$actual" = "750 $uid" ] || problems="$problems$spool: '${actual:-missing}', expected '750 $uid'"$'\n'
  done
  if [ -n "$uid" ] && [ -z "$problems" ]; then
    pass "tmpfiles.d creates the spool, 0750, owned by dunghen"
  else fail "tmpfiles.d creates the spool, 0750, owned by dunghen" "$output$problems"; fi
fi

tap_finish
