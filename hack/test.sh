#!/usr/bin/env bash
# The whole test suite: unit tests (node:test), then the bats system tests as root and as the
# unprivileged user tsmantest (rootless). Run as root on a Debian 12 machine; it sets up what it
# needs first (hack/setup.sh: packages, test users, build, registries, test images).
# Ends with one line "N passed, N failed" and exits non-zero if anything failed.
#   TSMAN_TEST_SKIP_SETUP=1   skip hack/setup.sh
#   TSMAN_BATS_FILTER=regex   only bats tests whose name matches
#   TSMAN_TEST_MODES="root rootless"
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
TEST_USER=${TSMAN_TEST_USER:-tsmantest}
MODES=${TSMAN_TEST_MODES:-root rootless}

if [ "$(id -u)" -ne 0 ]; then
    echo "hack/test.sh: run as root (it creates the test user and runs the rootless suite as that user)" >&2
    exit 1
fi

if [ -z "${TSMAN_TEST_SKIP_SETUP:-}" ]; then
    bash hack/setup.sh </dev/null || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi

passed=0; failed=0; skipped=0
LOGDIR=${TSMAN_TEST_LOGDIR:-$REPO/.tmp/test-logs}
mkdir -p "$LOGDIR"

count_tap() {  # file -> adds to counters; TAP from bats or node --test
    local f=$1 p f_ s
    p=$(grep -cE '^ok ' "$f" | tr -d ' ')
    s=$(grep -cE '^ok .*# (skip|SKIP)' "$f" | tr -d ' ')
    f_=$(grep -cE '^not ok ' "$f" | tr -d ' ')
    passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + f_))
    echo "== $(basename "$f" .tap): $((p - s)) passed, $f_ failed, $s skipped"
}

# ---- unit tests ----
echo "== unit tests"
# as root, with the test user named: the tests of the user namespace, conmon and runc drive real
# namespaces (rootless ones as $TEST_USER) and skip, counted below, where they cannot
TSMAN_TEST_USER=$TEST_USER node --test --test-reporter=tap --test-concurrency=1 dist/test/unit/ >"$LOGDIR/unit.tap" 2>&1
# node's TAP nests subtests with indentation; count top-level test files' results only
grep -E '^(ok|not ok) ' "$LOGDIR/unit.tap" >/dev/null || echo "not ok 1 - unit test runner produced no results" >>"$LOGDIR/unit.tap"
grep -E '^ *not ok|^# (pass|fail|skip)' "$LOGDIR/unit.tap" | head -20
# node's TAP nests subtests; its own summary counts every test
up=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$LOGDIR/unit.tap"); up=${up:-0}
uf=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$LOGDIR/unit.tap"); uf=${uf:-1}
us=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$LOGDIR/unit.tap"); us=${us:-0}
passed=$((passed + up)); failed=$((failed + uf)); skipped=$((skipped + us))
echo "== unit: $up passed, $uf failed, $us skipped"
# a skip is never silent: each one with its reason
grep -E '^ *ok .* # SKIP' "$LOGDIR/unit.tap" | sed 's/^ */   skipped: /'

bats_args=(--tap)
[ -n "${TSMAN_BATS_FILTER:-}" ] && bats_args+=(--filter "$TSMAN_BATS_FILTER")

# ---- bats as root ----
if [[ " $MODES " == *" root "* ]]; then
    echo "== bats (root)"
    TSMAN_TEST_MODE=root timeout 2400 bats "${bats_args[@]}" test/bats >"$LOGDIR/bats-root.tap" 2>&1
    grep -E '^not ok' -A15 "$LOGDIR/bats-root.tap" | head -150
    count_tap "$LOGDIR/bats-root.tap"
fi

# ---- bats rootless, as the test user, in a login environment ----
# `su -`: what a user's login shell has, not root's environment: a Debian login PATH without
# /usr/sbin (/etc/profile gives sbin to root only; nft, sysctl, iptables live there), the user's
# HOME, nothing of root's. Run as `su` without `-`, tsman inherited root's PATH and a missing sbin
# went unseen (issue 17).
LOGIN_FILES=(050-login.bats 095-login-user.bats 100-run.bats 200-network-config.bats 210-net-run.bats)
if [[ " $MODES " == *" rootless "* ]]; then
    echo "== bats (rootless as $TEST_USER)"
    SRC=$REPO
    if ! su "$TEST_USER" -s /bin/sh -c "test -x '$REPO/bin/tsman' && test -r '$REPO/dist/src/cli/main.js'"; then
        # the checkout is not reachable by the test user (e.g. under /root): run a copy
        SRC=/var/tmp/tsman-src
        rm -rf "$SRC"; mkdir -p "$SRC"
        cp -a "$REPO/." "$SRC/"
        chmod -R a+rX "$SRC"
    fi
    uid=$(id -u "$TEST_USER")
    chmod 0777 "$LOGDIR"
    # `su -` starts from a clean environment: the test settings given to this script go along
    passenv=
    for v in TSMAN_REGISTRY_DIR TSMAN_TEST_USER; do
        [ -n "${!v:-}" ] && passenv+="export $v=$(printf %q "${!v}"); "
    done
    # a desktop session: logind's XDG_RUNTIME_DIR, the login PATH
    su - "$TEST_USER" -s /bin/bash -c "${passenv}export XDG_RUNTIME_DIR=/run/user/$uid TSMAN_TEST_MODE=rootless && cd '$SRC' && timeout 2400 bats ${bats_args[*]} test/bats" \
        >"$LOGDIR/bats-rootless.tap" 2>&1 </dev/null
    grep -E '^not ok' -A15 "$LOGDIR/bats-rootless.tap" | head -150
    count_tap "$LOGDIR/bats-rootless.tap"

    # `su -`, `sudo -iu`, cron, ssh without logind: no XDG_RUNTIME_DIR at all (the user's .profile
    # may set one, as pam_systemd would: unset after it ran), over the files where that matters
    echo "== bats (rootless as $TEST_USER, login shell without XDG_RUNTIME_DIR)"
    su - "$TEST_USER" -s /bin/bash -c "${passenv}unset XDG_RUNTIME_DIR; export TSMAN_TEST_MODE=rootless && cd '$SRC' && timeout 1200 bats ${bats_args[*]} ${LOGIN_FILES[*]/#/test/bats/}" \
        >"$LOGDIR/bats-rootless-login.tap" 2>&1 </dev/null
    grep -E '^not ok' -A15 "$LOGDIR/bats-rootless-login.tap" | head -150
    count_tap "$LOGDIR/bats-rootless-login.tap"
fi

# no Node stack trace may reach a user, in any test's output
traces=$(cat "$LOGDIR"/bats-*.tap 2>/dev/null | grep -c 'at .*\.cjs:')
if [ "${traces:-0}" -ne 0 ]; then
    echo "not ok - $traces Node stack trace lines in the bats output (grep 'at .*\.cjs:' $LOGDIR/bats-*.tap)"
    failed=$((failed + 1))
fi

echo "logs: $LOGDIR"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
