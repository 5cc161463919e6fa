#!/bin/bash
# The Debian package: `dpkg-buildpackage -us -uc -b` in a copy of the source tree (without build
# directories or .git) in a temporary directory, then the .deb: `dpkg -c` lists the binary, the
# unit, sysusers.d, tmpfiles.d, every shipped rules file and letter template, the example config
# and the man pages; the config is a conffile; the maintainer scripts create the user and the
# spool and neither enable nor start the service; the packaged binary runs and reports the
# version in debian/changelog. DEB_BUILD_OPTIONS=nocheck: the suites already ran. Skipped only
# when dpkg-dev or debhelper is missing. TAP.
set -u
source_root=${DUNGHEN_SOURCE_ROOT:?}
binary=${DUNGHEN_BINARY:?}

for tool in dpkg-buildpackage:dpkg-dev dh:debhelper dh_installsysusers:debhelper; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    echo "1..0 # SKIP ${tool%%:*} is missing (Debian package ${tool#*:})"
    exit 0
  fi
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

count=0
failed=0
pass() { count=$((count + 1)); echo "ok $count - $1"; }
fail() { # description, then diagnostic text
  count=$((count + 1)); failed=$((failed + 1))
  echo "not ok $count - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
  return 0
}

# A clean copy: no build directories, no git metadata, no debhelper leftovers.
tree=$scratch/dunghen
mkdir "$tree"
tar -C "$source_root" -cf - --exclude='./build*' --exclude=./.git --exclude=./debian/tmp \
  --exclude=./debian/dunghen --exclude=./debian/.debhelper --exclude='./debian/*.substvars' \
  --exclude=./debian/files --exclude='./debian/*.log' . | tar -C "$tree" -xf -

started=$(date +%s)
if (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b >"$scratch/build.log" 2>&1); then
  pass "dpkg-buildpackage -us -uc -b builds the package ($(($(date +%s) - started)) s)"
else
  fail "dpkg-buildpackage -us -uc -b builds the package" "$(tail -40 "$scratch/build.log")"
  echo "1..$count"
  exit 1
fi

version=$(cd "$tree" && dpkg-parsechangelog -S Version)
deb=$(ls "$scratch"/dunghen_"$version"_*.deb 2>/dev/null | head -1)
if [ -n "$deb" ]; then pass "the package is $(basename "$deb")"
else fail "the package dunghen_${version}_ARCH.deb exists" "$(ls "$scratch")"; echo "1..$count"; exit 1; fi

# dpkg -c: every expected path, with its mode.
listing=$(dpkg -c "$deb")
expect() { # MODE PATH
  printf '%s\n' "$listing" | awk -v mode="$1" -v path="./$2" \
    '$1 == mode && $6 == path { found = 1 } END { exit !found }' || echo "$1 ./$2"
}
missing=$(
  expect -rwxr-xr-x usr/sbin/dunghen
  expect -rw-r--r-- lib/systemd/system/dunghen.service
  expect -rw-r--r-- usr/lib/sysusers.d/dunghen.conf
  expect -rw-r--r-- usr/lib/tmpfiles.d/dunghen.conf
  expect -rw-r--r-- etc/dunghen/dunghen.yaml
  expect drwxr-xr-x etc/dunghen/rules/
  expect -rw-r--r-- usr/share/man/man8/dunghen.8.gz
  expect -rw-r--r-- usr/share/man/man5/dunghen.yaml.5.gz
  expect -rw-r--r-- usr/share/man/man5/dunghen-rules.5.gz
  expect -rw-r--r-- usr/share/doc/dunghen/copyright
  for shipped in rules letters; do
    (cd "$source_root/$shipped" && find . -type f -printf '%P\n') | while IFS= read -r file; do
      expect -rw-r--r-- "usr/share/dunghen/$shipped/$file"
    done
  done
)
if [ -z "$missing" ]; then
  pass "dpkg -c lists the binary, unit, sysusers, tmpfiles, rules, letters, config, man pages"
else fail "dpkg -c lists every expected file with its mode" "missing:"$'\n'"$missing"; fi

