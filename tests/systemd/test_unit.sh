#!/bin/bash
# The systemd unit as meson configures it (build/systemd/dunghen.service), with ExecStart pointed
# at the built binary: `systemd-analyze verify` prints nothing (it exits 0 on unknown keys, so
# any output fails), the man pages named in Documentation= resolve, `systemd-analyze security`
# scores 2.0 or better, and the directives the service relies on are present. Two control cases
# show that each check can fail. TAP.
set -u
build=${DUNGHEN_BUILD_ROOT:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
binary=${DUNGHEN_BINARY:?}
unit=$build/systemd/dunghen.service

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "1..0 # SKIP systemd-analyze is missing (Debian package systemd)"
  exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

. "${DUNGHEN_SOURCE_ROOT:?}/tests/support/tap.sh"

# The unit under test: the configured file with ExecStart's program replaced by the built one.
tested=$scratch/dunghen.service
sed "s|^ExecStart=[^ ]*|ExecStart=$binary|" "$unit" >"$tested"

# 1. meson substituted every placeholder and ExecStart names an absolute installed path.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
case $exec_start in
  /*/dunghen\ run\ *) if grep -q '@[A-Z_]*@' "$unit"; then
      fail "the configured unit has no @PLACEHOLDER@ left" "$(grep '@[A-Z_]*@' "$unit")"
    else pass "the configured unit runs an absolute path: $exec_start"; fi ;;
  *) fail "the configured unit runs an absolute path" "ExecStart=$exec_start" ;;
esac

# 2. verify prints nothing.
output=$(systemd-analyze verify --man=no "$tested" 2>&1)
status=$?
if [ $status = 0 ] && [ -z "$output" ]; then pass "systemd-analyze verify prints nothing"
else fail "systemd-analyze verify prints nothing (exit $status)" "$output"; fi

# 3. Documentation= names pages that exist: verify with --man=yes against the source man pages.
if command -v man >/dev/null 2>&1; then
  mkdir -p "$scratch/man/man5" "$scratch/man/man8"
  cp "$source_root/man/dunghen.8" "$scratch/man/man8/"
  cp "$source_root/man/dunghen.yaml.5" "$source_root/man/dunghen-rules.5" "$scratch/man/man5/"
  output=$(MANPATH=$scratch/man systemd-analyze verify --man=yes "$tested" 2>&1)
  status=$?
  if [ $status = 0 ] && [ -z "$output" ]; then
    pass "the Documentation= man pages exist (verify --man=yes)"
  else fail "the Documentation= man pages exist (verify --man=yes, exit $status)" "$output"; fi
else
  skip "the Documentation= man pages exist" "man is missing (Debian package man-db)"
fi

# 4. Control: an unknown key must make verify talk, or check 2 proves nothing.
sed 's/^UMask=.*/&\nFrobnicate=yes/' "$tested" >"$scratch/broken.service"
output=$(systemd-analyze verify --man=no "$scratch/broken.service" 2>&1)
if printf '%s' "$output" | grep -q "Unknown key 'Frobnicate'"; then
  pass "control: verify reports an unknown key"
else fail "control: verify reports an unknown key" "$output"; fi

# 5. The exposure score: 2.0 or better (threshold is in tenths).
report=$(systemd-analyze security --offline=yes --threshold=20 --no-pager "$tested" 2>&1)
status=$?
score=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ $status = 0 ] && [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
  pass "systemd-analyze security scores $score (2.0 or better)"
else
  fail "systemd-analyze security scores 2.0 or better (got '${score:-none}', exit $status)" \
    "$(printf '%s\n' "$report" | grep -a '✗' | head -20)"
fi

# 6. Control: the same unit stripped to its [Service] basics must exceed the threshold.
printf '[Service]\nType=notify\nExecStart=%s run\n' "$binary" >"$scratch/bare.service"
if systemd-analyze security --offline=yes --threshold=20 --no-pager "$scratch/bare.service" \
    >/dev/null 2>&1; then
  fail "control: an unhardened unit exceeds the threshold"
else pass "control: an unhardened unit exceeds the threshold"; fi

# 7. The directives the daemon and the package rely on (issue 7), and none that break them.
missing=""
for directive in 'Type=notify' 'ExecReload=.*kill -HUP \$MAINPID' 'WatchdogSec=[1-9]' \
    'Restart=on-failure' 'User=dunghen' 'Group=dunghen' 'StateDirectory=dunghen' \
    'ConfigurationDirectory=dunghen' 'RuntimeDirectory=dunghen' 'UMask=0027' \
    'ProtectSystem=strict' 'NoNewPrivileges=yes' 'CapabilityBoundingSet=$' \
    'SystemCallFilter=@system-service' 'MemoryDenyWriteExecute=yes' \
    'ExecStart=.* run --config /etc/dunghen/dunghen.yaml'; do
  grep -q "^$directive" "$unit" || missing="$missing $directive"
done
if grep -q '^DynamicUser=yes' "$unit"; then missing="$missing (DynamicUser=yes present)"; fi
if [ -z "$missing" ]; then pass "the unit has every directive the service relies on"
else fail "the unit has every directive the service relies on" "missing:$missing"; fi

# 8. No restart loop on invalid input: the daemon itself exits 2 on a bad config, bad rules or
# a missing config file, and the unit does not restart it on 2 (it does on 1: the world failing).
printf 'sync:\n  poll_intervall: 1\n' >"$scratch/typo.yaml"
"$binary" run --config "$scratch/typo.yaml" >/dev/null 2>"$scratch/typo.err"
status=$?
if [ $status = 2 ] && grep -q "typo.yaml:2:3: unknown key 'poll_intervall'" "$scratch/typo.err"; then
  pass "a typo in the config: the daemon exits 2 with FILE:LINE:COLUMN"
else fail "a typo in the config: the daemon exits 2 (got $status)" "$(cat "$scratch/typo.err")"; fi
mkdir -p "$scratch/rules"
cp "$source_root"/rules/*.yaml "$scratch/rules/"
printf 'week:\n  working_days: [monday, tues' >"$scratch/rules/calendar.yaml"
printf 'paths:\n  rules: %s/rules\n' "$scratch" >"$scratch/rules.yaml"
"$binary" run --config "$scratch/rules.yaml" >/dev/null 2>"$scratch/rules.err"
status=$?
if [ $status = 2 ] && grep -q "calendar.yaml:3:1: " "$scratch/rules.err"; then
  pass "broken rules: the daemon exits 2 with FILE:LINE:COLUMN"
else fail "broken rules: the daemon exits 2 (got $status)" "$(cat "$scratch/rules.err")"; fi
"$binary" run --config "$scratch/absent.yaml" >/dev/null 2>&1
status=$?
if [ $status = 2 ]; then pass "a missing config file: the daemon exits 2"
else fail "a missing config file: the daemon exits 2 (got $status)"; fi
prevented=$(sed -n 's/^RestartPreventExitStatus=//p' "$unit" | tr ' ' '\n')
restart=$(sed -n 's/^Restart=//p' "$unit")
if [ "$restart" = on-failure ] && printf '%s\n' "$prevented" | grep -qx 2 &&
    ! printf '%s\n' "$prevented" | grep -qx 1; then
  pass "the unit restarts on failure but not after status 2 (RestartPreventExitStatus=2)"
else fail "the unit restarts on failure but not after status 2" \
  "Restart=$restart RestartPreventExitStatus=$(echo $prevented)"; fi

# 9. Control: verify parses RestartPreventExitStatus= (a bad value is reported), so check 2's
# silence covers it.
sed 's/^RestartPreventExitStatus=.*/RestartPreventExitStatus=two/' "$tested" >"$scratch/prevent.service"
output=$(systemd-analyze verify --man=no "$scratch/prevent.service" 2>&1)
if printf '%s' "$output" | grep -q "Failed to parse.*two"; then
  pass "control: verify reports a bad RestartPreventExitStatus= value"
else fail "control: verify reports a bad RestartPreventExitStatus= value" "$output"; fi

# 10. No start timeout while waiting for the database: the daemon extends it itself
# (EXTEND_TIMEOUT_USEC, tested in systemd_notify), so the unit must not turn that off or set a
# start timeout shorter than the daemon's 30 s extensions sent every 10 s.
start_timeout=$(sed -n 's/^TimeoutStartSec=//p' "$unit")
case $start_timeout in
  '') pass "TimeoutStartSec= is left at the default; the daemon extends it while it waits" ;;
  *) fail "TimeoutStartSec= is left at the default" "TimeoutStartSec=$start_timeout" ;;
