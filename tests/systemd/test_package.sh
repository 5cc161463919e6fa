#!/bin/bash
# The Debian package: `dpkg-buildpackage -us -uc -b` in a copy of the source tree (without build
# directories or .git) in a temporary directory, then the .deb: `dpkg -c` lists the binary, the
# unit, sysusers.d, tmpfiles.d, every shipped rules file and letter template, the example config
# and the man pages; the config is a conffile; the maintainer scripts create the user and the
# spool and neither enable nor start the service; the packaged binary runs and reports the
# version in debian/changelog; as root, dpkg -i / -r / -P really run, inside a private mount
# namespace over throw-away overlays; lintian (when installed) finds no error or warning.
# DEB_BUILD_OPTIONS=nocheck: the suites already ran. Skipped only when dpkg-dev or debhelper
# is missing. TAP.
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

. "${DUNGHEN_SOURCE_ROOT:?}/tests/support/tap.sh"

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
  for document in README.md ADAPTER.md; do   # dh_compress gzips the larger ones
    printf '%s\n' "$listing" | grep -Eq " \./usr/share/doc/dunghen/$document(\.gz)?$" ||
      echo "./usr/share/doc/dunghen/$document"
  done
  for shipped in rules letters contrib; do
    (cd "$source_root/$shipped" && find . -type f -printf '%P\n') | while IFS= read -r file; do
      expect -rw-r--r-- "usr/share/dunghen/$shipped/$file"
    done
  done
)
if [ -z "$missing" ]; then
  pass "dpkg -c lists the binary, unit, sysusers, tmpfiles, rules, letters, contrib, config, man pages, docs"
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

# Install, remove and purge for real, in a private mount namespace whose /etc, /usr, /var (and
# /lib, /run/systemd) are throw-away overlays: the system itself is never touched. Needs root.
cat >"$scratch/install.sh" <<'SCRIPT'
set -eu
deb=$1
layers=$(mktemp -d)
mount -t tmpfs tmpfs "$layers"
for directory in etc usr var lib; do
  [ -L "/$directory" ] && continue   # /lib -> usr/lib on a merged-/usr system
  mkdir "$layers/$directory" "$layers/$directory.work"
  mount -t overlay overlay \
    -o "lowerdir=/$directory,upperdir=$layers/$directory,workdir=$layers/$directory.work" \
    "/$directory"
  [ "$(findmnt -n -o FSTYPE "/$directory")" = overlay ]
done
# Hide the host's systemd, so that the maintainer scripts cannot reach it.
if [ -d /run/systemd ]; then mount -t tmpfs tmpfs /run/systemd; fi
echo mounted
dpkg -i "$deb" >/dev/null
echo "user $(getent passwd dunghen | cut -d: -f6,7)"
stat -c 'mode %a %U:%G %n' /etc/dunghen /etc/dunghen/dunghen.yaml /var/lib/dunghen/spool
echo "wants $(ls /etc/systemd/system/multi-user.target.wants 2>/dev/null | grep -c dunghen)"
# As the service would run it: the dunghen user reads the installed config and rules and gets
# as far as the (absent) database.
status=0
output=$(runuser -u dunghen -- dunghen once --db "host=$layers/nowhere dbname=none" 2>&1) ||
  status=$?
reached=0
if printf '%s' "$output" | grep -q 'connect'; then reached=1; fi
echo "once $status $reached"
[ "$status" = 1 ] || printf '%s\n' "$output" | sed 's/^/once: /'
# The shipped sample letter renders with the installed agencies, templates and fonts.
status=0
output=$(runuser -u dunghen -- dunghen letter --input /usr/share/dunghen/letters/sample-letter.yaml \
  --out /var/lib/dunghen/sample.pdf 2>&1) || status=$?
echo "letter $status $(stat -c %U /var/lib/dunghen/sample.pdf 2>/dev/null)"
[ "$status" = 0 ] || printf '%s\n' "$output" | sed 's/^/letter: /'
dpkg -r dunghen >/dev/null
echo "removed $(ls /usr/sbin/dunghen 2>/dev/null | wc -l) $(ls /etc/dunghen/dunghen.yaml | wc -l)"
dpkg -P dunghen >/dev/null
echo "purged $(ls -d /etc/dunghen 2>/dev/null | wc -l) $(dpkg-statoverride --list | grep -c dunghen)"
SCRIPT
# Each case: a description, then the lines of the script's output that prove it ('|' between).
install_cases=(
  "dpkg -i creates the user, a 0640 root:dunghen config and a 0750 spool, and enables nothing"
  "user /var/lib/dunghen:/usr/sbin/nologin|mode 750 root:dunghen /etc/dunghen|mode 640 \
root:dunghen /etc/dunghen/dunghen.yaml|mode 750 dunghen:dunghen /var/lib/dunghen/spool|wants 0"
  "installed, dunghen once runs as the dunghen user with the installed config and rules up to \
the database"
  "once 1 1"
  "installed, the shipped sample letter renders as the dunghen user (agencies, templates, fonts)"
  "letter 0 dunghen"
  "dpkg -r keeps the config; dpkg -P removes it and the permission overrides"
  "removed 0 1|purged 0 0"
)
if [ "$(id -u)" != 0 ]; then
  reason="needs root"
elif ! unshare --mount true 2>/dev/null; then
  reason="no mount namespace here (unshare --mount)"
else
  reason=""
  output=$(unshare --mount --propagation private bash "$scratch/install.sh" "$deb" 2>&1)
  if ! printf '%s\n' "$output" | grep -qx mounted; then
    reason="overlay mounts refused here: $(printf '%s' "$output" | head -1)"
  fi
fi
for ((index = 0; index < ${#install_cases[@]}; index += 2)); do
  description=${install_cases[index]}
  if [ -n "$reason" ]; then
    count=$((count + 1)); echo "ok $count - $description # SKIP $reason"; continue
  fi
  missing=""
  IFS='|' read -r -a lines <<<"${install_cases[index + 1]}"
  for line in "${lines[@]}"; do
    printf '%s\n' "$output" | grep -qxF "$line" || missing="$missing$line"$'\n'
  done
  if [ -z "$missing" ]; then pass "$description"
  else fail "$description" "expected:"$'\n'"$missing""got:"$'\n'"$output"; fi
done

# Debian's own checks, when lintian is installed (errors and warnings fail; info tags do not).
if command -v lintian >/dev/null 2>&1; then
  tags=$(lintian --no-cfg "$deb" 2>&1 | grep -E '^[EW]: ')
  if [ -z "$tags" ]; then pass "lintian reports no error or warning"
  else fail "lintian reports no error or warning" "$tags"; fi
else
  count=$((count + 1)); echo "ok $count - lintian reports no error or warning # SKIP lintian is missing"
fi

tap_finish
