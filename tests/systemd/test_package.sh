#!/bin/bash
# The Debian package: `dpkg-buildpackage -us -uc` (source and binary) in a copy of the source
# tree (without build directories or .git) in a temporary directory, then the .deb: `dpkg -c`
# lists the binary, the unit, sysusers.d, tmpfiles.d, every shipped rules file and letter
# template, the example config, the man pages and the documents (README, CHANGELOG, SECURITY,
# every file of docs/); the config is a conffile; the maintainer scripts create the user and the
# spool and neither enable nor start the service; the packaged binary runs and reports the
# version in debian/changelog; the source declares its autopkgtest; as root, dpkg -i / -r / -P
# really run, inside a private mount namespace over throw-away overlays, and the autopkgtests
# of debian/tests/control run against the installed package there; lintian (tools/dev installs
# it) finds no error or warning in the source or the binary package, and nothing wrong in
# debian/tests/control at any level. DEB_BUILD_OPTIONS=nocheck: the suites already ran. Skipped
# only when dpkg-dev or debhelper is missing; lintian alone missing skips only its case. TAP.
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
    dpkg-buildpackage -us -uc >"$scratch/build.log" 2>&1); then
  pass "dpkg-buildpackage -us -uc builds the source and binary packages \
($(($(date +%s) - started)) s)"
else
  fail "dpkg-buildpackage -us -uc builds the packages" "$(tail -40 "$scratch/build.log")"
  echo "1..$count"
  exit 1
fi

version=$(cd "$tree" && dpkg-parsechangelog -S Version)
deb=$(ls "$scratch"/dunghen_"$version"_*.deb 2>/dev/null | head -1)
if [ -n "$deb" ]; then pass "the package is $(basename "$deb")"
else fail "the package dunghen_${version}_ARCH.deb exists" "$(ls "$scratch")"; echo "1..$count"; exit 1; fi

# The source package announces its autopkgtest (dpkg-source reads debian/tests/control), and
# every test named there is an executable file; lintian checks the rest of the control file.
dsc=$scratch/dunghen_$version.dsc
tests=$(sed -n 's/^Tests:[[:space:]]*//p' "$tree/debian/tests/control" 2>/dev/null | tr ',' ' ')
problems=""
grep -qx 'Testsuite: autopkgtest' "$dsc" 2>/dev/null ||
  problems="no 'Testsuite: autopkgtest' in $(basename "$dsc")"$'\n'
[ -n "$tests" ] || problems="${problems}no Tests: in debian/tests/control"$'\n'
for name in $tests; do
  [ -f "$tree/debian/tests/$name" ] && [ -x "$tree/debian/tests/$name" ] ||
    problems="${problems}debian/tests/$name is not an executable file"$'\n'
done
if [ -z "$problems" ]; then
  pass "the source declares its autopkgtest (Testsuite: autopkgtest):$tests"
else fail "the source declares its autopkgtest, and its tests exist" "$problems"; fi

# dpkg -c: every expected path, with its mode.
listing=$(dpkg -c "$deb")
expect() { # MODE PATH
  printf '%s\n' "$listing" | awk -v mode="$1" -v path="./$2" \
    '$1 == mode && $6 == path { found = 1 } END { exit !found }' || echo "$1 ./$2"
}
missing=$(
  expect -rwxr-xr-x usr/sbin/dunghen
  expect -rw-r--r-- lib/systemd/system/dunghen.service
  expect -rw-r--r-- lib/systemd/system/dunghen-web.service
  expect -rw-r--r-- usr/lib/sysusers.d/dunghen.conf
  expect -rw-r--r-- usr/lib/tmpfiles.d/dunghen.conf
  expect -rw-r--r-- etc/dunghen/dunghen.yaml
  expect drwxr-xr-x etc/dunghen/rules/
  expect -rw-r--r-- usr/share/man/man8/dunghen.8.gz
  expect -rw-r--r-- usr/share/man/man5/dunghen.yaml.5.gz
  expect -rw-r--r-- usr/share/man/man5/dunghen-rules.5.gz
  expect -rw-r--r-- usr/share/locale/vi/LC_MESSAGES/dunghen.mo
  expect -rw-r--r-- usr/share/doc/dunghen/copyright
  expect -rw-r--r-- usr/share/doc/dunghen/changelog.gz   # debian/changelog (a native package)
  # dh_compress gzips the larger ones.
  for document in README.md CHANGELOG.md SECURITY.md \
      $(cd "$source_root/docs" && find . -type f -printf '%P\n' | sort); do
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
  pass "dpkg -c lists the binary, unit, sysusers, tmpfiles, rules, letters, contrib, config, man pages, \
README, CHANGELOG, SECURITY and docs/ ($(find "$source_root/docs" -type f | wc -l) files)"
else fail "dpkg -c lists every expected file with its mode" "missing:"$'\n'"$missing"; fi

stray=$(printf '%s\n' "$listing" | awk '{ print $6 }' | grep -v -e '^\./$' -e '^\./etc/dunghen/' \
  -e '^\./lib/systemd/system/' -e '^\./usr/sbin/' -e '^\./usr/lib/sysusers.d/' \
  -e '^\./usr/lib/tmpfiles.d/' -e '^\./usr/share/dunghen/' -e '^\./usr/share/man/' \
  -e '^\./usr/share/locale/vi/LC_MESSAGES/dunghen\.mo$' \
  -e '^\./usr/share/doc/dunghen/' -e '/$')
if [ -z "$stray" ]; then pass "the package holds nothing else"
else fail "the package holds nothing else" "$stray"; fi

mkdir "$scratch/control" "$scratch/unpacked"
dpkg-deb -e "$deb" "$scratch/control"
dpkg-deb -x "$deb" "$scratch/unpacked"

# A native package: changelog.gz is debian/changelog (lintian parses it), and the project's
# CHANGELOG.md keeps its own name; every document is installed as it is in the source.
documents=$scratch/unpacked/usr/share/doc/dunghen
problems=""
for pair in changelog:debian/changelog CHANGELOG.md:CHANGELOG.md SECURITY.md:SECURITY.md \
    $(cd "$source_root/docs" && find . -type f -printf '%P:docs/%P\n'); do
  installed=$documents/${pair%%:*}
  [ -f "$installed" ] || installed=$installed.gz
  if ! zcat -f "$installed" 2>/dev/null | cmp -s - "$tree/${pair#*:}"; then
    problems="$problems${pair%%:*} is not ${pair#*:}"$'\n'
  fi
done
if [ -z "$problems" ]; then
  pass "changelog.gz is debian/changelog; CHANGELOG.md, SECURITY.md and docs/ are installed as-is"
else fail "the installed documents are the source's" "$problems"; fi

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
tests=$2
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
# The autopkgtests, as a runner would start them: as root (needs-root), in a clean environment,
# each from debian/tests; a test fails on a non-zero exit or on any output on stderr.
for name in $(sed -n 's/^Tests:[[:space:]]*//p' "$tests/control" | tr ',' ' '); do
  status=0
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    "$tests/$name" >"$layers/test.out" 2>"$layers/test.err" || status=$?
  echo "autopkgtest $name $status $(wc -c <"$layers/test.err")"
  sed "s/^/$name: /" "$layers/test.out" "$layers/test.err"
done
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
  "installed, the autopkgtest (debian/tests) runs dunghen check and dunghen once against a \
throw-away cluster: escalations and a rendered letter"
  "autopkgtest check-and-once 0 0|check-and-once: dunghen autopkgtest: all 9 checks passed"
)
if [ "$(id -u)" != 0 ]; then
  reason="needs root"