esac

# 11. The web view's unit (systemd/dunghen-web.service): verify prints nothing, the same
# exposure score, its own user in the group dunghen, and no restart after status 2.
web_unit=$build/systemd/dunghen-web.service
web_tested=$scratch/dunghen-web.service
sed "s|^ExecStart=[^ ]*|ExecStart=$binary|" "$web_unit" >"$web_tested"
output=$(systemd-analyze verify --man=no "$web_tested" 2>&1)
status=$?
if [ $status = 0 ] && [ -z "$output" ]; then pass "the web unit: systemd-analyze verify prints nothing"
else fail "the web unit: systemd-analyze verify prints nothing (exit $status)" "$output"; fi
report=$(systemd-analyze security --offline=yes --threshold=20 --no-pager "$web_tested" 2>&1)
status=$?
score=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ $status = 0 ] && [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
  pass "the web unit: systemd-analyze security scores $score (2.0 or better)"
else
  fail "the web unit: systemd-analyze security scores 2.0 or better (got '${score:-none}')" \
    "$(printf '%s\n' "$report" | grep -a '✗' | head -20)"
fi
missing=""
for directive in 'Type=notify' 'ExecReload=.*kill -HUP \$MAINPID' 'Restart=on-failure' \
    'RestartPreventExitStatus=2$' 'User=dunghen-web' 'SupplementaryGroups=dunghen' \
    'ProtectSystem=strict' 'NoNewPrivileges=yes' 'CapabilityBoundingSet=$' \
    'MemoryDenyWriteExecute=yes' 'ExecStart=/.* web --config /etc/dunghen/dunghen.yaml'; do
  grep -q "^$directive" "$web_unit" || missing="$missing $directive"
done
if [ -z "$missing" ]; then pass "the web unit has every directive the view relies on"
else fail "the web unit has every directive the view relies on" "missing:$missing"; fi
printf 'web:\n  users: relative.yaml\n' >"$scratch/web-typo.yaml"
"$binary" web --config "$scratch/web-typo.yaml" >/dev/null 2>"$scratch/web-typo.err"
status=$?
if [ $status = 2 ] && grep -q "web-typo.yaml:2:10: web.users: 'relative.yaml' is not an absolute path" \
    "$scratch/web-typo.err"; then
  pass "a bad web section: dunghen web exits 2 with FILE:LINE:COLUMN"
else fail "a bad web section: dunghen web exits 2 (got $status)" "$(cat "$scratch/web-typo.err")"; fi

tap_finish