stray=$(printf '%s\n' "$listing" | awk '{ print $6 }' | grep -v -e '^\./$' -e '^\./etc/dunghen/' \
  -e '^\./lib/systemd/system/' -e '^\./usr/sbin/' -e '^\./usr/lib/sysusers.d/' \
  -e '^\./usr/lib/tmpfiles.d/' -e '^\./usr/share/dunghen/' -e '^\./usr/share/man/' \
  -e '^\./usr/share/doc/dunghen/' -e '/$')
if [ -z "$stray" ]; then pass "the package holds nothing else"
else fail "the package holds nothing else" "$stray"; fi

mkdir "$scratch/control" "$scratch/unpacked"
dpkg-deb -e "$deb" "$scratch/control"
dpkg-deb -x "$deb" "$scratch/unpacked"

if grep -qx /etc/dunghen/dunghen.yaml "$scratch/control/conffiles" 2>/dev/null; then
  pass "/etc/dunghen/dunghen.yaml is a conffile"
else fail "/etc/dunghen/dunghen.yaml is a conffile" "$(cat "$scratch/control/conffiles" 2>&1)"; fi

postinst=$scratch/control/postinst
if grep -q 'systemd-sysusers .*dunghen.conf' "$postinst" &&
    grep -q 'systemd-tmpfiles .*--create dunghen.conf' "$postinst"; then
  pass "postinst creates the user (sysusers.d) and the spool (tmpfiles.d)"
else fail "postinst creates the user (sysusers.d) and the spool (tmpfiles.d)"; fi

# Enables nothing: the "dont-enable" snippet only restores an admin's own enablement, no start,
# and a restart only on upgrade of a running service (try-restart).
problems=""
grep -q "deb-systemd-helper debian-installed 'dunghen.service'" "$postinst" ||
  problems="${problems}no dont-enable guard"$'\n'
grep -q 'was-enabled defaults to true' "$postinst" && problems="${problems}enables on install"$'\n'
grep -Eq 'deb-systemd-invoke (start|restart|\$_dh_action)' "$postinst" &&
  problems="${problems}starts the service"$'\n'
grep -Eq '^[[:space:]]*systemctl .*(enable|start)' "$postinst" &&
  problems="${problems}systemctl enable/start"$'\n'
if [ -z "$problems" ]; then pass "postinst neither enables nor starts dunghen.service"
else fail "postinst neither enables nor starts dunghen.service" "$problems"; fi

if grep -q 'dpkg-statoverride --update --add root dunghen 0640 /etc/dunghen/dunghen.yaml' \
    "$postinst"; then
  pass "postinst makes the config readable by root and the dunghen group only"
else fail "postinst makes the config readable by root and the dunghen group only"; fi

if grep -q 'deb-systemd-invoke stop dunghen.service' "$scratch/control/prerm" 2>/dev/null; then
  pass "prerm stops the daemon before removal"
else fail "prerm stops the daemon before removal"; fi

packaged=$("$scratch/unpacked/usr/sbin/dunghen" --version 2>&1)
built=$("$binary" --version 2>&1)
upstream=${version#*:}
upstream=${upstream%-*}
if [ "$packaged" = "dunghen $upstream" ] && [ "$packaged" = "$built" ]; then
  pass "the packaged binary runs and reports the changelog's version ($version)"
else
  fail "the packaged binary runs and reports the changelog's version" \
    "packaged: $packaged; built: $built; debian/changelog: $version"
fi

depends=$(dpkg-deb -f "$deb" Depends)
problems=""
for needed in fonts-liberation2 libpq5 libevent-2.1-7 libhpdf-2.3.0 'systemd |'; do
  case $depends in *"$needed"*) ;; *) problems="$problems $needed" ;; esac
done
if [ -z "$problems" ]; then pass "Depends names the libraries, the font and sysusers"
else fail "Depends names the libraries, the font and sysusers" "missing:$problems in: $depends"; fi

echo "1..$count"
[ "$failed" = 0 ]