elif ! unshare --mount true 2>/dev/null; then
  reason="no mount namespace here (unshare --mount)"
else
  reason=""
  output=$(unshare --mount --propagation private bash "$scratch/install.sh" "$deb" \
    "$tree/debian/tests" 2>&1)
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

# Debian's own checks on the source and binary packages (the .changes). lintian's exit status
# does not tell "tags" from "could not run", so its JSON report must name both packages as
# examined; then any error or warning fails, and so does any tag about debian/tests/control at
# any level (unknown fields and restrictions are only "pedantic"). Info tags are shown.
if command -v lintian >/dev/null 2>&1; then
  changes=$(ls "$scratch"/dunghen_"$version"_*.changes 2>/dev/null | head -1)
  status=0
  lintian --no-cfg --fail-on error,warning --pedantic --display-info --exp-output format=json \
    "$changes" >"$scratch/lintian.json" 2>"$scratch/lintian.err" || status=$?
  verdict=$(python3 - "$scratch/lintian.json" "$(basename "$deb")" "$(basename "$dsc")" \
      "$status" <<'PYTHON'
import json, re, sys
path, deb, dsc, status = sys.argv[1:]
try:
    report = json.load(open(path))
except ValueError as problem:
    print("bad: no JSON report (%s)" % problem)
    sys.exit()
examined, bad, shown = set(), [], []
for group in report.get("groups", []):
    for item in group.get("input_files", []):
        examined.add(item["path"].rsplit("/", 1)[-1])
        for hint in item.get("hints", []):
            where = (hint.get("pointer") or {}).get("item", {}).get("name")
            line = " ".join(part for part in (hint["visibility"][0].upper() + ":", hint["tag"],
                            hint.get("note"), where and "[%s]" % where) if part)
            testsuite = re.search(r"runtime-test|tests-control|testsuite|superficial|^no-tests$",
                                  hint["tag"])
            failing = hint["visibility"] in ("error", "warning") or testsuite
            (bad if failing else shown).append(line)
missing = [name for name in (deb, dsc) if name not in examined]
if missing:
    bad.append("not examined: " + ", ".join(missing))
if status not in ("0", "2") or (status == "2" and not bad):
    bad.append("lintian exited %s" % status)
print("good" if not bad else "bad")
for line in bad:
    print(line)
for line in shown:
    print("shown: " + line)
PYTHON
  )
  if [ "$(printf '%s\n' "$verdict" | head -1)" = good ]; then
    pass "lintian: no error or warning in the source and binary packages, nothing in \
debian/tests/control"
    printf '%s\n' "$verdict" | sed -n 's/^shown: /# lintian: /p'
  else
    fail "lintian: no error or warning in the source and binary packages" \
      "$(printf '%s\n' "$verdict" | tail -n +2; sed -n '1,20p' "$scratch/lintian.err")"
  fi
else
  count=$((count + 1)); echo "ok $count - lintian reports no error or warning # SKIP lintian is missing"
fi

tap_finish
